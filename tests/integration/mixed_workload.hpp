// The mixed workload that compares ways of watching `posts (id bigint
// PRIMARY KEY DEFERRABLE, title text, likes int)`: bulk inserts with titles
// of many sizes (one row over 8000 bytes, one with quotes, a backslash and a
// newline), updates that do and do not touch `likes`, keys changed and
// swapped, rolled-back work, deletes. Watchers of `updated` filter on
// trigger_columns = ["likes"].
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace libwatch::testing {

struct workload_phase {
  /// Index into inserted / updated / deleted.
  size_t event_index;
  std::vector<std::string> statements;
  /// Changes an `updated` watcher on likes (or any inserted / deleted
  /// watcher) reports for the phase.
  size_t expected;
};

/// The three phases, to be run in order; compare each before the next (a
/// row read back because it was too large must still exist).
std::vector<workload_phase> mixed_workload();

} // namespace libwatch::testing
