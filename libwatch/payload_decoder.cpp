#include "libwatch/payload_decoder.hpp"

#include <stdexcept>

#include <simdjson.h>

#include "libwatch/error.hpp"
#include "libwatch/row_spans.hpp"

namespace libwatch {

struct payload_decoder::impl {
  event_kind event;
  std::vector<std::string> columns;
  simdjson::dom::parser parser;
  std::vector<std::string_view> spans;
  // What a row of a chunk is wrapped in to become its row-level payload.
  std::string row_head;
};

payload_decoder::payload_decoder(event_kind event,
                                 std::vector<std::string> columns) {
  if (columns.empty() || columns.size() > 64)
    throw std::invalid_argument("payload_decoder: 1 to 64 columns");
  auto head = std::string{"{\"type\" : \""} + std::string{to_string_view(event)}
              + "\", \"values\" : ";
  impl_.reset(new impl{
    event, std::move(columns), simdjson::dom::parser{}, {}, std::move(head)});
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

// The trigger's fallback: the key alone, or nothing when even the key was
// too large for a notification.
caf::error decode_reduced(const std::string& key, simdjson::dom::object values,
                          std::vector<field>& result) {
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
  return caf::none;
}

// One row: every column exactly once, a non-null key.
caf::error decode_row(const std::vector<std::string>& columns,
                      simdjson::dom::object values,
                      std::vector<field>& result) {
  result.resize(columns.size());
  // One bit per column: no allocation per row (a watcher has at most
  // max_payload_columns, checked by the constructor).
  uint64_t seen = 0;
  for (auto [key, element] : values) {
    size_t index = 0;
    while (index < columns.size() && columns[index] != key)
      ++index;
    if (index == columns.size())
      return malformed("unexpected column \"" + std::string{key} + "\"");
    auto bit = uint64_t{1} << index;
    if ((seen & bit) != 0)
      return malformed("column \"" + std::string{key} + "\" appears twice");
    seen |= bit;
    auto converted = convert(element);
    if (!converted)
      return converted.error();
    result[index] = field{columns[index], std::move(*converted)};
  }
  for (size_t i = 0; i < columns.size(); ++i)
    if ((seen & (uint64_t{1} << i)) == 0)
      return malformed("missing column \"" + columns[i] + "\"");
  if (result.front().value.is_null())
    return malformed("primary key \"" + columns.front() + "\" is null");
  return caf::none;
}

// The top-level members of a payload, each at most once.
struct envelope {
  bool have_type = false;
  bool reduced = false;
  bool have_values = false;
  simdjson::dom::object values;
  bool have_rows = false;
  simdjson::dom::array rows;
};

caf::error read_envelope(simdjson::dom::object top, event_kind event,
                         envelope& out) {
  for (auto [key, element] : top) {
    bool repeated = (key == "type" && out.have_type)
                    || (key == "values" && out.have_values)
                    || (key == "reduced" && out.reduced)
                    || (key == "rows" && out.have_rows);
    if (repeated)
      return malformed("\"" + std::string{key} + "\" appears twice");
    if (key == "reduced") {
      bool flag = false;
      if (element.get(flag) || !flag)
        return malformed("\"reduced\" is not true");
      out.reduced = true;
    } else if (key == "type") {
      std::string_view type;
      if (element.get(type) || type != to_string_view(event))
        return malformed("\"type\" is not \""
                         + std::string{to_string_view(event)} + "\"");
      out.have_type = true;
    } else if (key == "values") {
      if (element.get(out.values))
        return malformed("\"values\" is not an object");
      out.have_values = true;
    } else if (key == "rows") {
      if (element.get(out.rows))
        return malformed("\"rows\" is not an array");
      out.have_rows = true;
    } else {
      return malformed("unexpected key \"" + std::string{key} + "\"");
    }
  }
  if (!out.have_type)
    return malformed("missing \"type\"");
  if (out.have_rows && (out.have_values || out.reduced))
    return malformed("\"rows\" cannot be combined with \"values\" or "
                     "\"reduced\"");
  if (!out.have_values && !out.have_rows)
    return malformed("missing \"values\"");
  return caf::none;
}

} // namespace

caf::error payload_decoder::decode(std::string_view payload,
                                   std::vector<decoded_row>& out) {
  auto& self = *impl_;
  out.clear();
  simdjson::dom::element root;
  if (auto err = self.parser.parse(payload.data(), payload.size()).get(root))
    return malformed(std::string{"not JSON: "} + simdjson::error_message(err));
  simdjson::dom::object top;
  if (root.get(top))
    return malformed("not a JSON object");
  envelope env;
  if (auto err = read_envelope(top, self.event, env))
    return err;
  if (env.have_values) {
    auto& row = out.emplace_back();
    row.reduced = env.reduced;
    auto err = env.reduced
                 ? decode_reduced(self.columns.front(), env.values, row.values)
                 : decode_row(self.columns, env.values, row.values);
    if (err) {
      out.clear();
      return err;
    }
    row.raw = std::string{payload};
    return caf::none;
  }
  if (env.rows.size() == 0)
    return malformed("\"rows\" is empty");
  // The DOM has no source positions; the spans give each row's exact text.
  if (!split_rows(payload, self.spans) || self.spans.size() != env.rows.size())
    return malformed("\"rows\" could not be split into its elements");
  out.reserve(env.rows.size());
  auto& head = self.row_head;
  size_t index = 0;
  for (auto element : env.rows) {
    simdjson::dom::object values;
    if (element.get(values)) {
      out.clear();
      return malformed("row " + std::to_string(index) + " is not an object");
    }
    auto& row = out.emplace_back();
    if (auto err = decode_row(self.columns, values, row.values)) {
      out.clear();
      return malformed("row " + std::to_string(index) + ": " + describe(err));
    }
    auto span = self.spans[index];
    row.raw.reserve(head.size() + span.size() + 1);
    row.raw += head;
    row.raw += span;
    row.raw += '}';
    ++index;
  }
  return caf::none;
}

caf::expected<decoded_row>
payload_decoder::decode_one(std::string_view payload) {
  std::vector<decoded_row> rows;
  if (auto err = decode(payload, rows))
    return err;
  if (rows.size() != 1)
    return malformed("expected one row, got " + std::to_string(rows.size()));
  return std::move(rows.front());
}

} // namespace libwatch
