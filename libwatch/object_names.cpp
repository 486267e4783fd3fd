#include "libwatch/object_names.hpp"

#include <cstdio>

namespace libwatch {

namespace {

constexpr std::string_view prefix = "lw_";
constexpr std::string_view function_suffix = "_func";
constexpr std::string_view trigger_suffix = "_trigger";

std::string sanitize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
      out += c;
    else
      out += '_';
  }
  return out;
}

object_names from_base(std::string base) {
  object_names result;
  result.function = base + std::string{function_suffix};
  result.trigger = base + std::string{trigger_suffix};
  result.channel = std::move(base);
  return result;
}

} // namespace

uint64_t fnv1a64(std::string_view data) noexcept {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

object_names derive_names(const watcher_spec& spec) {
  if (!spec.label.empty())
    return from_base(std::string{prefix} + spec.label);
  std::string identity = spec.schema;
  identity += '\x1f';
  identity += spec.table;
  identity += '\x1f';
  identity += to_string_view(spec.event);
  char hash[9];
  std::snprintf(hash, sizeof(hash), "%08llx",
                static_cast<unsigned long long>(fnv1a64(identity) >> 32));
  std::string tail = "_";
  tail += to_string_view(spec.event);
  tail += '_';
  tail += hash;
  auto room = 63 - prefix.size() - trigger_suffix.size() - tail.size();
  auto readable = sanitize(spec.table);
  if (readable.size() > room)
    readable.resize(room);
  return from_base(std::string{prefix} + readable + tail);
}

std::optional<std::string> label_length_problem(std::string_view label) {
  if (label.size() <= max_label_bytes)
    return std::nullopt;
  auto excess = label.size() - max_label_bytes;
  return "Label is " + std::to_string(excess)
         + " character(s) too long to be part of the PostgreSQL trigger name "
           "(labels are at most "
         + std::to_string(max_label_bytes) + " bytes)";
}

} // namespace libwatch
