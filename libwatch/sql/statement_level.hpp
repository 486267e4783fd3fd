// The statement-level trigger function (`trigger_level::statement`): one
// call per statement reads the rows it changed from transition tables and
// sends them in chunks, each notification under PostgreSQL's 8000-byte
// limit whatever the column contents:
//
//   {"type": "inserted", "rows": [{"id" : 1, "owner_id" : 2}, ...]}
//
// Each row object is byte for byte what the row-level function sends as
// "values", so the watcher turns a chunk into the same per-row changes. A
// row too large for a chunk of its own is sent alone in the row-level
// reduced form (key only, or nothing when the key itself is too large), in
// its place in the sequence.
//
// Updates with trigger columns compare old and new versions of each row in
// the function (PostgreSQL rejects column lists on triggers with transition
// tables). Versions are paired by position, not by primary key: PostgreSQL
// appends a row's old and new version to the two transition tables together,
// so the i-th old row is the i-th new row's previous version even when the
// statement changed primary keys (a join on the key would lose those rows or
// pair the wrong ones when keys are swapped). Should the tables ever differ
// in length, every new row is sent: more changes, never fewer.
#pragma once

#include <string>

#include "libwatch/table_info.hpp"

namespace libwatch::sql {

/// Transition table names the function reads.
constexpr const char* new_rows_table = "lw_new_rows";
constexpr const char* old_rows_table = "lw_old_rows";

/// ` REFERENCING ... TABLE AS ...` for the watcher's CREATE TRIGGER: the new
/// rows for inserts and updates, the old rows for deletes and for updates
/// with trigger columns.
std::string transition_tables(const resolved_watcher& w);

/// The PL/pgSQL body of the statement-level trigger function.
std::string statement_function_body(const resolved_watcher& w);

/// Whether an update watcher compares old and new versions of its rows
/// (it has trigger columns). The rows query then reads the PL/pgSQL
/// variable `lw_paired`, set by `pairing_statement`.
bool compares_versions(const resolved_watcher& w);

/// `lw_paired := ...;`: whether the transition tables can be paired.
std::string pairing_statement();

/// A query over the transition tables returning `(lw_json text, lw_key)`
/// for each row to report, in the order the statement changed them.
std::string rows_query(const resolved_watcher& w);

/// What a chunk notification starts with (`{"type": "inserted", "rows": [`).
std::string chunk_prefix(event_kind event);

} // namespace libwatch::sql
