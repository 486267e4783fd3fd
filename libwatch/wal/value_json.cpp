#include "libwatch/wal/value_json.hpp"

#include "libwatch/json_string.hpp"

#include <cstdio>

namespace libwatch::wal {

namespace {

// PostgreSQL's FirstNormalObjectId: user-defined types (enums) start here.
constexpr uint32_t first_user_oid = 16384;

struct known_type {
  std::string_view name;
  uint32_t oid;
  uint32_t array_oid;
  json_rendering scalar;
  // Differs from `scalar` only for numeric: the trigger casts numeric
  // columns to text (sql::column_value), but not the elements of arrays.
  json_rendering element;
};

// The builtin types whose to_json output follows from their text output.
// OIDs of builtin types never change (pg_type.dat).
constexpr known_type known_types[] = {
  {"bool", 16, 1000, json_rendering::boolean, json_rendering::boolean},
  {"int2", 21, 1005, json_rendering::number, json_rendering::number},
  {"int4", 23, 1007, json_rendering::number, json_rendering::number},
  {"int8", 20, 1016, json_rendering::number, json_rendering::number},
  {"float4", 700, 1021, json_rendering::number, json_rendering::number},
  {"float8", 701, 1022, json_rendering::number, json_rendering::number},
  {"numeric", 1700, 1231, json_rendering::string, json_rendering::number},
  {"json", 114, 199, json_rendering::verbatim, json_rendering::verbatim},
  {"jsonb", 3802, 3807, json_rendering::verbatim, json_rendering::verbatim},
  // to_json writes dates in XSD form, which ISO's text output already is.
  {"date", 1082, 1182, json_rendering::string, json_rendering::string},
  {"timestamp", 1114, 1115, json_rendering::timestamp,
   json_rendering::timestamp},
  {"timestamptz", 1184, 1185, json_rendering::timestamptz,
   json_rendering::timestamptz},
  {"text", 25, 1009, json_rendering::string, json_rendering::string},
  {"varchar", 1043, 1015, json_rendering::string, json_rendering::string},
  {"bpchar", 1042, 1014, json_rendering::string, json_rendering::string},
  {"name", 19, 1003, json_rendering::string, json_rendering::string},
  {"char", 18, 1002, json_rendering::string, json_rendering::string},
  {"uuid", 2950, 2951, json_rendering::string, json_rendering::string},
  {"time", 1083, 1183, json_rendering::string, json_rendering::string},
  {"timetz", 1266, 1270, json_rendering::string, json_rendering::string},
  {"interval", 1186, 1187, json_rendering::string, json_rendering::string},
  {"bytea", 17, 1001, json_rendering::string, json_rendering::string},
  {"inet", 869, 1041, json_rendering::string, json_rendering::string},
  {"cidr", 650, 651, json_rendering::string, json_rendering::string},
  {"macaddr", 829, 1040, json_rendering::string, json_rendering::string},
  {"macaddr8", 774, 775, json_rendering::string, json_rendering::string},
  {"money", 790, 791, json_rendering::string, json_rendering::string},
  {"oid", 26, 1028, json_rendering::string, json_rendering::string},
  {"xml", 142, 143, json_rendering::string, json_rendering::string},
  {"bit", 1560, 1561, json_rendering::string, json_rendering::string},
  {"varbit", 1562, 1563, json_rendering::string, json_rendering::string},
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// json.c IsValidJsonNumber: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    auto start = i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-')
    ++i;
  if (i < s.size() && s[i] == '0')
    ++i;
  else if (i >= s.size() || s[i] < '1' || s[i] > '9' || !digits())
    return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits()))
    return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    if (!digits())
      return false;
  }
  return i == s.size();
}

// ISO text output to the XSD form to_json writes: `2020-01-02 03:04:05+00
// BC` becomes `2020-01-02T03:04:05+00:00 BC` (the offset always with
// minutes, seconds only when it has some).
bool render_timestamp(std::string_view text, bool with_zone, std::string& out) {
  if (text == "infinity" || text == "-infinity") {
    escape_json(text, out);
    return true;
  }
  auto space = text.find(' ');
  if (space == std::string_view::npos)
    return false;
  std::string xsd{text};
  xsd[space] = 'T';
  if (with_zone) {
    auto sign = xsd.find_first_of("+-", space);
    if (sign == std::string::npos)
      return false;
    auto end = xsd.find(' ', sign);
    if (end == std::string::npos)
      end = xsd.size();
    if (end - sign == 3)
      xsd.insert(end, ":00");
  }
  escape_json(xsd, out);
  return true;
}

bool render_value(json_rendering how, std::string_view text, std::string& out) {
  switch (how) {
    case json_rendering::inexact:
      return false;
    case json_rendering::boolean:
      if (text != "t" && text != "f")
        return false;
      out += text == "t" ? "true" : "false";
      return true;
    case json_rendering::number:
      if (is_json_number(text))
        out += text;
      else
        escape_json(text, out);
      return true;
    case json_rendering::string:
      escape_json(text, out);
      return true;
    case json_rendering::verbatim:
      out += text;
      return true;
    case json_rendering::timestamp:
    case json_rendering::timestamptz:
      return render_timestamp(text, how == json_rendering::timestamptz, out);
  }
  return false;
}

// Reads array_out's text (`[0:1]={1,"a \"b\"",NULL}`, nested braces for
// more dimensions) and writes it as array_to_json does: nested JSON arrays,
// dimension bounds dropped, unquoted NULL as null.
class array_reader {
public:
  array_reader(std::string_view text, json_rendering element)
      : text_(text), element_(element) {
    // nop
  }

  bool render(std::string& out) {
    if (!text_.empty() && text_[0] == '[') {
      pos_ = text_.find('=');
      if (pos_ == std::string_view::npos)
        return false;
      ++pos_;
    }
    return dimension(out) && pos_ == text_.size();
  }

private:
  bool dimension(std::string& out) {
    if (!take('{'))
      return false;
    out += '[';
    // Only a whole array can be empty ("{}"); array_in rejects "{{},{}}".
    bool more = !take('}');
    while (more) {
      bool nested = pos_ < text_.size() && text_[pos_] == '{';
      if (!(nested ? dimension(out) : element(out)))
        return false;
      more = take(',');
      if (more)
        out += ',';
      else if (!take('}'))
        return false;
    }
    out += ']';
    return true;
  }

  bool element(std::string& out) {
    std::string value;
    if (take('"')) {
      for (;;) {
        if (pos_ >= text_.size())
          return false;
        char c = text_[pos_++];
        if (c == '"')
          break;
        if (c == '\\') {
          if (pos_ >= text_.size())
            return false;
          c = text_[pos_++];
        }
        value += c;
      }
      return render_value(element_, value, out);
    }
    auto end = text_.find_first_of(",}", pos_);
    if (end == std::string_view::npos || end == pos_)
      return false;
    auto raw = text_.substr(pos_, end - pos_);
    pos_ = end;
    if (raw != "NULL")
      return render_value(element_, raw, out);
    out += "null";
    return true;
  }

  bool take(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c)
      return false;
    ++pos_;
    return true;
  }

  std::string_view text_;
  json_rendering element_;
  size_t pos_ = 0;
};

} // namespace

void escape_json(std::string_view text, std::string& out) {
  append_json_string(text, out, json_escapes::postgres);
}

column_rendering rendering_of(const column_info& column) {
  if (column.category == 'E')
    return {json_rendering::string, false, 0};
  bool is_array = column.category == 'A';
  auto& name = is_array ? column.element_type_name : column.type_name;
  for (auto& t : known_types)
    if (t.name == name)
      return is_array ? column_rendering{t.element, true, t.array_oid}
                      : column_rendering{t.scalar, false, t.oid};
  return {};
}

bool column_rendering::accepts(uint32_t oid) const noexcept {
  return type_oid == 0 ? oid >= first_user_oid : type_oid == oid;
}

bool render_json(const column_rendering& how, std::string_view text,
                 std::string& out) {
  if (how.is_array)
    return array_reader{text, how.how}.render(out);
  return render_value(how.how, text, out);
}

} // namespace libwatch::wal
