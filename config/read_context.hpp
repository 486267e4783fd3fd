// What reading a configuration file collects: every problem found so far,
// and where each key and section was set, so that problems found later (by
// `validate`) can point at the spot that caused them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/loader.hpp"

namespace libwatch::config {

/// A 1-based line and column in the file; 0 when there is none.
struct position {
  uint32_t line = 0;
  uint32_t column = 0;
};

position position_of(const toml::source_region& src);

position position_of(const toml::node& node);

/// The state of one load: the file's problems and the positions of what it
/// set, keyed by path (`listener.reconnect_max`, `watcher[1].label`).
struct read_context {
  std::string file;
  std::vector<config_error> errors;
  std::map<std::string, position> set_at;
  std::map<std::string, position> section_at;

  void fail(position at, std::string path, std::string message);

  /// Whether one of the first `count` errors concerns `path` or a part of it
  /// (`path[i]`, `path.key`). Lets later checks stay quiet about a key whose
  /// reading already failed.
  bool failed(const std::string& path, size_t count) const;

  bool failed(const std::string& path) const;
};

} // namespace libwatch::config
