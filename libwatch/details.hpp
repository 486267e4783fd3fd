// What libwatch resolved and created for one watcher, for users who need the
// names (e.g. to run ALTER TABLE ... ENABLE ALWAYS TRIGGER themselves, or to
// grant privileges) and for the CLI's status.
#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "libwatch/column_info.hpp"
#include "libwatch/event.hpp"

namespace libwatch {

struct watcher_details {
  /// The watcher's name: label, or `schema.table:event`.
  std::string watcher;
  /// Empty for unlabelled watchers.
  std::string label;
  std::string schema;
  std::string table;
  event_kind event = event_kind::inserted;
  /// The primary-key column (configured or read from the catalog).
  std::string primary_key;
  /// Columns every change carries, in order, with their SQL types.
  std::vector<column_info> columns;
  std::vector<std::string> association_columns;
  std::vector<std::string> trigger_columns;
  /// Unquoted names; the function lives in `schema`, the trigger on the table.
  std::string function;
  std::string trigger;
  std::string channel;
  bool enable_always = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watcher_details& x) {
  return f(caf::meta::type_name("libwatch::watcher_details"), x.watcher,
           x.label, x.schema, x.table, x.event, x.primary_key, x.columns,
           x.association_columns, x.trigger_columns, x.function, x.trigger,
           x.channel, x.enable_always);
}

} // namespace libwatch
