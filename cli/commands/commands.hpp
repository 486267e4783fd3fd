// The subcommands of `libwatch`. Each adds itself to the top-level CLI11 app
// and returns what to run when the user chose it, so main() stays a
// dispatcher and each command's options live next to its behaviour.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace libwatch::cli {

/// A registered subcommand: its CLI11 app (to see whether the user chose
/// it) and its behaviour, which returns an `exit_code`.
struct command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// `libwatch check CONFIG`: the configuration against the database, without
/// changing anything.
command add_check_command(CLI::App& parent);

/// `libwatch install CONFIG`: create or replace functions and triggers.
command add_install_command(CLI::App& parent);

/// `libwatch status CONFIG [--json]`: what is installed, what differs, and
/// libwatch objects no configured watcher owns.
command add_status_command(CLI::App& parent);

/// `libwatch tail CONFIG [--watch TARGET[:COLUMN=VALUE]]... [--fail-fast]`:
/// print changes and watcher signals as JSON Lines until SIGINT/SIGTERM.
command add_tail_command(CLI::App& parent);

/// `libwatch uninstall CONFIG`: drop what `install` created, only objects
/// carrying libwatch's ownership marker.
command add_uninstall_command(CLI::App& parent);

} // namespace libwatch::cli
