// Loading the configuration file every subcommand takes, with every problem
// printed at once (the loader's FILE:LINE:COLUMN: PATH: MESSAGE lines).
#pragma once

#include <optional>
#include <string>

#include "libwatch/watch_config.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace libwatch::cli {

/// Loads and validates the TOML file at `path`. On any problem prints all of
/// them to stderr and returns nothing (the caller exits with `usage_error`).
std::optional<watch_config> load_config(const std::string& path);

/// Adds the required CONFIG argument every subcommand takes, read into `path`.
void add_config_argument(CLI::App& app, std::string& path);

} // namespace libwatch::cli
