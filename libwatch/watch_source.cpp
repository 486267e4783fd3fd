#include "libwatch/watch_source.hpp"

#include "libwatch/enum_spelling.hpp"

namespace libwatch {

std::string_view to_string_view(watch_source x) noexcept {
  return x == watch_source::wal ? "wal" : "trigger";
}

std::string to_string(watch_source x) {
  return std::string{to_string_view(x)};
}

std::optional<watch_source> parse_watch_source(std::string_view text) noexcept {
  return parse_spelling(text, all_watch_sources);
}

} // namespace libwatch
