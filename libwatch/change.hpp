// The message subscribers receive for every committed row change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "libwatch/event.hpp"
#include "libwatch/value.hpp"

namespace libwatch {

/// One column of a change: its name and value.
struct field {
  std::string column;
  libwatch::value value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, field& x) {
  return f(caf::meta::type_name("libwatch::field"), x.column, x.value);
}

/// Where a change's values come from.
enum class value_source : uint8_t {
  /// The notification itself: the row as the change left it.
  notification,
  /// The notification would have exceeded PostgreSQL's 8000-byte limit, so
  /// the trigger sent the key alone and libwatch read the other columns from
  /// the table afterwards: they may reflect later changes of the row.
  fetched,
  /// As `fetched`, but the row was gone (deleted meanwhile, or this is a
  /// delete): `values` holds the primary key only.
  key_only,
};

std::string to_string(value_source x);

/// Where a durable watcher's change sits in its consumer's stream. Strictly
/// increasing in delivery order; a change delivered again after a crash
/// carries the same position, so a subscriber that remembers the last
/// position it processed drops repeats with `if (!(last < pos)) skip`.
/// Watchers with `source = "wal"` set it too: the transaction's commit LSN
/// and the row's place in the transaction. All zero for other watchers that
/// are not durable.
struct stream_position {
  /// The consumer's read batch (a snapshot interval of the change log), or
  /// from the WAL the commit LSN.
  int64_t batch = 0;
  /// The change's entry in the change log, or from the WAL its row in the
  /// transaction (from 1).
  int64_t entry = 0;

  friend bool operator<(const stream_position& x,
                        const stream_position& y) noexcept {
    return x.batch < y.batch || (x.batch == y.batch && x.entry < y.entry);
  }

  friend bool operator==(const stream_position& x,
                         const stream_position& y) noexcept {
    return x.batch == y.batch && x.entry == y.entry;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_position& x) {
  return f(caf::meta::type_name("libwatch::stream_position"), x.batch, x.entry);
}

/// A committed change of one row, as seen by one watcher. For `inserted` and
/// `updated` the values come from the new row, for `deleted` from the old
/// row. `values` holds the primary key first, then the extra columns, then
/// the association columns not already listed, in configuration order.
struct change {
  /// The watcher's name: its label, or `schema.table:event`.
  std::string watcher;
  event_kind event = event_kind::inserted;
  std::string schema;
  std::string table;
  std::vector<field> values;
  /// The notification payload exactly as received, for debugging.
  std::string raw;
  /// Whether `values` are complete and current (see `value_source`).
  value_source source = value_source::notification;
  /// Durable watchers: the change's position in the consumer's stream.
  stream_position position;

  /// The primary-key value. Precondition: `values` is not empty (always true
  /// for changes libwatch publishes).
  const libwatch::value& key() const {
    return values.front().value;
  }

  /// Returns the value of `column`, or nullptr if the change does not carry
  /// that column.
  const libwatch::value* find(std::string_view column) const noexcept;

  /// Returns the value of `column`; throws `std::out_of_range` naming the
  /// column if the change does not carry it.
  const libwatch::value& at(std::string_view column) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change& x) {
  return f(caf::meta::type_name("libwatch::change"), x.watcher, x.event,
           x.schema, x.table, x.values, x.raw, x.source, x.position);
}

/// Several changes of one watcher in commit order: what a batch subscriber
/// (`instance::all_batched`) receives instead of one `change` per row — one
/// message per burst the listener drained, for consumers that process in
/// bulk. Same content and order as the individual changes.
struct change_batch {
  std::string watcher;
  std::vector<change> changes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change_batch& x) {
  return f(caf::meta::type_name("libwatch::change_batch"), x.watcher,
           x.changes);
}

} // namespace libwatch
