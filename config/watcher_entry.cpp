#include "config/watcher_entry.hpp"

#include <algorithm>

#include "config/phrases.hpp"
#include "config/section_reader.hpp"

namespace libwatch::config {

namespace {

std::optional<event_kind> read_event_name(table_reader& in,
                                          const toml::node& node,
                                          const std::string& path) {
  auto* name = node.as_string();
  if (name == nullptr) {
    in.wrong_type(node, path, "a string");
    return std::nullopt;
  }
  auto kind = parse_event_kind(name->get());
  if (!kind)
    in.fail(node, path,
            "is " + in_quotes(name->get()) + "; must be "
              + alternatives(all_event_kinds));
  return kind;
}

} // namespace

std::string watcher_entry::path() const {
  return "watcher[" + std::to_string(index) + "]";
}

watcher_entry read_entry(read_context& ctx, const section_def& def,
                         const toml::table& table, size_t index) {
  watcher_entry e;
  e.index = index;
  e.header = position_of(table);
  table_reader in{ctx, table, e.path()};
  read_keys(in, def, e);
  e.broken = e.events.empty();
  for (auto key : {"table", "schema", "label"})
    e.broken = e.broken || ctx.failed(in.path(key));
  check_keys(in, def);
  return e;
}

void read_table(table_reader& in, const key_def& key, watcher_entry& out) {
  if (in.find(key.name) == nullptr)
    in.fail_here(in.path(key.name), "is missing; name the table to watch");
  else if (auto x = in.string(key.name))
    out.spec.table = *x;
}

void read_event(table_reader& in, const key_def& key, watcher_entry& out) {
  auto* one = in.find(key.name);
  auto* many = in.find("events");
  if (one != nullptr && many != nullptr) {
    in.fail(*many, in.path("events"), "use either event or events, not both");
  } else if (one != nullptr) {
    if (one->is_array())
      in.fail(*one, in.path(key.name),
              "must be a string, not an array; use events for several");
    else if (auto kind = read_event_name(in, *one, in.path(key.name)))
      out.events.push_back({*kind, in.path(key.name), position_of(*one)});
  } else if (many == nullptr) {
    in.fail_here(in.path(key.name), "is missing; set event to "
                                      + alternatives(all_event_kinds)
                                      + ", or events to a list of them");
  }
}

void read_events(table_reader& in, const key_def& key, watcher_entry& out) {
  auto* node = in.find(key.name);
  if (node == nullptr || in.find("event") != nullptr)
    return; // Nothing to read, or read_event reported both.
  auto* array = node->as_array();
  if (array == nullptr) {
    in.wrong_type(*node, in.path(key.name), "an array of event names");
    return;
  }
  if (array->empty())
    in.fail(*node, in.path(key.name),
            "must not be empty; list one or more of "
              + alternatives(all_event_kinds));
  for (size_t i = 0; i < array->size(); ++i) {
    auto& element = *array->get(i);
    auto path = in.path(key.name) + "[" + std::to_string(i) + "]";
    auto kind = read_event_name(in, element, path);
    if (!kind)
      continue;
    auto same = [&](const event_site& s) { return s.event == *kind; };
    if (std::any_of(out.events.begin(), out.events.end(), same))
      in.fail(element, path,
              in_quotes(to_string_view(*kind)) + " is listed twice");
    else
      out.events.push_back({*kind, path, position_of(element)});
  }
}

void read_name(table_reader& in, const key_def& key, std::string& out) {
  auto value = in.string(key.name);
  if (!value)
    return;
  if (value->empty())
    in.fail(*in.find(key.name), in.path(key.name),
            "must not be empty; " + std::string{key.if_invalid});
  else
    out = *value;
}

void read_columns(table_reader& in, const key_def& key, watcher_entry& entry,
                  std::vector<std::string>& out) {
  if (auto list = in.strings(key.name)) {
    out = list->values;
    entry.lists[std::string{key.name}] = std::move(*list);
  }
}

} // namespace libwatch::config
