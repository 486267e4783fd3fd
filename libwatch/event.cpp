#include "libwatch/event.hpp"

#include "libwatch/enum_spelling.hpp"

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
  return parse_spelling(text, all_event_kinds);
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
