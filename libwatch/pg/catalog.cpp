#include "libwatch/pg/catalog.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/node_lock.hpp"
#include "libwatch/pg/server_features.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::pg {

namespace {

const std::string table_query = R"sql(
SELECT c.oid, c.relkind
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2)sql";

const std::string schema_query = R"sql(
SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)sql";

const std::string columns_query = R"sql(
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       t.typname, t.typcategory, COALESCE(e.typname, '') AS element_type
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
 WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum)sql";

const std::string primary_key_query = R"sql(
SELECT a.attname
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
 WHERE i.indrelid = $1::oid AND i.indisprimary
 ORDER BY pg_catalog.array_position(i.indkey::int2[], a.attnum))sql";

const std::string privileges_query = R"sql(
SELECT current_user AS role,
       has_table_privilege(format('%I.%I', $1::text, $2::text), 'TRIGGER')
         AS may_trigger,
       has_schema_privilege($1::text, 'CREATE') AS may_create,
       pg_has_role(c.relowner, 'USAGE') AS owns_table
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2)sql";

// Names the grant that is missing instead of letting the DDL fail with a
// bare SQLSTATE 42501.
caf::error check_privileges(connection& conn, const resolved_watcher& w,
                            caf::timespan timeout) {
  auto& spec = w.spec;
  auto context = "checking the privileges for watcher " + watcher_name(spec);
  auto res
    = conn.exec(context, privileges_query, {spec.schema, spec.table}, timeout);
  if (!res)
    return res.error();
  if (res->rows() == 0)
    return caf::none; // the table vanished; the DDL will say so
  auto role = quote_identifier(res->get(0, "role"));
  auto table = quote_qualified(spec.schema, spec.table);
  auto missing = [&](std::string what) {
    return make_error(errc::missing_privilege, "watcher " + watcher_name(spec)
                                                 + ": role " + role + " lacks "
                                                 + what);
  };
  if (res->get(0, "may_trigger") != "t")
    return missing("the TRIGGER privilege on " + table
                   + "; grant it with: GRANT TRIGGER ON " + table + " TO "
                   + role);
  if (res->get(0, "may_create") != "t")
    return missing("the CREATE privilege on schema "
                   + quote_identifier(spec.schema)
                   + " (for the trigger function); grant it with: GRANT "
                     "CREATE ON SCHEMA "
                   + quote_identifier(spec.schema) + " TO " + role);
  bool owner = res->get(0, "owns_table") == "t";
  if (spec.enable_always && !owner)
    return missing("ownership of " + table
                   + ", which enable_always needs (ALTER TABLE ... ENABLE "
                     "ALWAYS TRIGGER); run as the table's owner or turn "
                     "enable_always off");
  if (conn.server_version() < replace_trigger_version && !owner)
    return missing("ownership of " + table + ", which PostgreSQL before "
                   + std::to_string(major_version(replace_trigger_version))
                   + " needs to replace a trigger (DROP TRIGGER)");
  return caf::none;
}

using step_fn = std::function<caf::error(const std::string&)>;

// Runs `body` in one transaction holding libwatch's DDL lock; `body` runs
// its statements through the step function it gets.
caf::error in_ddl_transaction(connection& conn, std::string_view context,
                              caf::timespan timeout,
                              const std::function<caf::error(step_fn)>& body) {
  step_fn step = [&](const std::string& sql) -> caf::error {
    auto res = conn.exec(context, sql, {}, timeout);
    return res ? caf::none : res.error();
  };
  if (auto err = step("BEGIN"))
    return err;
  if (timeout.count() > 0) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    if (auto err = step("SET LOCAL lock_timeout = "
                        + std::to_string(std::max<int64_t>(1, ms.count()))))
      return err;
  }
  auto lock = "SELECT pg_catalog.pg_advisory_xact_lock("
              + std::to_string(sql::ddl_lock_key) + ")";
  auto err = step(lock);
  if (!err)
    err = body(step);
  if (!err)
    err = step("COMMIT");
  if (err && conn.ok())
    conn.exec(context, "ROLLBACK");
  return err;
}

// Runs `statements` in one transaction holding libwatch's DDL lock.
caf::error in_ddl_transaction(connection& conn, std::string_view context,
                              const std::vector<std::string>& statements,
                              caf::timespan timeout = caf::timespan{0}) {
  return in_ddl_transaction(conn, context, timeout,
                            [&](const step_fn& step) -> caf::error {
                              for (auto& sql : statements)
                                if (auto err = step(sql))
                                  return err;
                              return caf::none;
                            });
}

} // namespace

caf::expected<table_info> read_table(connection& conn,
                                     const std::string& schema,
                                     const std::string& table,
                                     caf::timespan timeout) {
  auto context
    = "reading the catalog entry of " + quote_qualified(schema, table);
  auto rel = conn.exec(context, table_query, {schema, table}, timeout);
  if (!rel)
    return rel.error();
  if (rel->rows() == 0) {
    auto nsp = conn.exec(context, schema_query, {schema}, timeout);
    if (!nsp)
      return nsp.error();
    if (nsp->rows() == 0)
      return make_error(errc::catalog_mismatch, "schema "
                                                  + quote_identifier(schema)
                                                  + " does not exist");
    return make_error(errc::catalog_mismatch, "table "
                                                + quote_qualified(schema, table)
                                                + " does not exist");
  }
  table_info info;
  info.schema = schema;
  info.table = table;
  std::string oid{rel->get(0, "oid")};
  auto kind = rel->get(0, "relkind");
  info.kind = kind.empty() ? '?' : kind.front();
  auto cols = conn.exec(context, columns_query, {oid}, timeout);
  if (!cols)
    return cols.error();
  for (int r = 0; r < cols->rows(); ++r) {
    column_info c;
    c.name = cols->get(r, "attname");
    c.type = cols->get(r, "type");
    c.type_name = cols->get(r, "typname");
    auto category = cols->get(r, "typcategory");
    c.category = category.empty() ? 'U' : category.front();
    c.element_type_name = cols->get(r, "element_type");
    info.columns.push_back(std::move(c));
  }
  auto pk = conn.exec(context, primary_key_query, {oid}, timeout);
  if (!pk)
    return pk.error();
  for (int r = 0; r < pk->rows(); ++r)
    info.primary_key.emplace_back(pk->get(r, "attname"));
  return info;
}

caf::expected<resolved_watcher> read_resolved(connection& conn,
                                              const watcher_spec& spec,
                                              caf::timespan timeout) {
  if (auto why = server_version_problem(conn.server_version()))
    return make_error(errc::unsupported_server, std::move(*why));
  if (spec.delivery == delivery_mode::at_least_once
      && conn.server_version() < durable_delivery_version)
    return make_error(
      errc::unsupported_server,
      "watcher " + watcher_name(spec) + ": durable delivery needs PostgreSQL "
        + std::to_string(major_version(durable_delivery_version))
        + " or later (pg_snapshot, xid8); the server is "
        + std::to_string(conn.server_version()));
  auto table = read_table(conn, spec.schema, spec.table, timeout);
  if (!table) {
    if (!is(table.error(), errc::catalog_mismatch))
      return table.error();
    return make_error(errc::catalog_mismatch, "watcher " + watcher_name(spec)
                                                + ": "
                                                + describe(table.error()));
  }
  return resolve(spec, *table);
}

caf::expected<resolved_watcher>
install(connection& conn, const watcher_spec& spec, caf::timespan timeout) {
  auto resolved = read_resolved(conn, spec, timeout);
  if (!resolved)
    return resolved.error();
  if (auto err = check_privileges(conn, *resolved, timeout))
    return err;
  // Never replace what is not ours; report what we replace.
  auto existing = inspect(conn, *resolved);
  if (!existing)
    return existing.error();
  if (auto err = foreign_object_error(*resolved, *existing))
    return err;
  if (existing->function_exists || existing->trigger_exists)
    resolved->replaced_drift = existing->differences;
  auto context = "installing the trigger of watcher " + watcher_name(spec);
  auto statements = sql::install_statements(*resolved, conn.server_version());
  if (auto err = in_ddl_transaction(conn, context, statements, timeout))
    return err;
  return resolved;
}

caf::expected<std::vector<owned_object>>
drop_objects(connection& conn, const std::vector<owned_object>& objects,
             caf::timespan timeout) {
  std::vector<owned_object> in_use;
  if (objects.empty())
    return in_use;
  std::string context = "dropping orphaned libwatch objects";
  auto err = in_ddl_transaction(
    conn, context, timeout, [&](const step_fn& step) -> caf::error {
      // Claim every channel first: the exclusive locks last until commit,
      // so no node can start listening on a channel whose objects we drop.
      std::set<std::string> busy;
      std::set<std::string> claimed;
      for (auto& x : objects) {
        auto channel = channel_of(x);
        if (busy.count(channel) > 0 || claimed.count(channel) > 0)
          continue;
        auto free = claim_for_drop(conn, context, channel, timeout);
        if (!free)
          return free.error();
        (*free ? claimed : busy).insert(channel);
      }
      for (auto kind : {object_kind::trigger, object_kind::function})
        for (auto& x : objects) {
          if (x.kind != kind)
            continue;
          if (busy.count(channel_of(x)) > 0) {
            in_use.push_back(x);
            continue;
          }
          auto sql = kind == object_kind::trigger
                       ? "DROP TRIGGER IF EXISTS " + quote_identifier(x.name)
                           + " ON " + quote_qualified(x.schema, x.table)
                       : "DROP FUNCTION IF EXISTS "
                           + quote_qualified(x.schema, x.name) + "()";
          if (auto e = step(sql))
            return e;
        }
      return caf::none;
    });
  if (err)
    return err;
  return in_use;
}

caf::error in_use_error(const resolved_watcher& w) {
  return make_error(errc::in_use,
                    "watcher " + watcher_name(w.spec)
                      + " is in use by another node: a running libwatch "
                        "instance listens on channel "
                      + w.names.channel
                      + " (it holds the node lock); stop it first");
}

caf::error uninstall(connection& conn, const resolved_watcher& w,
                     const std::vector<std::string>& statements) {
  auto context = "removing the trigger of watcher " + watcher_name(w.spec);
  return in_ddl_transaction(
    conn, context, caf::timespan{0}, [&](const step_fn& step) -> caf::error {
      auto free = claim_for_drop(conn, context, w.names.channel);
      if (!free)
        return free.error();
      if (!*free)
        return in_use_error(w);
      for (auto& sql : statements)
        if (auto err = step(sql))
          return err;
      return caf::none;
    });
}

caf::error uninstall(connection& conn, const resolved_watcher& w) {
  return uninstall(conn, w, sql::uninstall_statements(w));
}

} // namespace libwatch::pg
