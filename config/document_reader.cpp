#include "config/document_reader.hpp"

#include "config/phrases.hpp"
#include "config/schema.hpp"
#include "config/section_reader.hpp"
#include "config/spelling.hpp"

namespace libwatch::config {

namespace {

void read_section(read_context& ctx, const section_def& def,
                  const toml::node& node, watch_config& cfg) {
  auto* table = node.as_table();
  if (table == nullptr) {
    ctx.fail(position_of(node), std::string{def.name},
             "must be a table (" + def.header() + "), not "
               + std::string{type_phrase(node.type())});
    return;
  }
  ctx.section_at[std::string{def.name}] = position_of(*table);
  table_reader in{ctx, *table, std::string{def.name}};
  read_keys(in, def, cfg);
  check_keys(in, def);
}

void read_entries(read_context& ctx, const section_def& def,
                  const toml::node& node, std::vector<watcher_entry>& out) {
  auto name = std::string{def.name};
  auto* array = node.as_array();
  if (array == nullptr) {
    ctx.fail(position_of(node), name,
             node.is_table()
               ? "must be an array of tables; write " + def.header()
                   + " (double brackets) for each " + name
               : "must be an array of tables (" + def.header() + "), not "
                   + std::string{type_phrase(node.type())});
    return;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    auto& element = *array->get(i);
    if (auto* table = element.as_table())
      out.push_back(read_entry(ctx, def, *table, i));
    else
      ctx.fail(position_of(element), name + "[" + std::to_string(i) + "]",
               "must be a table, not "
                 + std::string{type_phrase(element.type())});
  }
}

void unknown_top_level(read_context& ctx, const toml::key& key,
                       const toml::node& node) {
  std::vector<std::string_view> names;
  for (auto& def : sections())
    names.push_back(def.name);
  auto name = key.str();
  bool section_like = node.is_table() || node.is_array_of_tables();
  std::string kind = section_like ? "unknown section" : "unknown key";
  auto* home = section_like ? nullptr : home_of(name, "");
  std::string message;
  if (home != nullptr)
    message = "unknown key at the top level; it belongs in " + home->header();
  else if (auto guess = closest(name, names))
    message = kind + "; did you mean " + section(*guess).header() + "?";
  else
    message = kind + "; valid sections are " + section_headers();
  ctx.fail(position_of(key.source()), std::string{name}, message);
}

} // namespace

void read_document(read_context& ctx, const toml::table& doc, watch_config& cfg,
                   std::vector<watcher_entry>& entries) {
  for (auto&& [key, node] : doc) {
    auto* def = find_section(key.str());
    if (def == nullptr)
      unknown_top_level(ctx, key, node);
    else if (def->repeated)
      read_entries(ctx, *def, node, entries);
    else
      read_section(ctx, *def, node, cfg);
  }
}

} // namespace libwatch::config
