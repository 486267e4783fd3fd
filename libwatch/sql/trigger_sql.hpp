// The SQL text of a watcher's trigger function and trigger. Pure functions of
// a resolved watcher, so the exact text is unit-tested.
//
// Payload (json_build_object keeps column order):
//   {"type" : "updated", "values" : {"id" : 7, "post_id" : 3}}
// numeric columns are sent as strings so no digit is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "libwatch/table_info.hpp"

namespace libwatch::sql {

/// Key of the transaction-level advisory lock every libwatch process takes
/// around its DDL, so processes starting together install one after another.
/// ("libwatch" in ASCII.)
constexpr int64_t ddl_lock_key = 0x6c69627761746368;

/// Marker that starts the COMMENT of every function libwatch creates
/// (`libwatch:v1 watcher=NAME`). A function without it is never libwatch's,
/// and a trigger is libwatch's exactly when its function is.
constexpr const char* ownership_marker = "libwatch:v1";

/// PostgreSQL rejects NOTIFY payloads of this many bytes or more, raising
/// inside the trigger and so rolling back the writer's transaction.
constexpr size_t notify_payload_limit = 8000;

/// The expression a trigger function passes to pg_notify as payload.
std::string payload_expression(const resolved_watcher& w);

/// The payload sent instead when `payload_expression` reaches the limit: the
/// primary key alone and `"reduced": true`. The watcher then reads the other
/// columns from the table.
std::string key_only_expression(const resolved_watcher& w);

/// A query returning, for the row whose key is `$1` (as text), the same JSON
/// as `payload_expression` in column `payload` (no row if it is gone).
/// Reads the whole row, so no size limit applies.
std::string fetch_statement(const resolved_watcher& w);

/// The PL/pgSQL body of the trigger function, exactly as PostgreSQL stores
/// it in `pg_proc.prosrc` (so comparing the two detects drift). It never
/// raises for payload size: at the limit it sends `key_only_expression`, and
/// when even the key is too large, `{"type": ..., "reduced": true, "values":
/// {}}`.
std::string function_body(const resolved_watcher& w);

/// The function's `SET` clauses (name, value): `jit = off` at statement
/// level.
std::vector<std::pair<std::string, std::string>>
function_settings(const resolved_watcher& w);

/// `CREATE OR REPLACE FUNCTION ...` for the watcher's trigger function.
std::string create_function(const resolved_watcher& w);

/// The `WHEN (...)` condition of an `updated` watcher with trigger columns,
/// or an empty string.
std::string trigger_condition(const resolved_watcher& w);

/// Statements that create or replace the function and trigger, mark the
/// function as libwatch's and, with `enable_always`, make the trigger fire in
/// replica sessions too. `server_version` is the server's version number
/// (`pg::connection::server_version()`); servers before
/// `pg::replace_trigger_version` lack CREATE OR REPLACE TRIGGER and get
/// DROP + CREATE instead. Run them
/// in one transaction after taking `ddl_lock_key`.
std::vector<std::string> install_statements(const resolved_watcher& w,
                                            int server_version);

/// Statements that drop the watcher's trigger and function if they exist.
std::vector<std::string> uninstall_statements(const resolved_watcher& w);

} // namespace libwatch::sql
