#include "config/duration.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>

namespace libwatch::config {

namespace {

struct duration_unit {
  std::string_view suffix;
  int64_t nanos;
};

constexpr duration_unit duration_units[] = {
  {"ms", 1'000'000},
  {"s", 1'000'000'000},
  {"m", 60'000'000'000},
  {"h", 3'600'000'000'000},
};

} // namespace

std::pair<std::optional<caf::timespan>, std::string>
parse_duration(std::string_view text) {
  auto quoted = "\"" + std::string{text} + "\"";
  auto malformed
    = std::make_pair(std::optional<caf::timespan>{},
                     "is " + quoted + "; " + std::string{duration_forms});
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0)
    return malformed;
  auto suffix = text.substr(digits);
  auto unit = std::find_if(std::begin(duration_units), std::end(duration_units),
                           [&](auto& u) { return u.suffix == suffix; });
  if (unit == std::end(duration_units))
    return malformed;
  constexpr auto max = std::numeric_limits<int64_t>::max();
  int64_t count = 0;
  for (size_t i = 0; i < digits; ++i) {
    int64_t digit = text[i] - '0';
    if (count > (max - digit) / 10 || count * 10 + digit > max / unit->nanos)
      return {std::nullopt, "is " + quoted + "; that is too long"};
    count = count * 10 + digit;
  }
  return {caf::timespan{count * unit->nanos}, ""};
}

} // namespace libwatch::config
