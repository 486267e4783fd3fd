// What a user asks libwatch to watch: one table, one event. Code builds these
// directly; the TOML loader produces exactly the same structure.
#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "libwatch/delivery.hpp"
#include "libwatch/event.hpp"
#include "libwatch/trigger_level.hpp"
#include "libwatch/watch_source.hpp"

namespace libwatch {

/// Describes one watcher: a table, one event, and what the change messages
/// carry. Plain data; `validate` (in watch_config.hpp) checks it.
struct watcher_spec {
  /// Schema of the table. Default: `public`.
  std::string schema = "public";
  /// The watched table (or partitioned table). Required.
  std::string table;
  /// The event this watcher reports.
  event_kind event = event_kind::inserted;
  /// Optional name (`[a-z_][a-z0-9_]*`). Names the watcher, its groups and
  /// its database objects, and allows several watchers per table and event.
  /// Required with `trigger_columns`.
  std::string label;
  /// Primary-key column; empty means "read it from the catalog".
  std::string primary_key;
  /// Columns carried in every change after the primary key.
  std::vector<std::string> extra_columns;
  /// `updated` only: fire only when one of these columns changes value.
  std::vector<std::string> trigger_columns;
  /// Columns whose values get their own groups (e.g. `post_id`); they are
  /// carried in every change like extra columns.
  std::vector<std::string> association_columns;
  /// Log every payload received and every group published to.
  bool debug = false;
  /// Make the trigger fire also in sessions with
  /// `session_replication_role = replica` (logical-replication subscribers,
  /// bulk jobs that silence triggers): `ALTER TABLE ... ENABLE ALWAYS
  /// TRIGGER`. Needs ownership of the table.
  bool enable_always = false;
  /// Run the trigger once per row (default) or once per statement. Same
  /// messages either way; `statement` makes bulk writes much cheaper and
  /// single-row writes a little dearer (see docs/performance.md).
  trigger_level level = trigger_level::row;
  /// `at_least_once` makes the watcher durable: changes go through
  /// libwatch's change log and survive outages (needs
  /// `watch_config::durable.consumer`; PostgreSQL 13 or later).
  delivery_mode delivery = delivery_mode::at_most_once;
  /// Durable watchers only: how the consumer learns of new changes.
  wakeup_mode wakeup = wakeup_mode::notify;
  /// Where changes come from: a trigger (default) or the WAL through
  /// logical replication (needs `watch_config::wal.slot`, `wal_level =
  /// logical` and the REPLICATION attribute; README, "Choosing a source").
  watch_source source = watch_source::trigger;

  /// Starts a spec for `table` in schema `public`.
  static watcher_spec on(std::string table, event_kind event);

  watcher_spec& in_schema(std::string name);
  watcher_spec& labelled(std::string name);
  watcher_spec& with_primary_key(std::string column);
  watcher_spec& with_extra_columns(std::vector<std::string> columns);
  watcher_spec& with_trigger_columns(std::vector<std::string> columns);
  watcher_spec& with_association_columns(std::vector<std::string> columns);
  watcher_spec& with_debug(bool enabled = true);
  watcher_spec& with_enable_always(bool enabled = true);
  watcher_spec& with_trigger_level(trigger_level x);
  /// Durable delivery (`delivery_mode::at_least_once`) woken by `wakeup`.
  watcher_spec& durable(wakeup_mode wakeup = wakeup_mode::notify);
  /// Changes from the WAL instead of a trigger (`watch_source::wal`).
  watcher_spec& from_wal();
};

/// The name users give to refer to a watcher: its label, or
/// `schema.table:event` for an unlabelled one (see `qualified_name`).
std::string watcher_name(const watcher_spec& spec);

/// `schema.table:event`, with a part that contains `.`, `:` or `"` written
/// in double quotes (`"` doubled) so that every name is unambiguous, e.g.
/// `"a.b".c:inserted`.
std::string qualified_name(const std::string& schema, const std::string& table,
                           event_kind event);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watcher_spec& x) {
  return f(caf::meta::type_name("libwatch::watcher_spec"), x.schema, x.table,
           x.event, x.label, x.primary_key, x.extra_columns, x.trigger_columns,
           x.association_columns, x.debug, x.enable_always, x.level, x.delivery,
           x.wakeup, x.source);
}

} // namespace libwatch
