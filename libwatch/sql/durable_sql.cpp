#include "libwatch/sql/durable_sql.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/sql/json_sql.hpp"
#include "libwatch/sql/statement_level.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::sql {

namespace {

std::string table(const char* name) {
  return quote_identifier(log_schema) + "." + name;
}

std::string insert_into_log() {
  return "INSERT INTO " + table("change_log") + " (watcher, payload) ";
}

std::string wake_up(const resolved_watcher& w) {
  return "PERFORM pg_catalog.pg_notify(" + quote_literal(w.names.channel)
         + ", '');";
}

} // namespace

std::vector<std::string> log_setup_statements() {
  return {
    "CREATE SCHEMA IF NOT EXISTS " + quote_identifier(log_schema),
    // Writers pay for every index here: no primary key (entries are found
    // by transaction id, pruned by ctid) and a BRIN index, which costs an
    // insert next to nothing, on the transaction id as bigint (xid8 has no
    // BRIN operator class). Measured with 32 writers: the btree indexes cost
    // a fifth of the throughput. Entry numbers come 64 at a time per session
    // (less contention on the sequence); they order entries within a
    // transaction, and batches order transactions.
    "CREATE TABLE IF NOT EXISTS " + table("change_log")
      + " (entry bigint GENERATED ALWAYS AS IDENTITY (CACHE 64),"
        " watcher text NOT NULL,"
        " xid bigint NOT NULL DEFAULT pg_catalog.txid_current(),"
        " payload text NOT NULL,"
        " logged_at timestamptz NOT NULL DEFAULT pg_catalog.now())",
    "CREATE INDEX IF NOT EXISTS change_log_xid ON " + table("change_log")
      + " USING brin (xid)",
    // The trigger runs as the writer (SECURITY DEFINER and its SET
    // search_path cost 6-8 % of the throughput of 32 writers), so every
    // writer may append to the log - as every role may NOTIFY any channel:
    // entries are as untrusted as notifications and decoded as strictly.
    // Nobody but libwatch's role may read, change or delete them.
    "GRANT USAGE ON SCHEMA " + quote_identifier(log_schema) + " TO PUBLIC",
    "GRANT INSERT ON " + table("change_log") + " TO PUBLIC",
    "CREATE TABLE IF NOT EXISTS " + table("consumer_ticks")
      + " (consumer text NOT NULL, watcher text NOT NULL, tick bigint NOT "
        "NULL, snapshot pg_catalog.pg_snapshot NOT NULL,"
        " taken_at timestamptz NOT NULL DEFAULT pg_catalog.now(),"
        " PRIMARY KEY (consumer, watcher, tick))",
    "CREATE TABLE IF NOT EXISTS " + table("consumers")
      + " (consumer text NOT NULL, watcher text NOT NULL, tick bigint NOT "
        "NULL, entry bigint NOT NULL,"
        " updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),"
        " PRIMARY KEY (consumer, watcher))",
  };
}

std::string durable_function_body(const resolved_watcher& w) {
  auto channel = quote_literal(w.names.channel);
  auto notify = w.spec.wakeup == wakeup_mode::notify;
  if (w.spec.level == trigger_level::row)
    return "\nBEGIN\n  " + insert_into_log() + "VALUES (" + channel + ", "
           + payload_expression(w) + ");\n"
           + (notify ? "  " + wake_up(w) + "\n" : std::string{})
           + "  RETURN NULL;\nEND;\n";
  // Each row is logged in the row-level form, byte for byte.
  auto head
    = quote_literal("{\"type\" : \"" + std::string{to_string_view(w.spec.event)}
                    + "\", \"values\" : ");
  std::string out = "\n";
  if (compares_versions(w))
    out += "DECLARE\n  lw_paired boolean;\n";
  out += "BEGIN\n";
  if (compares_versions(w))
    out += "  " + pairing_statement() + "\n";
  out += "  " + insert_into_log() + "SELECT " + channel + ", " + head
         + " || lw_rows.lw_json || '}' FROM (" + rows_query(w)
         + ") AS lw_rows;\n";
  if (notify)
    out += "  IF FOUND THEN\n    " + wake_up(w) + "\n  END IF;\n";
  out += "  RETURN NULL;\nEND;\n";
  return out;
}

std::string consumer_state_query() {
  return "SELECT tick, entry FROM " + table("consumers")
         + " WHERE consumer = $1 AND watcher = $2";
}

std::string register_consumer_statement() {
  return "WITH tick AS (INSERT INTO " + table("consumer_ticks")
         + " (consumer, watcher, tick, snapshot) VALUES ($1, $2, 0, "
           "pg_catalog.pg_current_snapshot()) ON CONFLICT DO NOTHING) "
           "INSERT INTO "
         + table("consumers")
         + " (consumer, watcher, tick, entry) VALUES ($1, $2, 0, 0) ON "
           "CONFLICT DO NOTHING";
}

std::string take_tick_statement() {
  return "INSERT INTO " + table("consumer_ticks")
         + " (consumer, watcher, tick, snapshot) VALUES ($1, $2, $3::bigint, "
           "pg_catalog.pg_current_snapshot()) ON CONFLICT DO NOTHING";
}

std::string read_batch_query() {
  // The snapshots' bounds as bigint (txid_current()'s type) so the BRIN
  // index on xid applies: every transaction visible in c and not in p lies
  // in [xmin(p), xmax(c)).
  auto snapshot = [](const char* bound, const char* tick) {
    return std::string{"(SELECT pg_catalog."} + bound
           + "(t.snapshot)::text::"
             "bigint FROM "
           + table("consumer_ticks")
           + " t WHERE t.consumer = $1 AND t.watcher = $2 AND t.tick = " + tick
           + ")";
  };
  return "SELECT l.entry, l.payload FROM " + table("change_log") + " l, "
         + table("consumer_ticks") + " p, " + table("consumer_ticks")
         + " c WHERE p.consumer = $1 AND p.watcher = $2 AND p.tick = "
           "$3::bigint - 1 AND c.consumer = $1 AND c.watcher = $2 AND c.tick "
           "= $3::bigint AND l.watcher = $2 AND l.entry > $4::bigint"
           " AND l.xid >= "
         + snapshot("pg_snapshot_xmin", "$3::bigint - 1") + " AND l.xid < "
         + snapshot("pg_snapshot_xmax", "$3::bigint")
         + " AND pg_catalog.pg_visible_in_snapshot(l.xid::text::pg_catalog."
           "xid8, c.snapshot)"
           " AND NOT pg_catalog.pg_visible_in_snapshot(l.xid::text::pg_catalog."
           "xid8, p.snapshot)"
           " ORDER BY l.entry LIMIT $5::bigint";
}

std::string advance_statement() {
  return "WITH moved AS (UPDATE " + table("consumers")
         + " SET tick = $3::bigint, entry = $4::bigint, updated_at = "
           "pg_catalog.now() WHERE consumer = $1 AND watcher = $2) DELETE FROM "
         + table("consumer_ticks")
         + " WHERE consumer = $1 AND watcher = $2 AND tick < $3::bigint";
}

std::string prune_statement() {
  // An entry is passed by a consumer when its transaction is visible in the
  // snapshot of the consumer's last finished tick.
  return "WITH doomed AS (SELECT l.ctid FROM " + table("change_log")
         + " l WHERE l.watcher = $1 AND (l.logged_at < pg_catalog.now() - "
           "pg_catalog.make_interval(secs => $2::float8) OR NOT EXISTS ("
           "SELECT 1 FROM "
         + table("consumers") + " c JOIN " + table("consumer_ticks")
         + " t ON t.consumer = c.consumer AND t.watcher = c.watcher AND "
           "t.tick = c.tick WHERE c.watcher = $1 AND NOT "
           "pg_catalog.pg_visible_in_snapshot(l.xid::text::pg_catalog.xid8, "
           "t.snapshot))) LIMIT $3::bigint) DELETE FROM "
         + table("change_log")
         + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM doomed))";
}

} // namespace libwatch::sql
