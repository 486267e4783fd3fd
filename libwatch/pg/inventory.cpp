#include "libwatch/pg/inventory.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/pg/server_features.hpp"
#include "libwatch/sql/statement_level.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::pg {

namespace {

// Bits of pg_trigger.tgtype (PostgreSQL's catalog/pg_trigger.h).
constexpr int trigger_type_row = 1 << 0;
constexpr int trigger_type_insert = 1 << 2;
constexpr int trigger_type_delete = 1 << 3;
constexpr int trigger_type_update = 1 << 4;

const std::string function_query = R"sql(
SELECT p.oid, p.prosrc,
       pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
       pg_catalog.array_to_string(p.proconfig, ',') AS settings
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.proname = $2 AND p.pronargs = 0)sql";

const std::string trigger_query = R"sql(
SELECT t.oid, t.tgfoid, t.tgtype, t.tgenabled,
       t.tgqual IS NOT NULL AS has_condition,
       pg_catalog.obj_description(t.oid, 'pg_trigger') AS trigger_comment,
       pg_catalog.obj_description(t.tgfoid, 'pg_proc') AS function_comment,
       t.tgoldtable, t.tgnewtable
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = $3
   AND NOT t.tgisinternal)sql";

const std::string trigger_columns_query = R"sql(
SELECT a.attname
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr::pg_catalog.int2[])
 WHERE t.oid = $1::pg_catalog.oid)sql";

// The marker is compared as a prefix of the whole comment with `left()`, the
// marker passed as a parameter: LIKE would treat `_` as a wildcard, and a
// match on object names would claim objects that merely look like ours.
const std::string marked_functions_query = R"sql(
SELECT n.nspname, p.proname, d.description AS comment
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_description d
    ON d.objoid = p.oid AND d.objsubid = 0
   AND d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
 WHERE pg_catalog.left(d.description, pg_catalog.length($1)) = $1
 ORDER BY 1, 2)sql";

// A trigger is libwatch's when the function it calls carries the marker;
// triggers installed by earlier versions also carry it themselves.
const std::string marked_triggers_query = R"sql(
SELECT n.nspname, c.relname, t.tgname,
       CASE WHEN pg_catalog.left(fd.description, pg_catalog.length($1)) = $1
            THEN fd.description ELSE td.description END AS comment
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_description fd
    ON fd.objoid = t.tgfoid AND fd.objsubid = 0
   AND fd.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
  LEFT JOIN pg_catalog.pg_description td
    ON td.objoid = t.oid AND td.objsubid = 0
   AND td.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
 WHERE (pg_catalog.left(fd.description, pg_catalog.length($1)) = $1
        OR pg_catalog.left(td.description, pg_catalog.length($1)) = $1)
   AND NOT t.tgisinternal
   AND )sql";

// Since trigger_parent_id_version, clones of a partitioned table's trigger
// name their parent.
const std::string not_cloned_13 = "t.tgparentid = 0 ORDER BY 1, 2, 3";

// Before that, a clone is a trigger of the same name and function on a table
// whose partitioned parent has it too.
const std::string not_cloned_11 = R"sql(NOT EXISTS (
       SELECT 1
         FROM pg_catalog.pg_inherits i
         JOIN pg_catalog.pg_class pc
           ON pc.oid = i.inhparent AND pc.relkind = 'p'
         JOIN pg_catalog.pg_trigger pt
           ON pt.tgrelid = i.inhparent AND pt.tgname = t.tgname
          AND pt.tgfoid = t.tgfoid
        WHERE i.inhrelid = t.tgrelid)
 ORDER BY 1, 2, 3)sql";

std::string marker_prefix() {
  return std::string{sql::ownership_marker} + " ";
}

int event_bit(event_kind x) {
  switch (x) {
    case event_kind::inserted:
      return trigger_type_insert;
    case event_kind::updated:
      return trigger_type_update;
    default:
      return trigger_type_delete;
  }
}

std::string column_list(const std::vector<std::string>& names) {
  std::string out;
  for (auto& name : names)
    out += (out.empty() ? "" : ", ") + quote_identifier(name);
  return out;
}

// The function's `SET` clauses as `proconfig` lists them.
std::string expected_settings(const resolved_watcher& w) {
  std::string out;
  for (auto& [name, value] : sql::function_settings(w))
    out += (out.empty() ? "" : ",") + name + "=" + value;
  return out;
}

// The trigger's REFERENCING clause, rendered as sql::transition_tables does.
std::string transition_tables_of(const result& res) {
  std::string out;
  if (!res.is_null(0, "tgoldtable"))
    out += " OLD TABLE AS " + std::string{res.get(0, "tgoldtable")};
  if (!res.is_null(0, "tgnewtable"))
    out += " NEW TABLE AS " + std::string{res.get(0, "tgnewtable")};
  return out.empty() ? out : " REFERENCING" + out;
}

// Checks the comment of an object that exists; returns whether it is marked.
bool check_comment(const result& res, std::string_view column,
                   const std::string& what, const resolved_watcher& w,
                   object_state& out) {
  if (res.is_null(0, column)) {
    out.differences.push_back(what
                              + " has no comment, so it is not "
                                "libwatch's");
    return false;
  }
  std::string comment{res.get(0, column)};
  auto expected = ownership_comment(w.spec);
  if (comment == expected)
    return true;
  auto owner = owner_of(comment);
  out.differences.push_back(what + " has the comment '" + comment + "'"
                            + (owner ? "" : ", so it is not libwatch's")
                            + "; expected '" + expected + "'");
  return owner.has_value();
}

caf::error inspect_function(connection& conn, const resolved_watcher& w,
                            std::string& oid, object_state& out) {
  auto context = "inspecting the function of watcher " + watcher_name(w.spec);
  auto res
    = conn.exec(context, function_query, {w.spec.schema, w.names.function});
  if (!res)
    return res.error();
  if (res->rows() == 0)
    return caf::none;
  out.function_exists = true;
  oid = res->get(0, "oid");
  auto what = function_of(w, name_style::sql);
  auto before = out.differences.size();
  out.function_marked = check_comment(*res, "comment", what, w, out);
  // An unresolved watcher (no payload columns) has no body to compare with.
  if (w.payload_columns.empty())
    out.differences.push_back(what
                              + ": its body cannot be compared, the "
                                "watcher does not fit the catalog");
  else if (res->get(0, "prosrc") != sql::function_body(w))
    out.differences.push_back(what
                              + ": its body differs from the one the "
                                "configuration generates");
  auto settings = res->is_null(0, "settings")
                    ? std::string{}
                    : std::string{res->get(0, "settings")};
  if (settings != expected_settings(w))
    out.differences.push_back(what + " has the settings '" + settings
                              + "'; the configuration generates '"
                              + expected_settings(w) + "'");
  out.function_matches = out.differences.size() == before;
  return caf::none;
}

caf::error inspect_trigger(connection& conn, const resolved_watcher& w,
                           const std::string& function_oid, object_state& out) {
  auto context = "inspecting the trigger of watcher " + watcher_name(w.spec);
  auto res = conn.exec(context, trigger_query,
                       {w.spec.schema, w.spec.table, w.names.trigger});
  if (!res)
    return res.error();
  if (res->rows() == 0)
    return caf::none;
  out.trigger_exists = true;
  auto what = trigger_of(w, name_style::sql);
  auto before = out.differences.size();
  auto enabled = res->get(0, "tgenabled");
  out.trigger_enabled = enabled.empty() ? '?' : enabled.front();
  auto type = std::stoi(std::string{res->get(0, "tgtype")});
  bool per_row = w.spec.level == trigger_level::row;
  auto wanted = (per_row ? trigger_type_row : 0) | event_bit(w.spec.event);
  if (type != wanted)
    out.differences.push_back(
      what + " is not AFTER " + std::string{sql_keyword(w.spec.event)}
      + (per_row ? " FOR EACH ROW" : " FOR EACH STATEMENT") + " only (tgtype "
      + std::to_string(type) + ", expected " + std::to_string(wanted) + ")");
  auto tables = transition_tables_of(*res);
  auto wanted_tables = per_row ? std::string{} : sql::transition_tables(w);
  if (tables != wanted_tables)
    out.differences.push_back(what + " has the transition tables '" + tables
                              + "'; the configuration generates '"
                              + wanted_tables + "'");
  if (function_oid.empty() || res->get(0, "tgfoid") != function_oid)
    out.differences.push_back(what + " does not call "
                              + function_of(w, name_style::sql));
  std::string trigger_oid{res->get(0, "oid")};
  auto cols = conn.exec(context, trigger_columns_query, {trigger_oid});
  if (!cols)
    return cols.error();
  std::vector<std::string> actual;
  for (int r = 0; r < cols->rows(); ++r)
    actual.emplace_back(cols->get(r, "attname"));
  std::vector<std::string> expected;
  if (per_row)
    for (auto& c : w.trigger_columns)
      expected.push_back(c.name);
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  if (actual != expected) {
    auto describe_columns = [](const std::vector<std::string>& xs) {
      return xs.empty() ? std::string{"any column"}
                        : "UPDATE OF " + column_list(xs);
    };
    out.differences.push_back(what + " fires on " + describe_columns(actual)
                              + "; the configuration says "
                              + describe_columns(expected));
  }
  bool has_condition = res->get(0, "has_condition") == "t";
  if (has_condition != !sql::trigger_condition(w).empty())
    out.differences.push_back(
      what
      + (has_condition ? " has a WHEN condition; the configuration has none"
                       : " has no WHEN condition; the configuration has one"));
  // Without enable_always either firing mode is fine (install leaves an
  // ALWAYS trigger as it is); a disabled trigger shows in trigger_enabled.
  if (w.spec.enable_always && out.trigger_enabled != 'A')
    out.differences.push_back(what + " is not ENABLE ALWAYS (tgenabled '"
                              + std::string(1, out.trigger_enabled)
                              + "'); the configuration has enable_always");
  auto marked = [&](std::string_view column) {
    return !res->is_null(0, column) && owner_of(res->get(0, column));
  };
  out.trigger_marked = marked("function_comment") || marked("trigger_comment");
  if (!out.trigger_marked)
    out.differences.push_back(
      what + " is not libwatch's: " + not_libwatchs(object_kind::trigger));
  if (w.payload_columns.empty())
    out.differences.push_back(what
                              + ": cannot be compared, the watcher does "
                                "not fit the catalog");
  out.trigger_matches = out.differences.size() == before;
  return caf::none;
}

} // namespace

std::string_view to_string_view(object_kind x) noexcept {
  return x == object_kind::function ? "function" : "trigger";
}

std::string not_libwatchs(object_kind kind) {
  std::string marker{sql::ownership_marker};
  if (kind == object_kind::function)
    return "its comment lacks the " + marker + " marker";
  return "neither it nor the function it calls carries the " + marker
         + " marker";
}

caf::error foreign_object_error(const resolved_watcher& w,
                                const object_state& state) {
  auto refuse = [&](const std::string& what, object_kind kind) {
    return make_error(errc::catalog_mismatch,
                      "watcher " + watcher_name(w.spec) + ": " + what
                        + " exists but is not libwatch's ("
                        + not_libwatchs(kind)
                        + "); rename or drop it, or give the watcher a label");
  };
  if (state.function_exists && !state.function_marked)
    return refuse(function_of(w), object_kind::function);
  if (state.trigger_exists && !state.trigger_marked)
    return refuse(trigger_of(w), object_kind::trigger);
  return caf::none;
}

std::string ownership_comment(const watcher_spec& spec) {
  return marker_prefix() + "watcher=" + watcher_name(spec);
}

std::optional<std::string> owner_of(std::string_view comment) {
  auto prefix = marker_prefix();
  if (comment.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto rest = comment.substr(prefix.size());
  std::string_view key = "watcher=";
  if (rest.substr(0, key.size()) != key)
    return std::string{};
  return std::string{rest.substr(key.size())};
}

caf::expected<object_state> inspect(connection& conn,
                                    const resolved_watcher& w) {
  object_state out;
  std::string function_oid;
  if (auto err = inspect_function(conn, w, function_oid, out))
    return err;
  if (auto err = inspect_trigger(conn, w, function_oid, out))
    return err;
  return out;
}

caf::expected<std::vector<owned_object>>
list_libwatch_objects(connection& conn) {
  std::string context = "listing libwatch's functions and triggers";
  auto prefix = marker_prefix();
  std::vector<owned_object> out;
  auto functions = conn.exec(context, marked_functions_query, {prefix});
  if (!functions)
    return functions.error();
  for (int r = 0; r < functions->rows(); ++r) {
    owned_object x;
    x.kind = object_kind::function;
    x.schema = functions->get(r, "nspname");
    x.name = functions->get(r, "proname");
    x.watcher = owner_of(functions->get(r, "comment")).value_or("");
    out.push_back(std::move(x));
  }
  auto query
    = marked_triggers_query
      + (conn.server_version() >= trigger_parent_id_version ? not_cloned_13
                                                            : not_cloned_11);
  auto triggers = conn.exec(context, query, {prefix});
  if (!triggers)
    return triggers.error();
  for (int r = 0; r < triggers->rows(); ++r) {
    owned_object x;
    x.kind = object_kind::trigger;
    x.schema = triggers->get(r, "nspname");
    x.table = triggers->get(r, "relname");
    x.name = triggers->get(r, "tgname");
    x.watcher = owner_of(triggers->get(r, "comment")).value_or("");
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<owned_object>
orphans(const std::vector<owned_object>& objects,
        const std::vector<resolved_watcher>& watchers) {
  using key = std::tuple<object_kind, std::string, std::string, std::string>;
  std::set<key> owned;
  for (auto& w : watchers) {
    owned.emplace(object_kind::function, w.spec.schema, "", w.names.function);
    owned.emplace(object_kind::trigger, w.spec.schema, w.spec.table,
                  w.names.trigger);
  }
  std::vector<owned_object> out;
  for (auto& x : objects) {
    auto table = x.kind == object_kind::trigger ? x.table : std::string{};
    if (owned.count(key{x.kind, x.schema, table, x.name}) == 0)
      out.push_back(x);
  }
  return out;
}

} // namespace libwatch::pg
