// Turns a row image of the logical replication stream into exactly the
// payload the watcher's row-level trigger would have sent
// (`sql::payload_expression`), so that everything after the WAL source is
// the same as after a trigger. Values arrive in text form, as pgoutput sends
// them by default; each is rendered as PostgreSQL 15's `to_json` renders
// the datum (json.c `datum_to_json`), which is what `json_build_object` does.
//
// Exactness assumes the replication session runs with `DateStyle = ISO`,
// `TimeZone = UTC`, `IntervalStyle = postgres`, `extra_float_digits = 1` and
// `bytea_output = hex`, and that writers run with the same settings: the
// trigger renders in the writer's session (a writer in another time zone gets
// other timestamptz offsets from its trigger, the same instant).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/table_info.hpp"
#include "libwatch/wal/pgoutput.hpp"
#include "libwatch/wal/value_json.hpp"

namespace libwatch::wal {

/// Whether values of `column`'s type are rendered exactly as the trigger
/// renders them: bool, int2/4/8, float4/8, numeric, json, jsonb, date,
/// timestamp, timestamptz, the types the trigger sends as their text (text,
/// varchar, bpchar, name, "char", uuid, time, timetz, interval, bytea, inet,
/// cidr, macaddr, macaddr8, money, oid, xml, bit, varbit, enums), and arrays
/// of all of these but enums. Judged by type name; `bind` also checks the
/// type OID. Domains, composites and other types are not: a row needing one
/// is sent in the trigger's key-only form and the watcher reads the row.
bool renders_exactly(const column_info& column);

/// Builds one watcher's payloads from the rows of its table.
class row_payload_builder {
public:
  explicit row_payload_builder(resolved_watcher watcher);

  /// Finds the watcher's columns in `rel`, the latest Relation message of
  /// the table; call it again for each new one (DDL may move columns). Fails
  /// (`errc::catalog_mismatch`, naming the column) when a payload or trigger
  /// column is missing, or the primary key is of a type not rendered
  /// exactly. A column whose type OID is not the one its name promises (its
  /// type changed since the watcher was resolved) is not exact from then on.
  caf::error bind(const relation_message& rel);

  /// Writes to `out` the payload for `row` (the new tuple of an Insert or
  /// Update): byte for byte what `sql::payload_expression` yields. When a
  /// non-key column cannot be rendered exactly (an unchanged TOASTed value
  /// the server did not send, a binary value, a type not rendered exactly),
  /// writes the trigger's key-only form (`"reduced" : true`) instead, and
  /// the watcher reads the row. NULL is JSON null, whatever the type. Fails
  /// (`errc::malformed_payload`) when not bound, when `row` does not have the
  /// relation's width, or when the primary key is NULL, not sent, binary or
  /// of a text it cannot render.
  caf::error build(const tuple_data& row, std::string& out) const;

  /// The same for the old row of a Delete. Only a whole old row (REPLICA
  /// IDENTITY FULL) carries the other columns: from a key-only one ('K')
  /// this writes the key-only form unless the payload is the key alone.
  caf::error build(const old_tuple& old, std::string& out) const;

  /// Whether the trigger of an `updated` watcher fires for this Update:
  /// always without trigger columns, else when one of them changed. Values
  /// are compared as text (so a numeric 1.5 -> 1.50 fires, where the
  /// trigger's IS DISTINCT FROM would not); an unchanged TOASTed value in
  /// `new_row` equals the old one. Needs the whole old row, which the server
  /// sends only for tables with REPLICA IDENTITY FULL: fails
  /// (`errc::catalog_mismatch`, saying so) when `old` is absent or has key
  /// columns only.
  caf::expected<bool> fires(const std::optional<old_tuple>& old,
                            const tuple_data& new_row) const;

  const resolved_watcher& watcher() const noexcept {
    return watcher_;
  }

private:
  struct bound_column {
    size_t position = 0;
    column_rendering how;
    /// `"name" : `, as json_build_object writes the key.
    std::string key;
  };

  // Appends `column`'s key and value; false when the value cannot be
  // rendered exactly (what was appended is then garbage).
  bool render(const bound_column& column, const tuple_data& row,
              std::string& out) const;

  // The trigger's key-only form; the key was checked to render.
  void key_only(const tuple_data& row, std::string& out) const;

  caf::error check_width(const tuple_data& row) const;

  // check_width, and that the primary key was sent in text form and
  // renders.
  caf::error check_key(const tuple_data& row) const;

  resolved_watcher watcher_;
  /// `{"type" : "updated", "values" : {`.
  std::string prefix_;
  bool bound_ = false;
  size_t width_ = 0;
  bound_column key_;
  std::vector<bound_column> payload_;
  std::vector<size_t> trigger_positions_;
};

} // namespace libwatch::wal
