// `libwatch`: the command-line tool around libwatch's database objects. Parses
// the command line with CLI11 and runs the chosen subcommand; every outcome
// maps to one of the documented exit codes (cli/exit_code.hpp).
#include <exception>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands/commands.hpp"
#include "cli/exit_code.hpp"

namespace {

constexpr const char* footer = R"(Exit codes:
  0  ok
  1  problems found (check, status, install, uninstall)
  2  usage error or invalid configuration file
  3  database unreachable or other runtime failure

Run `libwatch SUBCOMMAND --help` for a subcommand's options and examples.
Full documentation: docs/cli.md.)";

} // namespace

int main(int argc, char** argv) {
  using namespace libwatch::cli;
  CLI::App app{"Installs, inspects and follows the PostgreSQL triggers of a "
               "libwatch configuration file.",
               "libwatch"};
  app.set_version_flag("--version", "libwatch " LIBWATCH_VERSION);
  app.require_subcommand(1);
  app.footer(footer);
  std::vector<command> commands{
    add_check_command(app), add_install_command(app),   add_status_command(app),
    add_tail_command(app),  add_uninstall_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    return app.exit(e) == 0 ? exit_code::ok : exit_code::usage_error;
  }
  try {
    for (auto& cmd : commands)
      if (cmd.app->parsed())
        return cmd.run();
  } catch (const std::exception& e) {
    std::cerr << "libwatch: " << e.what() << std::endl;
    return exit_code::runtime_failure;
  }
  return exit_code::usage_error;
}
