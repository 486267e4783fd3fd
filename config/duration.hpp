// Durations in configuration files: a whole number directly followed by ms,
// s, m or h. Nothing else, so "5" or "1.5s" are errors rather than guesses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <caf/timespan.hpp>

namespace libwatch::config {

/// What a valid duration looks like, for error messages.
constexpr std::string_view duration_forms
  = "a duration is a whole number followed by ms, s, m or h, e.g. \"250ms\", "
    "\"5s\", \"2m\" or \"1h\"";

/// Returns the duration, or nothing and why `text` is not one.
std::pair<std::optional<caf::timespan>, std::string>
parse_duration(std::string_view text);

} // namespace libwatch::config
