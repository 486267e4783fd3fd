// Reads a parsed configuration file section by section: the settings into
// a `watch_config`, the [[watcher]] tables into entries that become
// watchers once their problems are known (config/problem_locations.hpp).
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "config/read_context.hpp"
#include "config/watcher_entry.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::config {

/// Reads every top-level key of `doc`, reporting unknown sections and keys
/// to `ctx`.
void read_document(read_context& ctx, const toml::table& doc, watch_config& cfg,
                   std::vector<watcher_entry>& entries);

} // namespace libwatch::config
