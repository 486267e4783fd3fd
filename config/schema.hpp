// The configuration file's schema, declared once: every section, and every
// key with the reader that fills its field. All the loader says about keys
// derives from it: which exist, "did you mean", "it belongs in", the type a
// value must have, and which key a problem found by `validate` points at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "libwatch/watch_config.hpp"

namespace libwatch::config {

class table_reader;
struct key_def;
struct watcher_entry;

/// Reads one key of a section (`[listener]`) into the configuration.
using config_key_reader
  = void (*)(table_reader& in, const key_def& key, watch_config& out);

/// Reads one key of a `[[watcher]]` entry into the entry.
using entry_key_reader
  = void (*)(table_reader& in, const key_def& key, watcher_entry& out);

/// One key of a section.
struct key_def {
  std::string_view name;
  /// Reads the key when present, reporting a wrong type or value. Which of
  /// the two kinds must match the section (`section_def::repeated`).
  std::variant<config_key_reader, entry_key_reader> read;
  /// How `validate` names the setting in its problems (`reconnect.initial`),
  /// so they point at this key; empty when it never names it on its own.
  std::string_view setting = {};
  /// What is valid beyond the type: for a count, what to say instead of a
  /// negative number; for a name, what to do instead of leaving it empty.
  std::string_view if_invalid = {};
};

/// One section of the file and its keys, in the order they are read and
/// listed in messages.
struct section_def {
  std::string_view name;
  /// Written `[[name]]`, an array of tables (one per watcher), not `[name]`.
  bool repeated = false;
  std::vector<key_def> keys;
  /// Checks the table as a whole before its keys are read; may be null.
  void (*check)(table_reader& in) = nullptr;

  /// `[name]` or `[[name]]`.
  std::string header() const;

  std::vector<std::string_view> key_names() const;

  bool has_key(std::string_view key) const;
};

/// Every section, in the order messages list them.
const std::vector<section_def>& sections();

/// The section a file names, or null when there is none: the user's
/// problem, reported as an unknown section.
const section_def* find_section(std::string_view name);

/// The section the loader's own code names. Throws `std::logic_error` when
/// the schema lacks it: a programming mistake, never the user's.
const section_def& section(std::string_view name);

/// The section other than `current` that has `key`, or null.
const section_def* home_of(std::string_view key, std::string_view current);

/// `[database], [listener], ... and [[watcher]]`.
std::string section_headers();

/// The key a setting of `validate` (e.g. `reconnect.initial`) comes from.
struct setting_source {
  const section_def* section;
  const key_def* key;
};

std::optional<setting_source> find_setting(std::string_view setting);

} // namespace libwatch::config
