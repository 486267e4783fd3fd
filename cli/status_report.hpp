// What `status` found, and its two renderings: a table for people and one
// JSON document for programs (fields documented in docs/cli.md).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/json_output.hpp"
#include "cli/resolution.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/replication_setup.hpp"

namespace libwatch::cli {

/// One configured watcher and the state of its objects.
struct watcher_report {
  resolution watcher;
  /// Trigger watchers: the state of their function and trigger.
  pg::object_state objects;
  /// WAL watchers: the publication that carries their table (empty when
  /// none does).
  std::string publication;
  /// WAL watchers: `slot_state` of their consumer's slot.
  std::string slot;
};

struct status_report {
  std::vector<watcher_report> watchers;
  /// libwatch objects that no configured watcher owns.
  std::vector<pg::owned_object> orphans;
  /// The slot and publications of the WAL watchers' consumer; absent when no
  /// watcher reads the WAL.
  std::optional<pg::replication_status> replication;
  /// Slots and publications of other consumers.
  std::vector<pg::replication_orphan> replication_orphans;

  /// Whether every watcher is `ok` and there are no orphans.
  bool ok() const;
};

/// `ok`, `missing`, `foreign` (exists without libwatch's marker),
/// `unverified` (the watcher does not resolve, so it cannot be compared),
/// `differs`.
std::string function_state(const watcher_report& x);

/// Like `function_state`, plus `disabled` (exists and matches but does not
/// fire in ordinary sessions).
std::string trigger_state(const watcher_report& x);

/// WAL watchers: `ok` when their table is in a publication of the consumer,
/// else `missing`.
std::string publication_state(const watcher_report& x);

/// `ok`; `unresolved` (table or column missing); `differs` (an object is
/// foreign, differs or is disabled); `missing` (an object is absent). WAL
/// watchers: `lost` when the slot was lost, `missing` when the slot or the
/// table's publication is.
std::string watcher_state(const watcher_report& x);

/// Prints the human-readable table, the reasons under each watcher that is
/// not ok, the replication slot and the orphans.
void print_text(std::ostream& out, const status_report& x);

/// The `status --json` document.
json to_json(const status_report& x);

} // namespace libwatch::cli
