// A column value as it arrives in a change: one of null, bool, integer,
// float, string or JSON, with typed accessors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <caf/meta/type_name.hpp>

namespace libwatch {

/// One column value from a change. PostgreSQL types map as follows:
/// booleans to `boolean`; smallint/integer/bigint to `integer`; real and
/// double precision to `floating`; numeric to `string` (exact decimal text);
/// json/jsonb/arrays/composites to `json` (the JSON text); every other type
/// (text, uuid, timestamps, ...) to `string` in PostgreSQL's JSON rendering.
class value {
public:
  enum class kind : uint8_t { null, boolean, integer, floating, string, json };

  /// A SQL NULL.
  value() = default;

  /// An integer; lets callers write `by_key("posts:updated", 7)`.
  template <class T, class = std::enable_if_t<
                       std::is_integral_v<T> && !std::is_same_v<T, bool>>>
  value(T x) : kind_(kind::integer), number_(static_cast<int64_t>(x)) {
    // nop
  }

  /// A string; lets callers write `by_key("users:updated", "alice")`.
  value(const char* x) : kind_(kind::string), text_(x) {
    // nop
  }

  value(std::string x) : kind_(kind::string), text_(std::move(x)) {
    // nop
  }

  value(std::string_view x) : kind_(kind::string), text_(x) {
    // nop
  }

  static value of_bool(bool x);
  static value of_integer(int64_t x);
  static value of_float(double x);
  static value of_string(std::string x);
  /// `text` must be a JSON array or object.
  static value of_json(std::string text);

  kind type() const noexcept {
    return kind_;
  }

  bool is_null() const noexcept {
    return kind_ == kind::null;
  }

  /// The value if it is a boolean.
  std::optional<bool> as_bool() const noexcept;
  /// The value if it is an integer.
  std::optional<int64_t> as_integer() const noexcept;
  /// The value if it is a number (an integer converts to double).
  std::optional<double> as_double() const noexcept;
  /// The text if it is a string.
  std::optional<std::string_view> as_string() const noexcept;
  /// The JSON text if it is JSON (array or object).
  std::optional<std::string_view> as_json() const noexcept;

  /// The value as text: what a topic for this value is keyed by and what
  /// users pass to subscribe. Integers in decimal, floats in shortest
  /// round-trip form, booleans as `true`/`false`, strings as themselves,
  /// JSON as its text, NULL as `null`.
  std::string to_text() const;

  /// The value as JSON text, e.g. `"abc"`, `7`, `null`.
  std::string to_json() const;

  friend bool operator==(const value& x, const value& y) noexcept;
  friend bool operator!=(const value& x, const value& y) noexcept {
    return !(x == y);
  }

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, value& x) {
    return f(caf::meta::type_name("libwatch::value"), x.kind_, x.number_,
             x.text_);
  }

private:
  kind kind_ = kind::null;
  // bool and integer live in `number_` as int64_t bits; floats as their bits.
  int64_t number_ = 0;
  std::string text_;
};

std::string to_string(value::kind x);
std::string to_string(const value& x);

} // namespace libwatch
