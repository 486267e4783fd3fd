#include "libwatch/pg/replication_setup.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "libwatch/identifiers.hpp"
#include "libwatch/pg/replication_check.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::pg {

namespace {

// -- queries -----------------------------------------------------------------

const std::string in_publication_query = R"sql(
SELECT 1
  FROM pg_catalog.pg_publication_rel r
  JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid
 WHERE p.pubname = $1 AND r.prrelid = $2::regclass)sql";

const std::string publications_query = R"sql(
SELECT p.pubname,
       COALESCE(pg_catalog.obj_description(p.oid, 'pg_publication'), '')
         AS comment
  FROM pg_catalog.pg_publication p
 WHERE p.pubname IN ($1, $2))sql";

const std::string status_query = R"sql(
SELECT s.slot_name IS NOT NULL AS has_slot,
       COALESCE(s.active, false) AS active,
       COALESCE(s.active_pid, 0) AS active_pid,
       COALESCE(s.wal_status, '') AS wal_status,
       COALESCE(s.confirmed_flush_lsn::text, '') AS confirmed_flush_lsn,
       COALESCE(s.restart_lsn::text, '') AS restart_lsn,
       COALESCE(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),
                                           s.restart_lsn)::int8, -1)
         AS retained_bytes,
       COALESCE(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),
                                           s.confirmed_flush_lsn)::int8, -1)
         AS flush_lag_bytes,
       COALESCE(s.safe_wal_size, -1) AS safe_wal_size
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = $1)sql";

const std::string publication_tables_query = R"sql(
SELECT p.pubname, COALESCE(n.nspname::text, '') AS nspname,
       COALESCE(c.relname::text, '') AS relname
  FROM pg_catalog.pg_publication p
  LEFT JOIN pg_catalog.pg_publication_rel pr ON pr.prpubid = p.oid
  LEFT JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE p.pubname IN ($1, $2)
 ORDER BY p.pubname = $1 DESC, n.nspname, c.relname)sql";

const std::string orphans_query = R"sql(
SELECT 'slot' AS kind, s.slot_name::text AS name, '' AS comment,
       s.active,
       COALESCE(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),
                                           s.restart_lsn)::int8, -1)
         AS retained_bytes
  FROM pg_catalog.pg_replication_slots s
 WHERE s.slot_name LIKE 'lw\_%' AND s.plugin = 'pgoutput'
   AND s.database = pg_catalog.current_database()
UNION ALL
SELECT 'publication', p.pubname::text, d.description, false, -1
  FROM pg_catalog.pg_publication p
  JOIN pg_catalog.pg_description d
    ON d.objoid = p.oid
   AND d.classoid = 'pg_catalog.pg_publication'::pg_catalog.regclass
 WHERE p.pubname LIKE 'lw\_%' AND d.description LIKE 'libwatch:v1 %'
 ORDER BY 1, 2)sql";

// -- markers -----------------------------------------------------------------

// The COMMENTs libwatch puts on its publications. The main one carries the
// slot marker; both name the consumer (for `replication_orphans`).
std::string marker_prefix(const replication_names& names) {
  return std::string{sql::ownership_marker} + " consumer=" + names.consumer;
}

std::string main_comment(const replication_names& names, bool created) {
  return marker_prefix(names) + (created ? " slot=created" : " slot=pending");
}

std::string insert_comment(const replication_names& names) {
  return marker_prefix(names) + " insert-only";
}

bool is_ours(std::string_view comment) {
  std::string prefix = std::string{sql::ownership_marker} + " ";
  return comment.substr(0, prefix.size()) == prefix;
}

// The value of `key=` in a marker, or "".
std::string marker_field(std::string_view comment, std::string_view key) {
  std::string needle = " " + std::string{key} + "=";
  auto pos = comment.find(needle);
  if (pos == std::string_view::npos)
    return {};
  auto rest = comment.substr(pos + needle.size());
  return std::string{rest.substr(0, rest.find(' '))};
}

caf::error not_ours(const std::string& publication) {
  return make_error(errc::catalog_mismatch,
                    "publication " + quote_identifier(publication)
                      + " exists but was not created by libwatch (its COMMENT "
                        "lacks \""
                      + sql::ownership_marker
                      + "\"); libwatch leaves it alone: drop it or choose "
                        "another consumer name");
}

// -- statements --------------------------------------------------------------

using step_fn = std::function<caf::expected<result>(const std::string&,
                                                    const std::vector<param>&)>;

// Runs `body` in one transaction holding libwatch's DDL lock.
caf::error in_ddl_transaction(connection& conn, const std::string& context,
                              caf::timespan timeout,
                              const std::function<caf::error(step_fn)>& body) {
  step_fn step = [&](const std::string& sql, const std::vector<param>& params) {
    return conn.exec(context, sql, params, timeout);
  };
  auto run = [&]() -> caf::error {
    if (auto res = step("BEGIN", {}); !res)
      return res.error();
    if (timeout.count() > 0) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
      auto sql = "SET LOCAL lock_timeout = "
                 + std::to_string(std::max<int64_t>(1, ms.count()));
      if (auto res = step(sql, {}); !res)
        return res.error();
    }
    auto lock = "SELECT pg_catalog.pg_advisory_xact_lock("
                + std::to_string(sql::ddl_lock_key) + ")";
    if (auto res = step(lock, {}); !res)
      return res.error();
    if (auto err = body(step))
      return err;
    auto res = step("COMMIT", {});
    return res ? caf::none : res.error();
  };
  auto err = run();
  if (err && conn.ok())
    conn.exec(context, "ROLLBACK");
  return err;
}

bool truth(const result& res, int row, std::string_view column) {
  return res.get(row, column) == "t";
}

int64_t number(const result& res, int row, std::string_view column) {
  return std::stoll(std::string{res.get(row, column)});
}

caf::expected<result> read_state(connection& conn,
                                 const replication_names& names,
                                 caf::timespan timeout) {
  return conn.exec("reading the state of replication slot " + names.slot,
                   replication_state_query, {names.publication, names.slot},
                   timeout);
}

caf::error foreign_slot(const replication_names& names, const result& st) {
  auto db = st.get(0, "slot_database");
  return make_error(errc::catalog_mismatch,
                    "replication slot " + quote_identifier(names.slot)
                      + (db.empty()
                           ? std::string{" is a physical slot"}
                           : " belongs to database " + quote_identifier(db))
                      + " (plugin \"" + std::string{st.get(0, "plugin")}
                      + "\"), not to this one's consumer " + names.consumer
                      + "; slot names are cluster-wide: choose another "
                        "consumer name");
}

bool slot_is_foreign(const result& st) {
  return truth(st, 0, "has_slot")
         && (st.get(0, "slot_database") != st.get(0, "database")
             || st.get(0, "plugin") != "pgoutput");
}

std::string recovery_hint(const replication_names& names) {
  return "; changes made since then are lost to this consumer. To start "
         "afresh from now on, run `libwatch install` or call "
         "pg::recreate_slot for consumer "
         + names.consumer + " (then resynchronise what the gap missed)";
}

caf::error set_marker(connection& conn, const replication_names& names,
                      caf::timespan timeout) {
  auto res
    = conn.exec("recording that slot " + names.slot + " was created",
                "COMMENT ON PUBLICATION " + quote_identifier(names.publication)
                  + " IS " + quote_literal(main_comment(names, true)),
                {}, timeout);
  return res ? caf::none : res.error();
}

// Creates the slot (outside any transaction) and records it.
caf::expected<slot_outcome> create_slot(connection& conn,
                                        const replication_names& names,
                                        caf::timespan timeout) {
  auto res = conn.exec("creating replication slot " + names.slot,
                       "SELECT lsn::text AS lsn FROM "
                       "pg_catalog.pg_create_logical_replication_slot($1, "
                       "'pgoutput')",
                       {names.slot}, timeout);
  auto outcome = slot_outcome::created;
  if (!res) {
    // Another node of this consumer may have created it just now (42710).
    auto st = read_state(conn, names, timeout);
    if (!st || !truth(*st, 0, "has_slot") || slot_is_foreign(*st))
      return res.error();
    outcome = slot_outcome::existed;
  }
  if (auto err = set_marker(conn, names, timeout))
    return err;
  return outcome;
}

caf::error drop_slot(connection& conn, const replication_names& names,
                     caf::timespan timeout) {
  auto in_use = [&](std::string_view pid) {
    return make_error(
      errc::in_use, "replication slot " + quote_identifier(names.slot)
                      + " is in use by the walsender of PID " + std::string{pid}
                      + " (a node of consumer " + names.consumer
                      + " streams from it); stop that node first, or end "
                        "the stream with: SELECT pg_terminate_backend("
                      + std::string{pid} + ")");
  };
  auto st = read_state(conn, names, timeout);
  if (!st)
    return st.error();
  if (!truth(*st, 0, "has_slot"))
    return caf::none;
  if (slot_is_foreign(*st))
    return foreign_slot(names, *st);
  if (truth(*st, 0, "active"))
    return in_use(st->get(0, "active_pid"));
  // Without WAIT, PostgreSQL fails at once (55006) if a walsender took the
  // slot in the meantime instead of waiting for it.
  auto res = conn.exec("dropping replication slot " + names.slot,
                       "SELECT pg_catalog.pg_drop_replication_slot($1)",
                       {names.slot}, timeout);
  if (!res) {
    auto again = read_state(conn, names, timeout);
    if (again && truth(*again, 0, "active"))
      return in_use(again->get(0, "active_pid"));
    return res.error();
  }
  return caf::none;
}

} // namespace

caf::expected<replication_names>
replication_names_for(std::string_view consumer) {
  auto bad = [&](std::string why) {
    return make_error(errc::invalid_spec,
                      "consumer \"" + std::string{consumer} + "\" " + why);
  };
  if (!is_valid_label(consumer))
    return bad("must match [a-z_][a-z0-9_]* (it names the replication slot "
               "and publications)");
  if (consumer.size() > max_consumer_bytes)
    return bad("is longer than " + std::to_string(max_consumer_bytes)
               + " bytes: its publication lw_<consumer>_ins would not fit "
                 "PostgreSQL's 63-byte names");
  auto ins = std::string_view{"_ins"};
  if (consumer.size() >= ins.size()
      && consumer.substr(consumer.size() - ins.size()) == ins)
    return bad("ends in _ins, which would collide with the insert-only "
               "publication of consumer \""
               + std::string{consumer.substr(0, consumer.size() - ins.size())}
               + "\"");
  replication_names out;
  out.consumer = consumer;
  out.slot = "lw_" + out.consumer;
  out.publication = out.slot;
  out.insert_publication = out.slot + "_ins";
  return out;
}

caf::expected<std::vector<std::string>>
ensure_publications(connection& conn, const replication_names& names,
                    const std::vector<resolved_watcher>& watchers,
                    caf::timespan timeout) {
  std::vector<std::string> out;
  auto context = "setting up the publications of consumer " + names.consumer;
  auto failed
    = in_ddl_transaction(conn, context, timeout, [&](const step_fn& step) {
        auto pubs = step(publications_query,
                         {names.publication, names.insert_publication});
        if (!pubs)
          return pubs.error();
        bool has_main = false;
        bool has_insert = false;
        for (int r = 0; r < pubs->rows(); ++r) {
          std::string name{pubs->get(r, "pubname")};
          if (!is_ours(pubs->get(r, "comment")))
            return not_ours(name);
          (name == names.publication ? has_main : has_insert) = true;
        }
        std::vector<replication_problem> problems;
        auto tables = check_tables(conn, names, watchers, problems, timeout);
        if (!tables)
          return tables.error();
        if (!problems.empty()) {
          bool privileges_only
            = std::all_of(problems.begin(), problems.end(), [](auto& p) {
                return p.code == errc::missing_privilege;
              });
          std::string text
            = "consumer " + names.consumer + ": publications not changed:";
          for (auto& p : problems)
            text += "\n  " + p.description + "; fix: " + p.fix;
          return make_error(privileges_only ? errc::missing_privilege
                                            : errc::catalog_mismatch,
                            std::move(text));
        }
        std::string add_main;
        std::string add_insert;
        // A table moving to the main publication (it got an update or delete
        // watcher) leaves the insert-only one: each table in one place.
        std::vector<std::string> leave_insert;
        for (auto& t : *tables) {
          if (t.published)
            continue;
          if (!t.inserts_only && has_insert) {
            auto in_insert
              = step(in_publication_query, {names.insert_publication, t.table});
            if (!in_insert)
              return in_insert.error();
            if (in_insert->rows() > 0)
              leave_insert.push_back(t.table);
          }
          auto& list = t.inserts_only ? add_insert : add_main;
          list += (list.empty() ? "" : ", ") + t.table;
        }
        // No row filters and no column lists: either can make the user's
        // UPDATE/DELETE fail (42P10) when it does not cover the replica
        // identity, and the WAL source wants whole rows anyway.
        auto create = [&](const std::string& pub, const char* publish,
                          const std::string& comment) -> caf::error {
          auto sql = "CREATE PUBLICATION " + quote_identifier(pub)
                     + " WITH (publish = '" + publish
                     + "', publish_via_partition_root = true)";
          if (auto res = step(sql, {}); !res)
            return res.error();
          auto res = step("COMMENT ON PUBLICATION " + quote_identifier(pub)
                            + " IS " + quote_literal(comment),
                          {});
          return res ? caf::none : res.error();
        };
        auto add
          = [&](const std::string& pub, const std::string& list) -> caf::error {
          if (list.empty())
            return caf::none;
          auto res = step("ALTER PUBLICATION " + quote_identifier(pub)
                            + " ADD TABLE " + list,
                          {});
          return res ? caf::none : res.error();
        };
        if (!has_main)
          if (auto err
              = create(names.publication, "insert, update, delete, truncate",
                       main_comment(names, false)))
            return err;
        if (auto err = add(names.publication, add_main))
          return err;
        for (auto& table : leave_insert)
          if (auto res = step("ALTER PUBLICATION "
                                + quote_identifier(names.insert_publication)
                                + " DROP TABLE " + table,
                              {});
              !res)
            return res.error();
        out.push_back(names.publication);
        // Created with the main one even while empty: the stream names both
        // when it starts, and one created later would go unread until the
        // stream restarts.
        if (!has_insert) {
          if (auto err = create(names.insert_publication, "insert, truncate",
                                insert_comment(names)))
            return err;
          has_insert = true;
        }
        if (auto err = add(names.insert_publication, add_insert))
          return err;
        if (has_insert)
          out.push_back(names.insert_publication);
        return caf::error{};
      });
  if (failed)
    return failed;
  return out;
}

caf::expected<slot_outcome> ensure_slot(connection& conn,
                                        const replication_names& names,
                                        caf::timespan timeout) {
  auto st = read_state(conn, names, timeout);
  if (!st)
    return st.error();
  auto slot = quote_identifier(names.slot);
  if (!truth(*st, 0, "has_publication"))
    return make_error(errc::catalog_mismatch,
                      "publication " + quote_identifier(names.publication)
                        + " does not exist: set up the publications before "
                          "the slot (a change made before the publication "
                          "exists breaks the stream)");
  std::string comment{st->get(0, "comment")};
  if (!is_ours(comment))
    return not_ours(names.publication);
  if (slot_is_foreign(*st))
    return foreign_slot(names, *st);
  auto marker = marker_field(comment, "slot");
  if (truth(*st, 0, "has_slot")) {
    if (st->get(0, "wal_status") == "lost")
      return make_error(errc::slot_lost,
                        "replication slot " + slot
                          + " was invalidated by PostgreSQL (wal_status = "
                            "lost: it fell further behind than "
                            "max_slot_wal_keep_size allows)"
                          + recovery_hint(names));
    // A node may have stopped between creating the slot and recording it.
    if (marker != "created")
      if (auto err = set_marker(conn, names, timeout))
        return err;
    return slot_outcome::existed;
  }
  if (marker == "created")
    return make_error(errc::slot_lost,
                      "replication slot " + slot
                        + " was dropped behind libwatch's back (publication "
                        + quote_identifier(names.publication)
                        + " records it as created, but it no longer "
                          "exists); libwatch does not re-create it silently"
                        + recovery_hint(names));
  return create_slot(conn, names, timeout);
}

caf::expected<slot_outcome> recreate_slot(connection& conn,
                                          const replication_names& names,
                                          caf::timespan timeout) {
  auto st = read_state(conn, names, timeout);
  if (!st)
    return st.error();
  if (!truth(*st, 0, "has_publication"))
    return make_error(errc::catalog_mismatch,
                      "publication " + quote_identifier(names.publication)
                        + " does not exist: set up the publications first");
  if (!is_ours(st->get(0, "comment")))
    return not_ours(names.publication);
  if (slot_is_foreign(*st))
    return foreign_slot(names, *st);
  if (truth(*st, 0, "has_slot")) {
    if (st->get(0, "wal_status") != "lost")
      return slot_outcome::existed;
    if (auto err = drop_slot(conn, names, timeout))
      return err;
  }
  return create_slot(conn, names, timeout);
}

caf::expected<std::vector<std::string>>
setup_replication(connection& conn, const replication_names& names,
                  const std::vector<resolved_watcher>& watchers,
                  caf::timespan timeout) {
  auto pubs = ensure_publications(conn, names, watchers, timeout);
  if (!pubs)
    return pubs.error();
  if (auto slot = ensure_slot(conn, names, timeout); !slot)
    return slot.error();
  return pubs;
}

caf::expected<replication_status>
replication_status_of(connection& conn, const replication_names& names,
                      caf::timespan timeout) {
  auto context = "reading the status of replication slot " + names.slot;
  auto res = conn.exec(context, status_query, {names.slot}, timeout);
  if (!res)
    return res.error();
  replication_status out;
  out.slot = names.slot;
  out.exists = truth(*res, 0, "has_slot");
  out.active = truth(*res, 0, "active");
  out.active_pid = static_cast<int>(number(*res, 0, "active_pid"));
  out.wal_status = res->get(0, "wal_status");
  out.confirmed_flush_lsn = res->get(0, "confirmed_flush_lsn");
  out.restart_lsn = res->get(0, "restart_lsn");
  out.retained_bytes = number(*res, 0, "retained_bytes");
  out.flush_lag_bytes = number(*res, 0, "flush_lag_bytes");
  out.safe_wal_size = number(*res, 0, "safe_wal_size");
  auto pubs = conn.exec(context, publication_tables_query,
                        {names.publication, names.insert_publication}, timeout);
  if (!pubs)
    return pubs.error();
  for (int r = 0; r < pubs->rows(); ++r) {
    auto name = pubs->get(r, "pubname");
    if (out.publications.empty() || out.publications.back().name != name)
      out.publications.push_back({std::string{name}, {}});
    if (auto rel = pubs->get(r, "relname"); !rel.empty())
      out.publications.back().tables.push_back(
        quote_qualified(pubs->get(r, "nspname"), rel));
  }
  auto st = read_state(conn, names, timeout);
  if (!st)
    return st.error();
  out.marker = marker_field(st->get(0, "comment"), "slot");
  return out;
}

caf::error uninstall_replication(connection& conn,
                                 const replication_names& names,
                                 caf::timespan timeout) {
  if (auto err = drop_slot(conn, names, timeout))
    return err;
  auto context = "dropping the publications of consumer " + names.consumer;
  return in_ddl_transaction(conn, context, timeout, [&](const step_fn& step) {
    auto pubs
      = step(publications_query, {names.publication, names.insert_publication});
    if (!pubs)
      return pubs.error();
    for (int r = 0; r < pubs->rows(); ++r) {
      if (!is_ours(pubs->get(r, "comment")))
        continue; // not libwatch's: left alone
      auto res = step("DROP PUBLICATION IF EXISTS "
                        + quote_identifier(pubs->get(r, "pubname")),
                      {});
      if (!res)
        return res.error();
    }
    return caf::error{};
  });
}

caf::expected<std::vector<replication_orphan>>
replication_orphans(connection& conn, std::string_view consumer,
                    caf::timespan timeout) {
  auto res = conn.exec("listing abandoned replication slots", orphans_query, {},
                       timeout);
  if (!res)
    return res.error();
  std::vector<replication_orphan> out;
  for (int r = 0; r < res->rows(); ++r) {
    replication_orphan x;
    x.name = res->get(r, "name");
    if (res->get(r, "kind") == "slot") {
      x.kind = replication_orphan::kind_t::slot;
      x.consumer = x.name.substr(3);
      x.active = truth(*res, r, "active");
      x.retained_bytes = number(*res, r, "retained_bytes");
    } else {
      x.kind = replication_orphan::kind_t::publication;
      x.consumer = marker_field(res->get(r, "comment"), "consumer");
    }
    if (x.consumer != consumer)
      out.push_back(std::move(x));
  }
  return out;
}

} // namespace libwatch::pg
