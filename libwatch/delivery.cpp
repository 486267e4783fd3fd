#include "libwatch/delivery.hpp"

#include "libwatch/enum_spelling.hpp"

namespace libwatch {

std::string_view to_string_view(delivery_mode x) noexcept {
  return x == delivery_mode::at_least_once ? "at_least_once" : "at_most_once";
}

std::string to_string(delivery_mode x) {
  return std::string{to_string_view(x)};
}

std::optional<delivery_mode>
parse_delivery_mode(std::string_view text) noexcept {
  return parse_spelling(text, all_delivery_modes);
}

std::string_view to_string_view(wakeup_mode x) noexcept {
  return x == wakeup_mode::poll ? "poll" : "notify";
}

std::string to_string(wakeup_mode x) {
  return std::string{to_string_view(x)};
}

std::optional<wakeup_mode> parse_wakeup_mode(std::string_view text) noexcept {
  return parse_spelling(text, all_wakeup_modes);
}

} // namespace libwatch
