#include "libwatch/object_display.hpp"

#include "libwatch/identifiers.hpp"

namespace libwatch {

namespace {

bool is_plain(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::string qualified(std::string_view schema, std::string_view name,
                      name_style style) {
  return style == name_style::sql ? quote_qualified(schema, name)
                                  : display_name(schema, name);
}

} // namespace

std::string display_name(std::string_view name) {
  return is_plain(name) ? std::string{name} : quote_identifier(name);
}

std::string display_name(std::string_view schema, std::string_view name) {
  return display_name(schema) + "." + display_name(name);
}

std::string function_named(std::string_view schema, std::string_view name,
                           name_style style) {
  // SQL names a function with its (empty) argument list.
  return "function " + qualified(schema, name, style)
         + (style == name_style::sql ? "()" : "");
}

std::string trigger_named(std::string_view name, std::string_view schema,
                          std::string_view table, name_style style) {
  auto shown
    = style == name_style::sql ? quote_identifier(name) : display_name(name);
  return "trigger " + shown + " on " + qualified(schema, table, style);
}

std::string function_of(const resolved_watcher& w, name_style style) {
  return function_named(w.spec.schema, w.names.function, style);
}

std::string trigger_of(const resolved_watcher& w, name_style style) {
  return trigger_named(w.names.trigger, w.spec.schema, w.spec.table, style);
}

} // namespace libwatch
