#include "cli/watch_target.hpp"

#include "libwatch/error.hpp"

namespace libwatch::cli {

caf::expected<watch_target> parse_watch_target(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return make_error(errc::invalid_subscription,
                      "--watch " + std::string{text} + ": " + why
                        + "; expected TARGET or TARGET:COLUMN=VALUE");
  };
  // Quoted names (`"a=b".c:inserted`) may contain '=' and ':'.
  size_t eq = std::string_view::npos;
  size_t colon = std::string_view::npos;
  bool quoted = false;
  for (size_t i = 0; i < text.size() && eq == std::string_view::npos; ++i) {
    if (text[i] == '"')
      quoted = !quoted;
    else if (!quoted && text[i] == ':')
      colon = i;
    else if (!quoted && text[i] == '=')
      eq = i;
  }
  watch_target out;
  if (eq == std::string_view::npos || colon == std::string_view::npos) {
    out.target = text;
  } else {
    out.target = text.substr(0, colon);
    out.column = std::string{text.substr(colon + 1, eq - colon - 1)};
    out.value = text.substr(eq + 1);
    if (out.column->empty())
      return fail("the column before '=' is empty");
  }
  if (out.target.empty())
    return fail("the target is empty");
  return out;
}

} // namespace libwatch::cli
