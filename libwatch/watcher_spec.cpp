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

watcher_spec& watcher_spec::with_enable_always(bool enabled) {
  enable_always = enabled;
  return *this;
}

watcher_spec& watcher_spec::with_trigger_level(trigger_level x) {
  level = x;
  return *this;
}

watcher_spec& watcher_spec::durable(wakeup_mode how) {
  delivery = delivery_mode::at_least_once;
  wakeup = how;
  return *this;
}

watcher_spec& watcher_spec::from_wal() {
  source = watch_source::wal;
  return *this;
}

namespace {

// Quotes a name part that would make `schema.table:event` ambiguous.
std::string name_part(const std::string& part) {
  if (part.find_first_of(".:\"") == std::string::npos)
    return part;
  std::string out = "\"";
  for (char c : part) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
  return out;
}

} // namespace

std::string qualified_name(const std::string& schema, const std::string& table,
                           event_kind event) {
  std::string result = name_part(schema);
  result += '.';
  result += name_part(table);
  result += ':';
  result += to_string_view(event);
  return result;
}

std::string watcher_name(const watcher_spec& spec) {
  if (!spec.label.empty())
    return spec.label;
  return qualified_name(spec.schema, spec.table, spec.event);
}

} // namespace libwatch
