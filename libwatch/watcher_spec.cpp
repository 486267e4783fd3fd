#include "libwatch/watcher_spec.hpp"

namespace libwatch {

watcher_spec watcher_spec::on(std::string table, event_kind event) {
  watcher_spec spec;
  spec.table = std::move(table);
  spec.event = event;
  return spec;
}

watcher_spec& watcher_spec::in_schema(std::string name) {
  schema = std::move(name);
  return *this;
}

watcher_spec& watcher_spec::labelled(std::string name) {
  label = std::move(name);
  return *this;
}

watcher_spec& watcher_spec::with_primary_key(std::string column) {
  primary_key = std::move(column);
  return *this;
}

watcher_spec& watcher_spec::with_extra_columns(std::vector<std::string> xs) {
  extra_columns = std::move(xs);
  return *this;
}

watcher_spec& watcher_spec::with_trigger_columns(std::vector<std::string> xs) {
  trigger_columns = std::move(xs);
  return *this;
}

watcher_spec&
watcher_spec::with_association_columns(std::vector<std::string> xs) {
  association_columns = std::move(xs);
  return *this;
}

watcher_spec& watcher_spec::with_debug(bool enabled) {
  debug = enabled;
  return *this;
}

std::string watcher_name(const watcher_spec& spec) {
  if (!spec.label.empty())
    return spec.label;
  std::string result = spec.schema;
  result += '.';
  result += spec.table;
  result += ':';
  result += to_string_view(spec.event);
  return result;
}

} // namespace libwatch
