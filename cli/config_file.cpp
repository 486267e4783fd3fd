#include "cli/config_file.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "config/loader.hpp"

namespace libwatch::cli {

std::optional<watch_config> load_config(const std::string& path) {
  auto loaded = config::load_file(path);
  if (!loaded.ok()) {
    std::cerr << config::to_string(loaded.errors) << std::flush;
    return std::nullopt;
  }
  // The loader already reports what `validate` finds, with positions; this
  // only guards against a loader that lets something through.
  if (auto problems = validate(loaded.config); !problems.empty()) {
    std::cerr << path << ": invalid configuration:\n"
              << to_string(problems, loaded.config) << std::endl;
    return std::nullopt;
  }
  return std::move(loaded.config);
}

void add_config_argument(CLI::App& app, std::string& path) {
  app.add_option("CONFIG", path, "TOML configuration file (docs/config.md)")
    ->required();
}

} // namespace libwatch::cli
