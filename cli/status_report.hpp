// What `status` found, and its two renderings: a table for people and one
// JSON document for programs (fields documented in docs/cli.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/json_output.hpp"
#include "cli/resolution.hpp"
#include "libwatch/pg/inventory.hpp"

namespace libwatch::cli {

/// One configured watcher and the state of its objects.
struct watcher_report {
  resolution watcher;
  pg::object_state objects;
};

struct status_report {
  std::vector<watcher_report> watchers;
  /// libwatch objects that no configured watcher owns.
  std::vector<pg::owned_object> orphans;

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

/// `ok`; `unresolved` (table or column missing); `differs` (an object is
/// foreign, differs or is disabled); `missing` (an object is absent).
std::string watcher_state(const watcher_report& x);

/// Prints the human-readable table, the reasons under each watcher that is
/// not ok, and the orphans.
void print_text(std::ostream& out, const status_report& x);

/// The `status --json` document.
json to_json(const status_report& x);

} // namespace libwatch::cli
