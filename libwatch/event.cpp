#include "libwatch/event.hpp"

namespace libwatch {

std::string_view to_string_view(event_kind x) noexcept {
  switch (x) {
    case event_kind::inserted:
      return "inserted";
    case event_kind::updated:
      return "updated";
    case event_kind::deleted:
      return "deleted";
  }
  return "invalid";
}

std::string to_string(event_kind x) {
  return std::string{to_string_view(x)};
}

std::optional<event_kind> parse_event_kind(std::string_view text) noexcept {
  for (auto x : all_event_kinds)
    if (text == to_string_view(x))
      return x;
  return std::nullopt;
}

std::string_view sql_keyword(event_kind x) noexcept {
  switch (x) {
    case event_kind::inserted:
      return "INSERT";
    case event_kind::updated:
      return "UPDATE";
    case event_kind::deleted:
      return "DELETE";
  }
  return "INVALID";
}

} // namespace libwatch
