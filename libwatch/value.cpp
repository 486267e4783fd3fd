#include "libwatch/value.hpp"

#include "libwatch/json_string.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace libwatch {

value value::of_bool(bool x) {
  value result;
  result.kind_ = kind::boolean;
  result.number_ = x ? 1 : 0;
  return result;
}

value value::of_integer(int64_t x) {
  value result;
  result.kind_ = kind::integer;
  result.number_ = x;
  return result;
}

value value::of_float(double x) {
  value result;
  result.kind_ = kind::floating;
  std::memcpy(&result.number_, &x, sizeof(x));
  return result;
}

value value::of_string(std::string x) {
  value result;
  result.kind_ = kind::string;
  result.text_ = std::move(x);
  return result;
}

value value::of_json(std::string text) {
  value result;
  result.kind_ = kind::json;
  result.text_ = std::move(text);
  return result;
}

std::optional<bool> value::as_bool() const noexcept {
  if (kind_ != kind::boolean)
    return std::nullopt;
  return number_ != 0;
}

std::optional<int64_t> value::as_integer() const noexcept {
  if (kind_ != kind::integer)
    return std::nullopt;
  return number_;
}

std::optional<double> value::as_double() const noexcept {
  if (kind_ == kind::integer)
    return static_cast<double>(number_);
  if (kind_ != kind::floating)
    return std::nullopt;
  double result;
  std::memcpy(&result, &number_, sizeof(result));
  return result;
}

std::optional<std::string_view> value::as_string() const noexcept {
  if (kind_ != kind::string)
    return std::nullopt;
  return std::string_view{text_};
}

std::optional<std::string_view> value::as_json() const noexcept {
  if (kind_ != kind::json)
    return std::nullopt;
  return std::string_view{text_};
}

std::string value::to_text() const {
  switch (kind_) {
    case kind::null:
      return "null";
    case kind::boolean:
      return number_ ? "true" : "false";
    case kind::integer:
      return std::to_string(number_);
    case kind::floating: {
      // PostgreSQL's own JSON spelling of the values JSON cannot express.
      auto d = *as_double();
      if (std::isnan(d))
        return "NaN";
      if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof(buf), *as_double());
      return std::string(buf, res.ptr);
    }
    case kind::string:
    case kind::json:
      return text_;
  }
  return {};
}

std::string value::to_json() const {
  if (kind_ == kind::floating && !std::isfinite(*as_double()))
    return "\"" + to_text() + "\"";
  if (kind_ != kind::string)
    return to_text();
  std::string out;
  append_json_string(text_, out);
  return out;
}

bool operator==(const value& x, const value& y) noexcept {
  return x.kind_ == y.kind_ && x.number_ == y.number_ && x.text_ == y.text_;
}

std::string to_string(value::kind x) {
  switch (x) {
    case value::kind::null:
      return "null";
    case value::kind::boolean:
      return "boolean";
    case value::kind::integer:
      return "integer";
    case value::kind::floating:
      return "floating";
    case value::kind::string:
      return "string";
    case value::kind::json:
      return "json";
  }
  return "invalid";
}

std::string to_string(const value& x) {
  return x.to_json();
}

} // namespace libwatch
