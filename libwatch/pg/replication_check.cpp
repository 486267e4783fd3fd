#include "libwatch/pg/replication_check.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "libwatch/identifiers.hpp"

namespace libwatch::pg {

const std::string replication_state_query = R"sql(
SELECT p.oid IS NOT NULL AS has_publication,
       COALESCE(pg_catalog.obj_description(p.oid, 'pg_publication'), '')
         AS comment,
       s.slot_name IS NOT NULL AS has_slot,
       COALESCE(s.database::text, '') AS slot_database,
       COALESCE(s.plugin::text, '') AS plugin,
       COALESCE(s.wal_status, '') AS wal_status,
       COALESCE(s.active, false) AS active,
       COALESCE(s.active_pid, 0) AS active_pid,
       pg_catalog.current_database() AS database
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_publication p ON p.pubname = $1
  LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = $2)sql";

namespace {

const std::string settings_query = R"sql(
SELECT pg_catalog.current_setting('wal_level') AS wal_level,
       pg_catalog.current_setting('max_replication_slots') AS max_slots,
       pg_catalog.current_setting('max_wal_senders') AS max_senders,
       pg_catalog.current_setting('max_slot_wal_keep_size') AS keep_size,
       (SELECT count(*) FROM pg_catalog.pg_replication_slots) AS used_slots,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity
         WHERE backend_type = 'walsender') AS used_senders,
       r.rolname AS role, r.rolsuper AS superuser,
       r.rolreplication AS replication,
       pg_catalog.has_database_privilege(pg_catalog.current_database(),
                                         'CREATE') AS may_create,
       pg_catalog.current_database() AS database
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = current_user)sql";

const std::string table_query = R"sql(
SELECT c.oid, c.relkind,
       pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owns,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr
                 JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
                WHERE pr.prrelid = c.oid AND p.pubname = $3) AS in_main,
       EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr
                 JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
                WHERE pr.prrelid = c.oid AND p.pubname = $4) AS in_insert
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2)sql";

// The relations that writes to the table hit: itself, or its leaf partitions
// (whose replica identity PostgreSQL checks on UPDATE and DELETE).
const std::string leaves_query = R"sql(
WITH rels AS (
  SELECT t.relid
    FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass)
         AS t
   WHERE t.isleaf
  UNION
  SELECT $1::pg_catalog.oid)
SELECT c.oid, n.nspname, c.relname, c.relreplident,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
  FROM rels
  JOIN pg_catalog.pg_class c ON c.oid = rels.relid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
 ORDER BY n.nspname, c.relname)sql";

const std::string identity_columns_query = R"sql(
SELECT a.attname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_index i ON i.indrelid = c.oid
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
 WHERE c.oid = $1::pg_catalog.oid
   AND CASE c.relreplident WHEN 'd' THEN i.indisprimary
                           WHEN 'i' THEN i.indisreplident
                           ELSE false END
 ORDER BY pg_catalog.array_position(i.indkey::int2[], a.attnum))sql";

bool truth(const result& res, int row, std::string_view column) {
  return res.get(row, column) == "t";
}

int64_t number(const result& res, int row, std::string_view column) {
  return std::stoll(std::string{res.get(row, column)});
}

bool slot_is_foreign(const result& st) {
  return truth(st, 0, "has_slot")
         && (st.get(0, "slot_database") != st.get(0, "database")
             || st.get(0, "plugin") != "pgoutput");
}

// -- tables ------------------------------------------------------------------

// A relation that writes hit (the table, or a leaf partition of it).
struct leaf {
  std::string name; // quoted, qualified
  char replident = 'd';
  bool has_pk = false;
  // Columns of the replica identity (none for FULL or NOTHING).
  std::set<std::string> identity;

  bool usable() const {
    return replident == 'f' || !identity.empty();
  }

  std::string identity_text() const {
    switch (replident) {
      case 'f':
        return "FULL";
      case 'n':
        return "NOTHING";
      case 'i':
        return identity.empty() ? "USING INDEX on a dropped index"
                                : "USING INDEX";
      default:
        return has_pk ? "DEFAULT, the primary key"
                      : "DEFAULT without a primary key";
    }
  }
};

struct watched_table {
  std::string name; // quoted, qualified
  std::string owner;
  bool owns = false;
  bool in_main = false;
  bool in_insert = false;
  std::vector<leaf> leaves;
  std::vector<const resolved_watcher*> watchers;

  // Only `inserted` watchers: the insert-only publication suffices.
  bool inserts_only() const {
    return std::all_of(watchers.begin(), watchers.end(), [](auto* w) {
      return w->spec.event == event_kind::inserted;
    });
  }

  bool published() const {
    return in_main || (inserts_only() && in_insert);
  }
};

caf::expected<std::vector<watched_table>>
read_tables(connection& conn, const replication_names& names,
            const std::vector<resolved_watcher>& watchers,
            caf::timespan timeout) {
  std::map<std::pair<std::string, std::string>, watched_table> by_name;
  for (auto& w : watchers) {
    auto& t = by_name[{w.spec.schema, w.spec.table}];
    if (!t.watchers.empty()) {
      t.watchers.push_back(&w);
      continue;
    }
    t.name = quote_qualified(w.spec.schema, w.spec.table);
    t.watchers.push_back(&w);
    auto context = "reading the replica identity of " + t.name;
    auto rel = conn.exec(context, table_query,
                         {w.spec.schema, w.spec.table, names.publication,
                          names.insert_publication},
                         timeout);
    if (!rel)
      return rel.error();
    if (rel->rows() == 0)
      return make_error(errc::catalog_mismatch,
                        "table " + t.name + " does not exist");
    t.owns = truth(*rel, 0, "owns");
    t.owner = rel->get(0, "owner");
    t.in_main = truth(*rel, 0, "in_main");
    t.in_insert = truth(*rel, 0, "in_insert");
    std::string oid{rel->get(0, "oid")};
    auto leaves = conn.exec(context, leaves_query, {oid}, timeout);
    if (!leaves)
      return leaves.error();
    for (int r = 0; r < leaves->rows(); ++r) {
      leaf x;
      x.name
        = quote_qualified(leaves->get(r, "nspname"), leaves->get(r, "relname"));
      auto ident = leaves->get(r, "relreplident");
      x.replident = ident.empty() ? 'd' : ident.front();
      x.has_pk = truth(*leaves, r, "has_pk");
      std::string leaf_oid{leaves->get(r, "oid")};
      auto cols
        = conn.exec(context, identity_columns_query, {leaf_oid}, timeout);
      if (!cols)
        return cols.error();
      for (int c = 0; c < cols->rows(); ++c)
        x.identity.emplace(cols->get(c, "attname"));
      t.leaves.push_back(std::move(x));
    }
  }
  std::vector<watched_table> out;
  for (auto& [key, table] : by_name)
    out.push_back(std::move(table));
  return out;
}

std::string alter_identity(const leaf& x, const char* identity) {
  return "ALTER TABLE " + x.name + " REPLICA IDENTITY " + identity;
}

// The problems of one table that stop the WAL source from using it.
void table_problems(const watched_table& t, const std::string& role,
                    const replication_names& names,
                    std::vector<replication_problem>& out) {
  auto add = [&](errc code, std::string description, std::string fix) {
    for (auto& p : out)
      if (p.description == description)
        return;
    out.push_back(
      {problem_severity::error, code, std::move(description), std::move(fix)});
  };
  if (!t.owns && !t.published()) {
    auto pub = t.inserts_only() ? names.insert_publication : names.publication;
    add(errc::missing_privilege,
        "role " + quote_identifier(role) + " does not own table " + t.name
          + ", which ALTER PUBLICATION " + quote_identifier(pub)
          + " ADD TABLE needs (or run the setup once as its owner or a "
            "superuser)",
        "GRANT " + quote_identifier(t.owner) + " TO " + quote_identifier(role));
  }
  if (t.inserts_only())
    return; // the insert-only publication needs no replica identity
  for (auto* w : t.watchers) {
    if (w->spec.event == event_kind::inserted)
      continue;
    auto watcher = "watcher " + watcher_name(w->spec);
    for (auto& x : t.leaves) {
      if (!x.usable()) {
        auto fix = x.replident == 'n' && x.has_pk ? alter_identity(x, "DEFAULT")
                                                  : alter_identity(x, "FULL");
        add(errc::catalog_mismatch,
            x.name + " has no usable replica identity (" + x.identity_text()
              + "), but " + watcher
              + " needs its updates and deletes published, which would make "
                "every UPDATE and DELETE of it fail in all sessions "
                "(SQLSTATE 55000); refused (or add a primary key)",
            fix);
        continue;
      }
      if (x.replident == 'f')
        continue;
      auto full = alter_identity(x, "FULL");
      if (w->spec.event == event_kind::updated && !w->trigger_columns.empty()) {
        add(errc::catalog_mismatch,
            watcher + " compares old and new values of its trigger columns, "
              + "but " + x.name + " has REPLICA IDENTITY " + x.identity_text()
              + ", so updates arrive without old values",
            full);
        continue;
      }
      if (w->spec.event != event_kind::deleted)
        continue;
      if (!x.identity.count(w->primary_key.name)) {
        add(errc::catalog_mismatch,
            watcher + " identifies rows by column "
              + quote_identifier(w->primary_key.name)
              + ", which the replica identity of " + x.name + " ("
              + x.identity_text() + ") does not contain, so deletes arrive "
              + "without it",
            full);
        continue;
      }
      for (auto& c : w->payload_columns)
        if (!x.identity.count(c.name)) {
          add(errc::catalog_mismatch,
              watcher + " carries column " + quote_identifier(c.name)
                + " of deleted rows, but " + x.name + " has REPLICA IDENTITY "
                + x.identity_text()
                + ", so deletes arrive with the identity columns only",
              full);
          break;
        }
    }
  }
}

} // namespace

caf::expected<std::vector<table_placement>>
check_tables(connection& conn, const replication_names& names,
             const std::vector<resolved_watcher>& watchers,
             std::vector<replication_problem>& problems,
             caf::timespan timeout) {
  auto role = conn.exec("reading the current role",
                        "SELECT current_user AS role", {}, timeout);
  if (!role)
    return role.error();
  auto tables = read_tables(conn, names, watchers, timeout);
  if (!tables)
    return tables.error();
  std::vector<table_placement> out;
  for (auto& t : *tables) {
    table_problems(t, std::string{role->get(0, "role")}, names, problems);
    out.push_back({t.name, t.inserts_only(), t.published()});
  }
  return out;
}

caf::expected<std::vector<replication_problem>>
check_replication(connection& conn, const replication_names& names,
                  const std::vector<resolved_watcher>& watchers,
                  caf::timespan timeout) {
  std::string context
    = "checking the prerequisites of consumer " + names.consumer;
  auto set = conn.exec(context, settings_query, {}, timeout);
  if (!set)
    return set.error();
  if (set->rows() != 1)
    return make_error(errc::query_failed,
                      context + ": the current role is not in pg_roles");
  auto st = conn.exec(context, replication_state_query,
                      {names.publication, names.slot}, timeout);
  if (!st)
    return st.error();
  std::vector<replication_problem> out;
  auto error = [&](errc code, std::string description, std::string fix) {
    out.push_back(
      {problem_severity::error, code, std::move(description), std::move(fix)});
  };
  std::string role{set->get(0, "role")};
  auto restart = ", then restart PostgreSQL";
  if (auto level = set->get(0, "wal_level"); level != "logical")
    error(errc::unsupported_server,
          "wal_level is " + std::string{level}
            + ", but logical replication needs logical",
          std::string{"ALTER SYSTEM SET wal_level = logical"} + restart);
  bool superuser = truth(*set, 0, "superuser");
  if (!superuser && !truth(*set, 0, "replication"))
    error(errc::missing_privilege,
          "role " + quote_identifier(role)
            + " lacks the REPLICATION attribute, which creating and streaming "
              "from a replication slot need",
          "ALTER ROLE " + quote_identifier(role) + " REPLICATION");
  if (!truth(*st, 0, "has_publication") && !truth(*set, 0, "may_create"))
    error(errc::missing_privilege,
          "role " + quote_identifier(role)
            + " lacks the CREATE privilege on database "
            + quote_identifier(set->get(0, "database"))
            + ", which CREATE PUBLICATION needs",
          "GRANT CREATE ON DATABASE "
            + quote_identifier(set->get(0, "database")) + " TO "
            + quote_identifier(role));
  if (slot_is_foreign(*st)) {
    error(errc::catalog_mismatch,
          "replication slot " + quote_identifier(names.slot)
            + " exists, but for another database or output plugin (slot "
              "names are cluster-wide)",
          "choose another slot name ([wal] slot)");
  } else if (!truth(*st, 0, "has_slot")) {
    auto max = number(*set, 0, "max_slots");
    if (number(*set, 0, "used_slots") >= max)
      error(errc::temporarily_failed,
            "all " + std::to_string(max)
              + " replication slots (max_replication_slots) are in use, and "
                "slot "
              + quote_identifier(names.slot) + " does not exist yet",
            "ALTER SYSTEM SET max_replication_slots = "
              + std::to_string(max + 1) + restart);
  }
  if (!truth(*st, 0, "active")) {
    auto max = number(*set, 0, "max_senders");
    if (number(*set, 0, "used_senders") >= max)
      error(errc::temporarily_failed,
            "all " + std::to_string(max)
              + " walsenders (max_wal_senders) are in use, so slot "
              + quote_identifier(names.slot) + " cannot be streamed from",
            "ALTER SYSTEM SET max_wal_senders = " + std::to_string(max + 1)
              + restart);
  }
  if (auto tables = check_tables(conn, names, watchers, out, timeout); !tables)
    return tables.error();
  if (set->get(0, "keep_size") == "-1")
    out.push_back({problem_severity::warning, errc::temporarily_failed,
                   "max_slot_wal_keep_size is -1 (unlimited): a slot whose "
                   "consumer stalls keeps WAL until the disk is full",
                   "ALTER SYSTEM SET max_slot_wal_keep_size = '10GB'; SELECT "
                   "pg_reload_conf()"});
  return out;
}

} // namespace libwatch::pg
