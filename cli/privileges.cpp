#include "cli/privileges.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/pg/server_features.hpp"

namespace libwatch::cli {

namespace {

const std::string database_query = R"sql(
SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(),
                                         'CONNECT') AS may_connect,
       pg_catalog.current_database() AS database, current_user AS role)sql";

// Before pg::replace_trigger_version the trigger is replaced by DROP + CREATE,
// and DROP TRIGGER needs the table's owner.
const std::string table_query = R"sql(
SELECT pg_catalog.has_table_privilege(c.oid, 'TRIGGER') AS may_trigger,
       pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owns_table,
       pg_catalog.has_schema_privilege(n.oid, 'CREATE') AS may_create,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner, current_user AS role
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2)sql";

// CREATE OR REPLACE FUNCTION on an existing function needs its owner.
const std::string function_query = R"sql(
SELECT pg_catalog.pg_has_role(p.proowner, 'USAGE') AS owns_function,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner
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
  if (res->get(0, "may_connect") != "t") {
    auto db = quote_identifier(res->get(0, "database"));
    auto role = quote_identifier(res->get(0, "role"));
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
  auto table = quote_qualified(spec.schema, spec.table);
  auto schema = quote_identifier(spec.schema);
  auto owner = quote_identifier(res->get(0, "owner"));
  auto role = quote_identifier(res->get(0, "role"));
  bool owns_table = res->get(0, "owns_table") == "t";
  if (res->get(0, "may_trigger") != "t")
    out.push_back(prefix + "role " + role
                  + " lacks the TRIGGER privilege on table " + table
                  + " (GRANT TRIGGER ON " + table + " TO " + role + ")");
  if (conn.server_version() < pg::replace_trigger_version && !owns_table)
    out.push_back(
      prefix + "role " + role + " does not own table " + table
      + " (owner: " + owner + "); before PostgreSQL "
      + std::to_string(pg::major_version(pg::replace_trigger_version))
      + " replacing a trigger needs the table's owner");
  if (res->get(0, "may_create") != "t")
    out.push_back(prefix + "role " + role
                  + " lacks the CREATE privilege on schema " + schema
                  + " (GRANT CREATE ON SCHEMA " + schema + " TO " + role + ")");
  auto function = derive_names(spec).function;
  auto fn = conn.exec(context, function_query, {spec.schema, function});
  if (!fn)
    return fn.error();
  if (fn->rows() > 0 && fn->get(0, "owns_function") != "t")
    out.push_back(prefix + "function " + quote_qualified(spec.schema, function)
                  + "() exists and belongs to "
                  + quote_identifier(fn->get(0, "owner")) + ", so role " + role
                  + " cannot replace it");
  return out;
}

} // namespace libwatch::cli
