// Turns `tail --watch` targets into CAF groups through libwatch's public
// subscribe API (instance::all / by_key / by_column), exactly as any actor
// would, so the tool shows what an application would receive.
#pragma once

#include <optional>
#include <vector>

#include <caf/expected.hpp>
#include <caf/group.hpp>

#include "actors/instance.hpp"
#include "cli/watch_target.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch::cli {

/// Finds groups for targets; reads primary keys from the catalog only when
/// a target needs one that the configuration does not name.
class subscriptions {
public:
  explicit subscriptions(const instance& inst);

  /// The group of `t`: `all(target)` without a column; `by_column` when the
  /// column is one of the watcher's association columns; `by_key` when it
  /// is its primary key; otherwise the library's error for the column.
  /// Errors are libwatch's (`unknown_watcher`, `invalid_subscription`,
  /// `connection_failed` when the catalog could not be read, ...).
  caf::expected<caf::group> group_for(const watch_target& t);

  /// The general group of every configured watcher.
  caf::expected<std::vector<caf::group>> all_watchers();

private:
  caf::expected<std::optional<std::string>>
  primary_key_of(const watcher_spec& spec);

  instance inst_;
  std::optional<pg::connection> conn_;
};

} // namespace libwatch::cli
