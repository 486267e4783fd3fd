// Turns the entries read from a file into watchers and reports what
// `validate` finds wrong with the result at the key that caused each
// problem: a setting at its key (else its section, else nowhere, when a
// default is at fault), a watcher's problem at its key or list element.
#pragma once

#include <vector>

#include "config/read_context.hpp"
#include "config/watcher_entry.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::config {

/// Adds one watcher per event of every sound entry to `cfg`, then reports
/// the problems `validate` finds, unless reading already reported the key.
/// Broken entries are checked each on its own, so that their unknown parts
/// cannot clash with other watchers.
void check_semantics(read_context& ctx,
                     const std::vector<watcher_entry>& entries,
                     watch_config& cfg);

} // namespace libwatch::config
