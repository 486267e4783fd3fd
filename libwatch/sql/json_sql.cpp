#include "libwatch/sql/json_sql.hpp"

#include "libwatch/identifiers.hpp"

namespace libwatch::sql {

namespace {

// Types without an equality operator: IS DISTINCT FROM fails on them.
bool lacks_equality(const column_info& c) {
  auto& name = c.category == 'A' ? c.element_type_name : c.type_name;
  for (auto* t : {"json", "xml", "point", "line", "lseg", "box", "path",
                  "polygon", "circle"})
    if (name == t)
      return true;
  return false;
}

} // namespace

std::string column_value(const std::string& rec, const column_info& column) {
  auto out = rec + '.' + quote_identifier(column.name);
  if (column.type_name == "numeric")
    out += "::text";
  return out;
}

std::string value_pairs(const std::string& rec,
                        const std::vector<column_info>& columns) {
  std::string out;
  for (auto& c : columns) {
    if (!out.empty())
      out += ", ";
    out += quote_literal(c.name) + ", " + column_value(rec, c);
  }
  return out;
}

std::string aliased_value_pairs(const std::string& rec,
                                const std::vector<column_info>& columns) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!out.empty())
      out += ", ";
    out += quote_literal(columns[i].name) + ", " + rec + ".c"
           + std::to_string(i + 1);
  }
  return out;
}

std::string changed_condition(const std::string& old_value,
                              const std::string& new_value,
                              const column_info& column) {
  auto cast = lacks_equality(column) ? "::text" : "";
  return old_value + cast + " IS DISTINCT FROM " + new_value + cast;
}

std::string type_literal(const resolved_watcher& w) {
  return quote_literal(to_string_view(w.spec.event));
}

} // namespace libwatch::sql
