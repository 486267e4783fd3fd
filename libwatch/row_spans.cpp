#include "libwatch/row_spans.hpp"

namespace libwatch {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

} // namespace

bool split_rows(std::string_view payload, std::vector<std::string_view>& out) {
  constexpr auto none = std::string_view::npos;
  out.clear();
  int depth = 0;
  bool expect_key = false; // inside the top-level object, before a key
  std::string_view last_key;
  bool in_rows = false; // inside the rows array, whose elements are at depth 2
  bool found = false;
  size_t start = none;
  auto element_begins = [&](size_t at) {
    if (in_rows && depth == 2 && start == none)
      start = at;
  };
  auto element_ends = [&](size_t at) {
    if (start == none)
      return false;
    out.push_back(trim_right(payload.substr(start, at - start)));
    start = none;
    return true;
  };
  for (size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '"') {
      auto begin = i;
      for (++i; i < payload.size() && payload[i] != '"'; ++i)
        if (payload[i] == '\\')
          ++i;
      if (i >= payload.size())
        return false;
      if (depth == 1 && expect_key) {
        last_key = payload.substr(begin + 1, i - begin - 1);
        expect_key = false;
      } else {
        element_begins(begin);
      }
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        element_begins(i);
        ++depth;
        if (depth == 1)
          expect_key = true;
        else if (depth == 2 && c == '[' && last_key == "rows" && !found)
          in_rows = found = true;
        break;
      case '}':
      case ']':
        if (in_rows && depth == 2) {
          // An empty array has no element to end.
          if (start != none)
            element_ends(i);
          in_rows = false;
        }
        --depth;
        break;
      case ',':
        if (depth == 1)
          expect_key = true;
        else if (in_rows && depth == 2 && !element_ends(i))
          return false;
        break;
      default:
        if (!is_space(c))
          element_begins(i);
    }
  }
  return found && depth == 0;
}

} // namespace libwatch
