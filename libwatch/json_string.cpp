#include "libwatch/json_string.hpp"

#include <cstdio>

namespace libwatch {

void append_json_string(std::string_view text, std::string& out,
                        json_escapes style) {
  bool short_bf = style == json_escapes::postgres;
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (short_bf && (c == '\b' || c == '\f')) {
          out += c == '\b' ? "\\b" : "\\f";
        } else if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

} // namespace libwatch
