#include "libwatch/trigger_level.hpp"

#include "libwatch/enum_spelling.hpp"

namespace libwatch {

std::string_view to_string_view(trigger_level x) noexcept {
  return x == trigger_level::statement ? "statement" : "row";
}

std::string to_string(trigger_level x) {
  return std::string{to_string_view(x)};
}

std::optional<trigger_level>
parse_trigger_level(std::string_view text) noexcept {
  return parse_spelling(text, all_trigger_levels);
}

} // namespace libwatch
