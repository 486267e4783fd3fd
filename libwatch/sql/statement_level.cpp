#include "libwatch/sql/statement_level.hpp"

#include "libwatch/identifiers.hpp"
#include "libwatch/sql/json_sql.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::sql {

namespace {

constexpr const char* chunk_suffix = "]}";
constexpr const char* row_separator = ", ";

bool reads_new_rows(const resolved_watcher& w) {
  return w.spec.event != event_kind::deleted;
}

bool reads_old_rows(const resolved_watcher& w) {
  return w.spec.event == event_kind::deleted || compares_versions(w);
}

// Every changed row: (lw_json, lw_key) in the order the statement changed
// them.
std::string all_rows_query(const resolved_watcher& w) {
  auto rows = reads_new_rows(w) ? new_rows_table : old_rows_table;
  return "SELECT json_build_object(" + value_pairs("r", w.payload_columns)
         + ")::text AS lw_json, " + column_value("r", w.primary_key)
         + " AS lw_key FROM " + rows + " AS r";
}

// The new versions of rows whose trigger columns changed, in order; every
// new row when the versions cannot be paired (lw_paired is false).
std::string changed_rows_query(const resolved_watcher& w) {
  std::string new_side = "SELECT pg_catalog.row_number() OVER () AS lw_pos";
  std::string old_side = new_side;
  for (size_t i = 0; i < w.payload_columns.size(); ++i)
    new_side += ", " + column_value("r", w.payload_columns[i]) + " AS c"
                + std::to_string(i + 1);
  std::string changed;
  for (size_t i = 0; i < w.trigger_columns.size(); ++i) {
    auto& c = w.trigger_columns[i];
    auto alias = "t" + std::to_string(i + 1);
    new_side += ", r." + quote_identifier(c.name) + " AS " + alias;
    old_side += ", r." + quote_identifier(c.name) + " AS " + alias;
    changed += " OR " + changed_condition("o." + alias, "n." + alias, c);
  }
  return "SELECT json_build_object("
         + aliased_value_pairs("n", w.payload_columns)
         + ")::text AS lw_json, n.c1 AS lw_key FROM (" + new_side + " FROM "
         + new_rows_table + " AS r) AS n LEFT JOIN (" + old_side + " FROM "
         + old_rows_table
         + " AS r) AS o ON o.lw_pos = n.lw_pos WHERE NOT lw_paired" + changed
         + " ORDER BY n.lw_pos";
}

std::string notify(const resolved_watcher& w, const std::string& payload) {
  return "PERFORM pg_catalog.pg_notify(" + quote_literal(w.names.channel) + ", "
         + payload + ");";
}

} // namespace

bool compares_versions(const resolved_watcher& w) {
  return w.spec.event == event_kind::updated && !w.trigger_columns.empty();
}

std::string pairing_statement() {
  return std::string{"lw_paired := (SELECT count(*) FROM "} + old_rows_table
         + ") = (SELECT count(*) FROM " + new_rows_table + ");";
}

std::string rows_query(const resolved_watcher& w) {
  return compares_versions(w) ? changed_rows_query(w) : all_rows_query(w);
}

std::string chunk_prefix(event_kind event) {
  return std::string{"{\"type\": \""} + std::string{to_string_view(event)}
         + "\", \"rows\": [";
}

std::string transition_tables(const resolved_watcher& w) {
  std::string out = " REFERENCING";
  if (reads_old_rows(w))
    out += std::string{" OLD TABLE AS "} + old_rows_table;
  if (reads_new_rows(w))
    out += std::string{" NEW TABLE AS "} + new_rows_table;
  return out;
}

std::string statement_function_body(const resolved_watcher& w) {
  auto prefix = chunk_prefix(w.spec.event);
  auto limit = notify_payload_limit;
  // A chunk is prefix + rows joined by the separator + suffix.
  auto frame = prefix.size() + std::string{chunk_suffix}.size();
  auto alone = std::to_string(limit - frame);
  auto joined
    = std::to_string(limit - frame - std::string{row_separator}.size());
  auto send_chunk = notify(w, quote_literal(prefix) + " || lw_chunk || "
                                + quote_literal(chunk_suffix));
  auto type = type_literal(w);
  std::string out = "\nDECLARE\n  lw_row record;\n  lw_chunk text := '';\n"
                    "  lw_single text;\n";
  if (compares_versions(w))
    out += "  lw_paired boolean;\n";
  out += "BEGIN\n";
  if (compares_versions(w))
    out += "  " + pairing_statement() + "\n";
  out += "  FOR lw_row IN " + rows_query(w)
         + " LOOP\n"
           "    IF octet_length(lw_row.lw_json) >= "
         + alone
         + " THEN\n"
           "      IF lw_chunk <> '' THEN\n"
           "        "
         + send_chunk
         + "\n"
           "        lw_chunk := '';\n"
           "      END IF;\n"
           "      lw_single := json_build_object('type', "
         + type + ", 'values', json_build_object("
         + quote_literal(w.primary_key.name)
         + ", lw_row.lw_key), 'reduced', true)::text;\n"
           "      IF octet_length(lw_single) >= "
         + std::to_string(limit)
         + " THEN\n"
           "        lw_single := json_build_object('type', "
         + type
         + ", 'values', json_build_object(), 'reduced', true)::text;\n"
           "      END IF;\n"
           "      "
         + notify(w, "lw_single")
         + "\n"
           "    ELSIF lw_chunk = '' THEN\n"
           "      lw_chunk := lw_row.lw_json;\n"
           "    ELSIF octet_length(lw_chunk) + octet_length(lw_row.lw_json) >= "
         + joined
         + " THEN\n"
           "      "
         + send_chunk
         + "\n"
           "      lw_chunk := lw_row.lw_json;\n"
           "    ELSE\n"
           "      lw_chunk := lw_chunk || "
         + quote_literal(row_separator)
         + " || lw_row.lw_json;\n"
           "    END IF;\n"
           "  END LOOP;\n"
           "  IF lw_chunk <> '' THEN\n"
           "    "
         + send_chunk
         + "\n"
           "  END IF;\n"
           "  RETURN NULL;\nEND;\n";
  return out;
}

} // namespace libwatch::sql
