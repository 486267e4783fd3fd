// "Did you mean ...?" for unknown keys in configuration files.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace libwatch::config {

/// Optimal string alignment distance: a swapped pair of letters is one typo.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate within two typos of `word`, the closest first; nothing when
/// none is that close.
std::optional<std::string_view>
closest(std::string_view word, const std::vector<std::string_view>& candidates);

} // namespace libwatch::config
