#include "config/table_reader.hpp"

#include <limits>

#include "config/duration.hpp"

namespace libwatch::config {

table_reader::table_reader(read_context& ctx, const toml::table& table,
                           std::string prefix)
    : ctx_(ctx), table_(table), prefix_(std::move(prefix)) {
  for (auto&& [key, node] : table_)
    ctx_.set_at[path(key.str())] = position_of(node);
}

std::string table_reader::path(std::string_view key) const {
  return prefix_ + "." + std::string{key};
}

void table_reader::fail_here(std::string path, std::string message) {
  ctx_.fail(position_of(table_), std::move(path), std::move(message));
}

void table_reader::fail(const toml::node& node, std::string path,
                        std::string message) {
  ctx_.fail(position_of(node), std::move(path), std::move(message));
}

void table_reader::fail_key(std::string_view key, std::string message) {
  auto it = table_.find(key);
  ctx_.fail(position_of(it->first.source()), path(key), std::move(message));
}

void table_reader::wrong_type(const toml::node& node, std::string path,
                              std::string_view expected) {
  fail(node, std::move(path),
       "must be " + std::string{expected} + ", not "
         + std::string{type_phrase(node.type())});
}

std::optional<std::string> table_reader::string(std::string_view key) {
  return scalar<std::string>(key, "a string");
}

std::optional<bool> table_reader::boolean(std::string_view key) {
  return scalar<bool>(key, "a boolean (true or false)");
}

std::optional<double> table_reader::number(std::string_view key) {
  auto* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  if (auto* x = node->as_floating_point())
    return x->get();
  if (auto* x = node->as_integer())
    return static_cast<double>(x->get());
  wrong_type(*node, path(key), "a number");
  return std::nullopt;
}

std::optional<uint32_t> table_reader::count(std::string_view key,
                                            std::string_view if_negative) {
  auto* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  auto* x = node->as_integer();
  if (x == nullptr) {
    wrong_type(*node, path(key), "an integer");
    return std::nullopt;
  }
  auto value = x->get();
  if (value < 0)
    fail(*node, path(key),
         "is " + std::to_string(value) + "; " + std::string{if_negative});
  else if (value > std::numeric_limits<uint32_t>::max())
    fail(*node, path(key),
         "is " + std::to_string(value) + "; must be at most "
           + std::to_string(std::numeric_limits<uint32_t>::max()));
  else
    return static_cast<uint32_t>(value);
  return std::nullopt;
}

std::optional<caf::timespan> table_reader::duration(std::string_view key) {
  auto* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  auto* str = node->as_string();
  if (str == nullptr) {
    fail(*node, path(key),
         "must be a duration string, not "
           + std::string{type_phrase(node->type())} + "; "
           + std::string{duration_forms});
    return std::nullopt;
  }
  auto [value, problem] = parse_duration(str->get());
  if (!value)
    fail(*node, path(key), problem);
  return value;
}

std::optional<string_list> table_reader::strings(std::string_view key) {
  auto* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  auto* array = node->as_array();
  if (array == nullptr) {
    wrong_type(*node, path(key), "an array of strings");
    return std::nullopt;
  }
  string_list out;
  for (size_t i = 0; i < array->size(); ++i) {
    auto& element = *array->get(i);
    if (auto* str = element.as_string()) {
      out.values.push_back(str->get());
      out.indices.push_back(i);
      out.positions.push_back(position_of(element));
    } else {
      wrong_type(element, path(key) + "[" + std::to_string(i) + "]",
                 "a string");
    }
  }
  return out;
}

} // namespace libwatch::config
