#include "libwatch/change.hpp"

#include <stdexcept>

namespace libwatch {

std::string to_string(value_source x) {
  switch (x) {
    case value_source::notification:
      return "notification";
    case value_source::fetched:
      return "fetched";
    case value_source::key_only:
      return "key_only";
  }
  return "invalid";
}

const value* change::find(std::string_view column) const noexcept {
  for (auto& f : values)
    if (f.column == column)
      return &f.value;
  return nullptr;
}

const value& change::at(std::string_view column) const {
  if (auto ptr = find(column))
    return *ptr;
  throw std::out_of_range("change of watcher " + watcher
                          + " carries no column \"" + std::string{column}
                          + "\"");
}

} // namespace libwatch
