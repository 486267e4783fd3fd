#include "libwatch/payload_decoder.hpp"

#include <simdjson.h>

#include "libwatch/error.hpp"

namespace libwatch {

struct payload_decoder::impl {
  event_kind event;
  std::vector<std::string> columns;
  simdjson::dom::parser parser;
  bool reduced = false;
};

payload_decoder::payload_decoder(event_kind event,
                                 std::vector<std::string> columns)
    : impl_(
      new impl{event, std::move(columns), simdjson::dom::parser{}, false}) {
  // nop
}

payload_decoder::~payload_decoder() = default;
payload_decoder::payload_decoder(payload_decoder&&) noexcept = default;
payload_decoder&
payload_decoder::operator=(payload_decoder&&) noexcept = default;

namespace {

caf::error malformed(std::string reason) {
  return make_error(errc::malformed_payload, std::move(reason));
}

caf::expected<value> convert(simdjson::dom::element element) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::NULL_VALUE:
      return value{};
    case element_type::BOOL:
      return value::of_bool(element.get_bool().value_unsafe());
    case element_type::INT64:
      return value::of_integer(element.get_int64().value_unsafe());
    case element_type::UINT64:
      // Only values above INT64_MAX arrive here (numeric is sent as text).
      return value::of_float(
        static_cast<double>(element.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
      return value::of_float(element.get_double().value_unsafe());
    case element_type::STRING:
      return value::of_string(std::string{element.get_string().value_unsafe()});
    case element_type::ARRAY:
    case element_type::OBJECT:
      return value::of_json(simdjson::minify(element));
  }
  return malformed("unknown JSON element type");
}

} // namespace

// The trigger's fallback: the key alone, or nothing when even the key was
// too large for a notification.
namespace {

caf::expected<std::vector<field>> decode_reduced(const std::string& key,
                                                 simdjson::dom::object values) {
  std::vector<field> result;
  for (auto [name, element] : values) {
    if (name != key || !result.empty())
      return malformed("a reduced payload carries only the primary key");
    auto converted = convert(element);
    if (!converted)
      return converted.error();
    if (converted->is_null())
      return malformed("primary key \"" + key + "\" is null");
    result.push_back(field{key, std::move(*converted)});
  }
  if (result.empty())
    return malformed("the row's primary key is too large to notify (the "
                     "payload would exceed 8000 bytes even with the key "
                     "alone); this change cannot be delivered");
  return result;
}

} // namespace

bool payload_decoder::last_was_reduced() const noexcept {
  return impl_->reduced;
}

caf::expected<std::vector<field>>
payload_decoder::decode(std::string_view payload) {
  auto& self = *impl_;
  self.reduced = false;
  simdjson::dom::element root;
  if (auto err = self.parser.parse(payload.data(), payload.size()).get(root))
    return malformed(std::string{"not JSON: "} + simdjson::error_message(err));
  simdjson::dom::object top;
  if (root.get(top))
    return malformed("not a JSON object");
  bool have_type = false;
  simdjson::dom::object values;
  bool have_values = false;
  bool have_reduced = false;
  for (auto [key, element] : top) {
    if ((key == "type" && have_type) || (key == "values" && have_values)
        || (key == "reduced" && have_reduced))
      return malformed("\"" + std::string{key} + "\" appears twice");
    if (key == "reduced") {
      bool flag = false;
      if (element.get(flag) || !flag)
        return malformed("\"reduced\" is not true");
      have_reduced = true;
      continue;
    }
    if (key == "type") {
      std::string_view type;
      if (element.get(type) || type != to_string_view(self.event))
        return malformed("\"type\" is not \""
                         + std::string{to_string_view(self.event)} + "\"");
      have_type = true;
    } else if (key == "values") {
      if (element.get(values))
        return malformed("\"values\" is not an object");
      have_values = true;
    } else {
      return malformed("unexpected key \"" + std::string{key} + "\"");
    }
  }
  if (!have_type || !have_values)
    return malformed(!have_type ? "missing \"type\"" : "missing \"values\"");
  if (have_reduced) {
    auto result = decode_reduced(self.columns.front(), values);
    self.reduced = static_cast<bool>(result);
    return result;
  }
  std::vector<field> result(self.columns.size());
  std::vector<bool> seen(self.columns.size(), false);
  for (auto [key, element] : values) {
    size_t index = 0;
    while (index < self.columns.size() && self.columns[index] != key)
      ++index;
    if (index == self.columns.size())
      return malformed("unexpected column \"" + std::string{key} + "\"");
    if (seen[index])
      return malformed("column \"" + std::string{key} + "\" appears twice");
    seen[index] = true;
    auto converted = convert(element);
    if (!converted)
      return converted.error();
    result[index] = field{self.columns[index], std::move(*converted)};
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      return malformed("missing column \"" + self.columns[i] + "\"");
  if (result.front().value.is_null())
    return malformed("primary key \"" + self.columns.front() + "\" is null");
  return result;
}

} // namespace libwatch
