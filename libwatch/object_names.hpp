// Deterministic names of the database objects behind a watcher.
//
// Labelled watcher `L`:   channel `lw_L`, function `lw_L_func`,
//                         trigger `lw_L_trigger`.
// Unlabelled watcher:     base `lw_<table>_<event>_<hash>` where `<table>` is
//   the table name lower-cased with every byte outside [a-z0-9_] replaced by
//   `_` and cut so the trigger name fits in 63 bytes, and `<hash>` is 8 hex
//   digits of FNV-1a/64 over "schema\x1ftable\x1fevent". The hash keeps
//   watchers on equally-sanitised names apart; the readable part helps humans.
// All names consist of [a-z0-9_] only, so they can be typed unquoted in psql.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// The channel, function and trigger a watcher owns.
struct object_names {
  std::string channel;
  std::string function;
  std::string trigger;
};

/// Longest label whose derived names fit PostgreSQL's 63-byte limit.
constexpr size_t max_label_bytes
  = 63 - (sizeof("lw_") - 1) - (sizeof("_trigger") - 1);

/// Derives the names for `spec`. Precondition: the label, if any, is valid
/// and at most `max_label_bytes` long (`validate` checks both).
object_names derive_names(const watcher_spec& spec);

/// Returns EctoWatch-style wording for a label that is too long, or nothing.
std::optional<std::string> label_length_problem(std::string_view label);

/// FNV-1a, 64 bit. Stable across platforms and releases: names depend on it.
uint64_t fnv1a64(std::string_view data) noexcept;

} // namespace libwatch
