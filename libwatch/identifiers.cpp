#include "libwatch/identifiers.hpp"

#include <cstdint>

namespace libwatch {

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_qualified(std::string_view schema, std::string_view name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string quote_literal(std::string_view text) {
  bool has_backslash = text.find('\\') != std::string_view::npos;
  std::string out;
  out.reserve(text.size() + 3);
  if (has_backslash)
    out += 'E';
  out += '\'';
  for (char c : text) {
    if (c == '\'' || c == '\\')
      out += c;
    out += c;
  }
  out += '\'';
  return out;
}

bool is_valid_utf8(std::string_view text) noexcept {
  auto at = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = at(i);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size())
      return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((at(i + k) & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (at(i + k) & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

std::optional<std::string> identifier_problem(std::string_view name) {
  if (name.empty())
    return std::string{"must not be empty"};
  if (name.find('\0') != std::string_view::npos)
    return std::string{"must not contain a NUL byte"};
  if (!is_valid_utf8(name))
    return std::string{"must be valid UTF-8"};
  if (name.size() > max_identifier_bytes)
    return "is " + std::to_string(name.size()) + " bytes long; PostgreSQL "
           + "names are at most " + std::to_string(max_identifier_bytes)
           + " bytes";
  return std::nullopt;
}

bool is_valid_label(std::string_view label) noexcept {
  if (label.empty())
    return false;
  auto lower_or_underscore
    = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  if (!lower_or_underscore(label.front()))
    return false;
  for (char c : label)
    if (!lower_or_underscore(c) && !(c >= '0' && c <= '9'))
      return false;
  return true;
}

} // namespace libwatch
