#include "libwatch/table_info.hpp"

#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"

namespace libwatch {

const column_info* table_info::find(const std::string& column) const noexcept {
  for (auto& c : columns)
    if (c.name == column)
      return &c;
  return nullptr;
}

namespace {

std::string qualified(const table_info& t) {
  return quote_qualified(t.schema, t.table);
}

std::string column_list(const table_info& t) {
  std::string out;
  for (auto& c : t.columns) {
    if (!out.empty())
      out += ", ";
    out += c.name;
  }
  return out;
}

} // namespace

caf::expected<resolved_watcher> resolve(const watcher_spec& spec,
                                        const table_info& table) {
  auto mismatch = [&](std::string text) {
    return make_error(errc::catalog_mismatch,
                      "watcher " + watcher_name(spec) + ": " + text);
  };
  if (table.kind != 'r' && table.kind != 'p')
    return mismatch(qualified(table)
                    + " is not a table or partitioned table (relkind '"
                    + std::string(1, table.kind) + "')");
  auto lookup = [&](const std::string& option,
                    const std::string& name) -> caf::expected<column_info> {
    if (auto ptr = table.find(name))
      return *ptr;
    return mismatch(option + ": column \"" + name + "\" does not exist in "
                    + qualified(table) + " (columns: " + column_list(table)
                    + ")");
  };
  resolved_watcher result;
  result.spec = spec;
  result.names = derive_names(spec);
  std::string pk = spec.primary_key;
  if (pk.empty()) {
    if (table.primary_key.empty())
      return mismatch(qualified(table)
                      + " has no primary key; set primary_key to a column "
                        "that identifies rows");
    if (table.primary_key.size() > 1) {
      std::string cols;
      for (auto& c : table.primary_key)
        cols += (cols.empty() ? "" : ", ") + c;
      return mismatch(qualified(table) + " has a composite primary key (" + cols
                      + "), which libwatch does not support; set "
                        "primary_key to one column that identifies rows");
    }
    pk = table.primary_key.front();
  }
  auto pk_info = lookup("primary_key", pk);
  if (!pk_info)
    return pk_info.error();
  result.primary_key = *pk_info;
  result.payload_columns.push_back(*pk_info);
  auto add_payload
    = [&](const std::string& option, const std::string& name) -> caf::error {
    for (auto& c : result.payload_columns)
      if (c.name == name)
        return caf::none;
    auto info = lookup(option, name);
    if (!info)
      return info.error();
    result.payload_columns.push_back(std::move(*info));
    return caf::none;
  };
  for (auto& name : spec.extra_columns)
    if (auto err = add_payload("extra_columns", name))
      return err;
  for (auto& name : spec.association_columns) {
    if (name == pk)
      return mismatch("association_columns: \"" + name
                      + "\" is the primary key; subscribe by primary key "
                        "instead");
    if (auto err = add_payload("association_columns", name))
      return err;
  }
  for (auto& name : spec.trigger_columns) {
    auto info = lookup("trigger_columns", name);
    if (!info)
      return info.error();
    result.trigger_columns.push_back(std::move(*info));
  }
  if (result.payload_columns.size() > max_payload_columns)
    return mismatch("carries " + std::to_string(result.payload_columns.size())
                    + " columns; at most " + std::to_string(max_payload_columns)
                    + " are possible");
  return result;
}

} // namespace libwatch
