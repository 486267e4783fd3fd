#include "config/phrases.hpp"

namespace libwatch::config {

std::string_view type_phrase(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "nothing";
  }
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto& word : words) {
    if (!out.empty())
      out += ", ";
    out += word;
  }
  return out;
}

std::string alternatives(const std::vector<std::string_view>& spellings) {
  std::string out;
  size_t left = spellings.size();
  for (auto spelling : spellings) {
    out += in_quotes(spelling);
    --left;
    out += left > 1 ? ", " : left == 1 ? " or " : "";
  }
  return out;
}

} // namespace libwatch::config
