#include "cli/display.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::cli {

namespace {

bool is_plain(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

} // namespace

std::string display_name(const std::string& name) {
  return is_plain(name) ? name : quote_identifier(name);
}

std::string display_name(const std::string& schema, const std::string& name) {
  return display_name(schema) + "." + display_name(name);
}

std::string function_of(const resolved_watcher& w) {
  return "function " + display_name(w.spec.schema, w.names.function);
}

std::string trigger_of(const resolved_watcher& w) {
  return "trigger " + display_name(w.names.trigger) + " on "
         + display_name(w.spec.schema, w.spec.table);
}

std::string not_libwatchs(pg::object_kind kind) {
  std::string marker = sql::ownership_marker;
  if (kind == pg::object_kind::function)
    return "its comment lacks the " + marker + " marker";
  return "neither it nor the function it calls carries the " + marker
         + " marker";
}

} // namespace libwatch::cli
