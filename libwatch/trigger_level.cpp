#include "libwatch/trigger_level.hpp"

namespace libwatch {

std::string_view to_string_view(trigger_level x) noexcept {
  return x == trigger_level::statement ? "statement" : "row";
}

std::string to_string(trigger_level x) {
  return std::string{to_string_view(x)};
}

std::optional<trigger_level>
parse_trigger_level(std::string_view text) noexcept {
  for (auto x : all_trigger_levels)
    if (text == to_string_view(x))
      return x;
  return std::nullopt;
}

} // namespace libwatch
