// Reads typed values out of one TOML table (a section or a [[watcher]]
// entry), reporting a value of the wrong type with its position and path.
// It knows TOML and types, not which keys exist: that is the schema's part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/timespan.hpp>
#include <toml++/toml.h>

#include "config/phrases.hpp"
#include "config/read_context.hpp"

namespace libwatch::config {

/// Strings of an array, with the index and position each had in the file
/// (elements of other types are left out, so indices may skip).
struct string_list {
  std::vector<std::string> values;
  std::vector<size_t> indices;
  std::vector<position> positions;
};

/// One table being read. Each accessor returns nothing when the key is
/// absent or its value is unusable; in the latter case it has reported why.
class table_reader {
public:
  /// Records where each key of `table` was set, as `prefix.key`.
  table_reader(read_context& ctx, const toml::table& table, std::string prefix);

  read_context& context() {
    return ctx_;
  }

  const toml::table& table() const {
    return table_;
  }

  /// `prefix.key`, the path errors name.
  std::string path(std::string_view key) const;

  const toml::node* find(std::string_view key) const {
    return table_.get(key);
  }

  /// Reports a problem at the table itself, e.g. a missing key.
  void fail_here(std::string path, std::string message);

  /// Reports a problem of a value.
  void fail(const toml::node& node, std::string path, std::string message);

  /// Reports a problem of the key itself (not its value), e.g. an unknown
  /// one.
  void fail_key(std::string_view key, std::string message);

  void wrong_type(const toml::node& node, std::string path,
                  std::string_view expected);

  std::optional<std::string> string(std::string_view key);

  std::optional<bool> boolean(std::string_view key);

  /// An integer or a float.
  std::optional<double> number(std::string_view key);

  /// A non-negative integer that fits `uint32_t`; `if_negative` says what
  /// is valid instead of a negative one.
  std::optional<uint32_t> count(std::string_view key,
                                std::string_view if_negative);

  /// A duration string (see config/duration.hpp).
  std::optional<caf::timespan> duration(std::string_view key);

  std::optional<string_list> strings(std::string_view key);

  /// A value of an enum, written as its `to_string_view` spelling and read
  /// by its `parse` function; anything else is an error listing `values`,
  /// the enum's `all_...` array.
  template <class Enum, size_t N>
  std::optional<Enum> choice(std::string_view key,
                             std::optional<Enum> (*parse)(std::string_view),
                             const Enum (&values)[N]) {
    auto text = string(key);
    if (!text)
      return std::nullopt;
    if (auto x = parse(*text))
      return x;
    fail(*find(key), path(key),
         "is " + in_quotes(*text) + "; must be " + alternatives(values));
    return std::nullopt;
  }

private:
  // A value of TOML type `T`; `expected` names it for the error.
  template <class T>
  std::optional<T> scalar(std::string_view key, std::string_view expected) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    if (auto* x = node->as<T>())
      return x->get();
    wrong_type(*node, path(key), expected);
    return std::nullopt;
  }

  read_context& ctx_;
  const toml::table& table_;
  std::string prefix_;
};

} // namespace libwatch::config
