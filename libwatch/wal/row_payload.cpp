#include "libwatch/wal/row_payload.hpp"

#include "libwatch/error.hpp"
#include "libwatch/event.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/wal/value_json.hpp"

namespace libwatch::wal {

bool renders_exactly(const column_info& column) {
  return rendering_of(column).exact();
}

row_payload_builder::row_payload_builder(resolved_watcher watcher)
    : watcher_(std::move(watcher)) {
  prefix_ = "{\"type\" : ";
  escape_json(to_string_view(watcher_.spec.event), prefix_);
  prefix_ += ", \"values\" : {";
}

caf::error row_payload_builder::bind(const relation_message& rel) {
  bound_ = false;
  auto table = display_name(watcher_.spec.schema, watcher_.spec.table);
  auto position = [&](const column_info& c) -> std::optional<size_t> {
    for (size_t i = 0; i < rel.columns.size(); ++i)
      if (rel.columns[i].name == c.name)
        return i;
    return std::nullopt;
  };
  auto bind_column
    = [&](const column_info& c, bound_column& out) -> caf::error {
    auto pos = position(c);
    if (!pos)
      return make_error(errc::catalog_mismatch,
                        "watcher " + watcher_name(watcher_.spec)
                          + " needs column " + display_name(c.name) + " of "
                          + table
                          + ", which the table's Relation message lacks "
                            "(dropped or renamed since the watcher was "
                            "installed, or left out of the publication's "
                            "column list?): reinstall the watcher");
    out.position = *pos;
    out.how = rendering_of(c);
    // Its type changed since the watcher was resolved, or a type of the
    // same name from another schema.
    if (!out.how.accepts(rel.columns[*pos].type_oid))
      out.how = {};
    out.key.clear();
    escape_json(c.name, out.key);
    out.key += " : ";
    return caf::none;
  };
  if (auto err = bind_column(watcher_.primary_key, key_))
    return err;
  if (!key_.how.exact())
    return make_error(errc::catalog_mismatch,
                      "watcher " + watcher_name(watcher_.spec)
                        + ": the primary key "
                        + display_name(watcher_.primary_key.name) + " of "
                        + table + " is of type " + watcher_.primary_key.type
                        + ", which the WAL source cannot render as the "
                          "trigger does; watch the table with its trigger");
  payload_.resize(watcher_.payload_columns.size());
  for (size_t i = 0; i < payload_.size(); ++i)
    if (auto err = bind_column(watcher_.payload_columns[i], payload_[i]))
      return err;
  trigger_positions_.clear();
  for (auto& c : watcher_.trigger_columns) {
    bound_column tmp;
    if (auto err = bind_column(c, tmp))
      return err;
    trigger_positions_.push_back(tmp.position);
  }
  width_ = rel.columns.size();
  bound_ = true;
  return caf::none;
}

caf::error row_payload_builder::check_width(const tuple_data& row) const {
  if (!bound_)
    return make_error(errc::malformed_payload,
                      "watcher " + watcher_name(watcher_.spec)
                        + ": a row arrived before its table's Relation "
                          "message");
  if (row.size() != width_)
    return make_error(errc::malformed_payload,
                      "watcher " + watcher_name(watcher_.spec) + ": a row of "
                        + std::to_string(row.size())
                        + " columns for a relation of "
                        + std::to_string(width_));
  return caf::none;
}

bool row_payload_builder::render(const bound_column& column,
                                 const tuple_data& row,
                                 std::string& out) const {
  auto& value = row[column.position];
  out += column.key;
  switch (value.kind) {
    case column_kind::null:
      out += "null";
      return true;
    case column_kind::text:
      return render_json(column.how, value.data, out);
    default:
      return false;
  }
}

void row_payload_builder::key_only(const tuple_data& row,
                                   std::string& out) const {
  out = prefix_;
  render(key_, row, out);
  out += "}, \"reduced\" : true}";
}

caf::error row_payload_builder::check_key(const tuple_data& row) const {
  if (auto err = check_width(row))
    return err;
  std::string key;
  if (row[key_.position].kind != column_kind::text || !render(key_, row, key))
    return make_error(errc::malformed_payload,
                      "watcher " + watcher_name(watcher_.spec)
                        + ": a row whose primary key "
                        + display_name(watcher_.primary_key.name)
                        + " is NULL, not sent, binary or not rendered "
                          "exactly");
  return caf::none;
}

caf::error row_payload_builder::build(const tuple_data& row,
                                      std::string& out) const {
  if (auto err = check_key(row))
    return err;
  out = prefix_;
  for (size_t i = 0; i < payload_.size(); ++i) {
    if (i > 0)
      out += ", ";
    if (!render(payload_[i], row, out)) {
      key_only(row, out);
      return caf::none;
    }
  }
  out += "}}";
  return caf::none;
}

caf::error row_payload_builder::build(const old_tuple& old,
                                      std::string& out) const {
  // A key-only image sends every other column as NULL, indistinguishable
  // from a real NULL.
  if (old.kind == old_tuple_kind::full || payload_.size() == 1)
    return build(old.values, out);
  if (auto err = check_key(old.values))
    return err;
  key_only(old.values, out);
  return caf::none;
}

caf::expected<bool>
row_payload_builder::fires(const std::optional<old_tuple>& old,
                           const tuple_data& new_row) const {
  if (trigger_positions_.empty())
    return true;
  if (!old || old->kind != old_tuple_kind::full)
    return make_error(
      errc::catalog_mismatch,
      "watcher " + watcher_name(watcher_.spec)
        + " fires only when its trigger columns change, which the WAL "
          "source can tell only from the whole old row: run ALTER TABLE "
        + display_name(watcher_.spec.schema, watcher_.spec.table)
        + " REPLICA IDENTITY FULL");
  if (auto err = check_width(new_row))
    return err;
  if (auto err = check_width(old->values))
    return err;
  for (auto pos : trigger_positions_) {
    auto& before = old->values[pos];
    auto& after = new_row[pos];
    if (after.kind == column_kind::unchanged_toast)
      continue;
    // An old value the server did not send cannot be compared: firing
    // once too often is better than missing a change.
    if (before.kind != after.kind || before.data != after.data)
      return true;
  }
  return false;
}

} // namespace libwatch::wal
