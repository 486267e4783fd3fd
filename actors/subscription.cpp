#include "actors/subscription.hpp"

#include "libwatch/error.hpp"

namespace libwatch {

// -- watcher_ref --------------------------------------------------------------

namespace {

// Accepts `label`, `table:event` and `schema.table:event` (parts may be
// double-quoted as `qualified_name` writes them); adds the default schema.
std::string canonical_name(std::string text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return text;
  bool quoted = false;
  for (size_t i = 0; i < colon; ++i) {
    if (text[i] == '"')
      quoted = !quoted;
    else if (text[i] == '.' && !quoted)
      return text;
  }
  return "public." + text;
}

} // namespace

watcher_ref::watcher_ref(std::string name)
    : name_(canonical_name(std::move(name))) {
  // nop
}

watcher_ref::watcher_ref(const char* name) : watcher_ref(std::string{name}) {
  // nop
}

watcher_ref::watcher_ref(std::string table, event_kind event,
                         std::string schema)
    : name_(qualified_name(schema, table, event)) {
  // nop
}

std::string_view to_string_view(ack_mode x) noexcept {
  switch (x) {
    case ack_mode::on_return:
      break;
    case ack_mode::manual:
      return "manual";
    case ack_mode::none:
      return "none";
  }
  return "on_return";
}

caf::expected<size_t> find_watcher(const std::vector<watcher_spec>& specs,
                                   const std::string& name) {
  std::string known;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto candidate = watcher_name(specs[i]);
    if (candidate == name)
      return i;
    known += (known.empty() ? "" : ", ") + candidate;
  }
  return make_error(errc::unknown_watcher, "No watcher found for " + name
                                             + " (watchers: " + known + ")");
}

caf::expected<size_t> check_request(const std::vector<watcher_spec>& specs,
                                    const topic_request& req) {
  auto index = find_watcher(specs, req.watcher);
  if (!index)
    return index.error();
  auto& spec = specs[*index];
  if (req.ack == ack_mode::manual
      && (spec.delivery != delivery_mode::at_least_once
          || req.kind == topic_kind::key || req.kind == topic_kind::column))
    return make_error(errc::invalid_subscription,
                      "manual acknowledgement needs all() or all_batched() "
                      "of a durable watcher (delivery = at_least_once); "
                      "watcher "
                        + req.watcher
                        + (spec.delivery != delivery_mode::at_least_once
                             ? " is not durable"
                             : " has no acknowledging key or column groups"));
  if (req.kind == topic_kind::key) {
    if (spec.event == event_kind::inserted)
      return make_error(errc::invalid_subscription,
                        "Cannot subscribe to primary_key for inserted records "
                        "because primary key values aren't created until the "
                        "insert happens (watcher "
                          + req.watcher + ")");
    if (req.x.is_null())
      return make_error(errc::invalid_subscription,
                        "a primary key is never null (watcher " + req.watcher
                          + ")");
  }
  if (req.kind == topic_kind::column) {
    for (auto& c : spec.association_columns)
      if (c == req.column)
        return *index;
    std::string columns;
    for (auto& c : spec.association_columns)
      columns += (columns.empty() ? "" : ", ") + c;
    return make_error(errc::invalid_subscription,
                      "Column " + req.column
                        + " is not an association column of watcher "
                        + req.watcher + " (association columns: "
                        + (columns.empty() ? "none" : columns) + ")");
  }
  return *index;
}

} // namespace libwatch
