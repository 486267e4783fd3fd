// Parsing an enum from its spelling, the reverse of its `to_string_view`.
// Each enum's `parse_...` function uses this over its `all_...` array, so
// the spellings are written once, in `to_string_view`.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace libwatch {

/// The value of `values` whose `to_string_view` is `text`, or nothing.
template <class Enum, size_t N>
std::optional<Enum> parse_spelling(std::string_view text,
                                   const Enum (&values)[N]) noexcept {
  for (auto x : values)
    if (text == to_string_view(x))
      return x;
  return std::nullopt;
}

} // namespace libwatch
