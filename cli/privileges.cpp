#include "cli/privileges.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/object_names.hpp"

namespace libwatch::cli {

namespace {

const std::string database_query = R"sql(
SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(),
                                         'CONNECT'),
       pg_catalog.current_database(), current_user)sql";

// Before PostgreSQL 14 the trigger is replaced by DROP + CREATE, and DROP
// TRIGGER needs the table's owner.
const std::string table_query = R"sql(
SELECT pg_catalog.has_table_privilege(c.oid, 'TRIGGER'),
       pg_catalog.pg_has_role(c.relowner, 'USAGE'),
       pg_catalog.has_schema_privilege(n.oid, 'CREATE'),
       pg_catalog.pg_get_userbyid(c.relowner), current_user
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2)sql";

// CREATE OR REPLACE FUNCTION on an existing function needs its owner.
const std::string function_query = R"sql(
SELECT pg_catalog.pg_has_role(p.proowner, 'USAGE'),
       pg_catalog.pg_get_userbyid(p.proowner)
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.proname = $2 AND p.pronargs = 0)sql";

} // namespace

caf::expected<std::vector<std::string>>
database_privilege_problems(pg::connection& conn) {
  std::vector<std::string> out;
  auto res = conn.exec("checking privileges on the database", database_query);
  if (!res)
    return res.error();
  if (res->get(0, 0) != "t") {
    auto db = quote_identifier(res->get(0, 1));
    auto role = quote_identifier(res->get(0, 2));
    out.push_back("database " + db + ": role " + role
                  + " lacks the CONNECT privilege (GRANT CONNECT ON DATABASE "
                  + db + " TO " + role + ")");
  }
  return out;
}

caf::expected<std::vector<std::string>>
watcher_privilege_problems(pg::connection& conn, const watcher_spec& spec) {
  std::vector<std::string> out;
  auto prefix = "watcher " + watcher_name(spec) + ": ";
  auto context = "checking the privileges of watcher " + watcher_name(spec);
  auto res = conn.exec(context, table_query, {spec.schema, spec.table});
  if (!res)
    return res.error();
  if (res->rows() == 0)
    return out;
  auto table
    = quote_identifier(spec.schema) + "." + quote_identifier(spec.table);
  auto schema = quote_identifier(spec.schema);
  auto owner = quote_identifier(res->get(0, 3));
  auto role = quote_identifier(res->get(0, 4));
  bool owns_table = res->get(0, 1) == "t";
  if (res->get(0, 0) != "t")
    out.push_back(prefix + "role " + role
                  + " lacks the TRIGGER privilege on table " + table
                  + " (GRANT TRIGGER ON " + table + " TO " + role + ")");
  if (conn.server_version() < 140000 && !owns_table)
    out.push_back(prefix + "role " + role + " does not own table " + table
                  + " (owner: " + owner
                  + "); before PostgreSQL 14 replacing a trigger needs the "
                    "table's owner");
  if (res->get(0, 2) != "t")
    out.push_back(prefix + "role " + role
                  + " lacks the CREATE privilege on schema " + schema
                  + " (GRANT CREATE ON SCHEMA " + schema + " TO " + role + ")");
  auto function = derive_names(spec).function;
  auto fn = conn.exec(context, function_query, {spec.schema, function});
  if (!fn)
    return fn.error();
  if (fn->rows() > 0 && fn->get(0, 0) != "t")
    out.push_back(prefix + "function " + schema + "."
                  + quote_identifier(function) + "() exists and belongs to "
                  + quote_identifier(fn->get(0, 1)) + ", so role " + role
                  + " cannot replace it");
  return out;
}

} // namespace libwatch::cli
