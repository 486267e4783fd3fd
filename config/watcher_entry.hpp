// One [[watcher]] entry of a configuration file as read: the spec without
// its event, the events it lists and where each part was written, so that
// problems found later point at the right line. The readers of its keys
// that need more than a type check live here too; config/schema.cpp names
// them.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/read_context.hpp"
#include "config/schema.hpp"
#include "config/table_reader.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch::config {

/// Where the event of one built watcher came from.
struct event_site {
  event_kind event;
  std::string path;
  position at;
};

/// One entry; it becomes one watcher per event.
struct watcher_entry {
  /// Index in the file's array of [[watcher]] tables.
  size_t index = 0;
  /// Position of the entry's table, for problems of keys it leaves out.
  position header;
  watcher_spec spec;
  std::vector<event_site> events;
  /// The column lists as read, by key, to locate problems of one column.
  std::map<std::string, string_list> lists;
  /// Set when the entry's identity (table, schema, label, events) is
  /// unknown, so comparing it with other watchers would report made-up
  /// duplicates.
  bool broken = false;

  /// `watcher[INDEX]`.
  std::string path() const;
};

/// Reads the entry at `index` from `table`, as the schema's section
/// `def` declares its keys.
watcher_entry read_entry(read_context& ctx, const section_def& def,
                         const toml::table& table, size_t index);

/// The table to watch; required.
void read_table(table_reader& in, const key_def& key, watcher_entry& out);

/// One event (`event = "inserted"`); reports a missing event, or one given
/// both as `event` and `events`.
void read_event(table_reader& in, const key_def& key, watcher_entry& out);

/// Several events (`events = ["inserted", "deleted"]`), unless `event` is
/// set as well.
void read_events(table_reader& in, const key_def& key, watcher_entry& out);

/// Reads a name that must not be empty (`key.if_invalid` says what to do
/// instead) into `out`.
void read_name(table_reader& in, const key_def& key, std::string& out);

template <std::string watcher_spec::*Field>
void read_name(table_reader& in, const key_def& key, watcher_entry& out) {
  read_name(in, key, out.spec.*Field);
}

/// Reads a list of column names into `out`, keeping where each was written.
void read_columns(table_reader& in, const key_def& key, watcher_entry& entry,
                  std::vector<std::string>& out);

template <std::vector<std::string> watcher_spec::*Field>
void read_columns(table_reader& in, const key_def& key, watcher_entry& out) {
  read_columns(in, key, out, out.spec.*Field);
}

} // namespace libwatch::config
