// How error messages of the configuration loader name things: TOML types,
// quoted values and lists of valid choices, so every message words them the
// same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace libwatch::config {

/// "a string", "an integer", ...: the type of a TOML value in a sentence.
std::string_view type_phrase(toml::node_type type);

/// `text` in double quotes.
std::string in_quotes(std::string_view text);

/// `a, b, c`: names as a plain list.
std::string join(const std::vector<std::string_view>& words);

/// `"a", "b" or "c"`: the spellings of valid values.
std::string alternatives(const std::vector<std::string_view>& spellings);

/// `alternatives` of the spellings of every value of an enum, given one of
/// the `all_...` arrays next to the enum's declaration.
template <class Enum, size_t N>
std::string alternatives(const Enum (&values)[N]) {
  std::vector<std::string_view> spellings;
  for (auto x : values)
    spellings.push_back(to_string_view(x));
  return alternatives(spellings);
}

} // namespace libwatch::config
