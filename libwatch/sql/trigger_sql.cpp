#include "libwatch/sql/trigger_sql.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/pg/server_features.hpp"
#include "libwatch/sql/durable_sql.hpp"
#include "libwatch/sql/json_sql.hpp"
#include "libwatch/sql/statement_level.hpp"

namespace libwatch::sql {

namespace {

std::string record_name(const resolved_watcher& w) {
  return w.spec.event == event_kind::deleted ? "OLD" : "NEW";
}

std::string qualified_table(const resolved_watcher& w) {
  return quote_qualified(w.spec.schema, w.spec.table);
}

std::string qualified_function(const resolved_watcher& w) {
  return quote_qualified(w.spec.schema, w.names.function);
}

std::string marker_comment(const resolved_watcher& w) {
  return std::string{ownership_marker} + " watcher=" + watcher_name(w.spec);
}

// Picks a dollar-quote tag that does not occur in `body`.
std::string dollar_tag(const std::string& body) {
  std::string tag = "$lw$";
  for (int i = 0; body.find(tag) != std::string::npos; ++i)
    tag = "$lw" + std::to_string(i) + "$";
  return tag;
}

} // namespace

std::string payload_expression(const resolved_watcher& w) {
  return "json_build_object('type', " + type_literal(w)
         + ", 'values', json_build_object("
         + value_pairs(record_name(w), w.payload_columns) + "))::text";
}

std::string key_only_expression(const resolved_watcher& w) {
  return "json_build_object('type', " + type_literal(w)
         + ", 'values', json_build_object("
         + value_pairs(record_name(w), {w.primary_key})
         + "), 'reduced', true)::text";
}

std::string fetch_statement(const resolved_watcher& w) {
  // Aliased as NEW so payload_expression's references resolve to the row;
  // the key compares in its own type, written as the catalog spells it.
  return "SELECT " + payload_expression(w) + " AS payload FROM "
         + qualified_table(w) + " AS " + record_name(w) + " WHERE "
         + record_name(w) + "." + quote_identifier(w.primary_key.name)
         + " = $1::" + w.primary_key.type;
}

std::string function_body(const resolved_watcher& w) {
  if (w.spec.delivery == delivery_mode::at_least_once)
    return durable_function_body(w);
  if (w.spec.level == trigger_level::statement)
    return statement_function_body(w);
  auto limit = std::to_string(notify_payload_limit);
  return "\nDECLARE\n  payload text := " + payload_expression(w)
         + ";\nBEGIN\n  IF octet_length(payload) >= " + limit
         + " THEN\n    payload := " + key_only_expression(w)
         + ";\n    IF octet_length(payload) >= " + limit
         + " THEN\n      payload := json_build_object('type', "
         + type_literal(w)
         + ", 'values', json_build_object(), 'reduced', true)::text;\n"
           "    END IF;\n  END IF;\n  PERFORM pg_catalog.pg_notify("
         + quote_literal(w.names.channel)
         + ", payload);\n  RETURN NULL;\nEND;\n";
}

std::string create_function(const resolved_watcher& w) {
  auto body = function_body(w);
  auto tag = dollar_tag(body);
  std::string settings;
  for (auto& [name, value] : function_settings(w))
    settings += " SET " + name + " = " + value;
  return "CREATE OR REPLACE FUNCTION " + qualified_function(w)
         + "() RETURNS trigger LANGUAGE plpgsql" + settings + " AS " + tag
         + body + tag;
}

std::vector<std::pair<std::string, std::string>>
function_settings(const resolved_watcher& w) {
  std::vector<std::pair<std::string, std::string>> out;
  // JIT compiling the transition-table query costs more than running it
  // (150-285 ms per statement measured); the setting is scoped to the call.
  if (w.spec.level == trigger_level::statement)
    out.emplace_back("jit", "off");
  return out;
}

std::string trigger_condition(const resolved_watcher& w) {
  if (w.trigger_columns.empty() || w.spec.level == trigger_level::statement)
    return {};
  std::string out;
  for (auto& c : w.trigger_columns) {
    if (!out.empty())
      out += " OR ";
    auto col = quote_identifier(c.name);
    out += changed_condition("OLD." + col, "NEW." + col, c);
  }
  return out;
}

std::vector<std::string> install_statements(const resolved_watcher& w,
                                            int server_version) {
  std::vector<std::string> out;
  if (w.spec.delivery == delivery_mode::at_least_once)
    out = log_setup_statements();
  out.push_back(create_function(w));
  out.push_back("COMMENT ON FUNCTION " + qualified_function(w) + "() IS "
                + quote_literal(marker_comment(w)));
  std::string events = std::string{sql_keyword(w.spec.event)};
  bool per_row = w.spec.level == trigger_level::row;
  // PostgreSQL rejects column lists on triggers with transition tables; the
  // statement-level function compares the columns itself.
  if (per_row && !w.trigger_columns.empty()) {
    events += " OF ";
    for (size_t i = 0; i < w.trigger_columns.size(); ++i) {
      if (i > 0)
        events += ", ";
      events += quote_identifier(w.trigger_columns[i].name);
    }
  }
  auto trigger = quote_identifier(w.names.trigger);
  std::string create
    = "TRIGGER " + trigger + " AFTER " + events + " ON " + qualified_table(w)
      + (per_row ? " FOR EACH ROW"
                 : transition_tables(w) + " FOR EACH STATEMENT");
  auto condition = trigger_condition(w);
  if (!condition.empty())
    create += " WHEN (" + condition + ")";
  create += " EXECUTE FUNCTION " + qualified_function(w) + "()";
  if (server_version >= pg::replace_trigger_version) {
    out.push_back("CREATE OR REPLACE " + create);
  } else {
    out.push_back("DROP TRIGGER IF EXISTS " + trigger + " ON "
                  + qualified_table(w));
    out.push_back("CREATE " + create);
  }
  // The trigger carries no comment of its own (COMMENT ON TRIGGER needs
  // table ownership; libwatch needs only the TRIGGER privilege): it is
  // libwatch's because its function carries the marker.
  if (w.spec.enable_always)
    out.push_back("ALTER TABLE " + qualified_table(w)
                  + " ENABLE ALWAYS TRIGGER " + trigger);
  return out;
}

std::vector<std::string> uninstall_statements(const resolved_watcher& w) {
  return {"DROP TRIGGER IF EXISTS " + quote_identifier(w.names.trigger) + " ON "
            + qualified_table(w),
          "DROP FUNCTION IF EXISTS " + qualified_function(w) + "()"};
}

} // namespace libwatch::sql
