// Loads a `watch_config` from a TOML file (format: docs/config.md), reporting
// every problem of the file at once with its line, column and key path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libwatch/watch_config.hpp"

namespace libwatch::config {

/// One problem of a configuration file. Errors are values so that a caller
/// (a command-line tool, a test) can print all of them, not just the first.
struct config_error {
  /// The file name as given to `load_file`, or the source name of
  /// `load_string`.
  std::string file;
  /// 1-based position of the offending node; 0 when there is none (e.g. an
  /// unreadable file or a default value that conflicts with a set one).
  uint32_t line = 0;
  uint32_t column = 0;
  /// The key path, e.g. `listener.reconnect_max` or
  /// `watcher[2].extra_columns[1]` (indices 0-based); empty for problems of
  /// the whole file.
  std::string path;
  /// What is wrong and what would be valid. Never contains a password.
  std::string message;
};

/// Renders `FILE:LINE:COLUMN: PATH: MESSAGE`, leaving out `:LINE:COLUMN` when
/// the line is unknown and `PATH: ` when there is no path, the form editors
/// and compilers use so tools can jump to the spot.
std::string to_string(const config_error& x);

/// Renders one error per line, each ending in a newline.
std::string to_string(const std::vector<config_error>& xs);

/// What loading produced: the configuration, or every problem found.
struct load_result {
  /// Complete only when `ok()`; otherwise it holds whatever could be read
  /// and must not be used to start watchers.
  watch_config config;
  /// Sorted by line, then column.
  std::vector<config_error> errors;

  bool ok() const noexcept {
    return errors.empty();
  }
};

/// Reads and loads the file at `path`. A file that cannot be read gives one
/// error naming it.
load_result load_file(const std::string& path);

/// Loads TOML `text`; `source_name` is the file name used in errors.
load_result load_string(std::string_view text, std::string source_name);

} // namespace libwatch::config
