// Tests the exact SQL text of trigger functions, triggers and their removal.
#define CAF_SUITE trigger_sql

#include "libwatch/sql/trigger_sql.hpp"
#include "libwatch/sql/statement_level.hpp"

#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace libwatch;
using namespace libwatch::sql;

namespace {

column_info col(std::string name, std::string type_name, char category = 'U',
                std::string element_type_name = "") {
  column_info c;
  c.name = std::move(name);
  c.type = type_name;
  c.type_name = std::move(type_name);
  c.category = category;
  c.element_type_name = std::move(element_type_name);
  return c;
}

// A resolved watcher built by hand (not through resolve()).
resolved_watcher make_watcher(watcher_spec spec,
                              std::vector<column_info> payload,
                              std::vector<column_info> triggers = {}) {
  resolved_watcher w;
  w.names = derive_names(spec);
  w.spec = std::move(spec);
  w.primary_key = payload.front();
  w.payload_columns = std::move(payload);
  w.trigger_columns = std::move(triggers);
  return w;
}

resolved_watcher new_posts() {
  return make_watcher(
    watcher_spec::on("posts", event_kind::inserted).labelled("new_posts"),
    {col("id", "int4", 'N'), col("title", "text", 'S')});
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + 1))
    ++n;
  return n;
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

bool ends_with(const std::string& text, const std::string& what) {
  return text.size() >= what.size()
         && text.compare(text.size() - what.size(), what.size(), what) == 0;
}

} // namespace

CAF_TEST(ownership_marker_and_lock_key_have_their_documented_values) {
  CAF_CHECK_EQUAL(std::string{ownership_marker}, "libwatch:v1");
  // "libwatch" in ASCII.
  int64_t key = 0;
  for (char c : std::string{"libwatch"})
    key = (key << 8) | c;
  CAF_CHECK_EQUAL(ddl_lock_key, key);
}

CAF_TEST(payload_expression_of_simple_inserted_watcher_is_exact) {
  CAF_CHECK_EQUAL(payload_expression(new_posts()),
                  "json_build_object('type', 'inserted', 'values', "
                  "json_build_object('id', NEW.\"id\", 'title', "
                  "NEW.\"title\"))::text");
}

CAF_TEST(create_function_of_simple_inserted_watcher_is_exact) {
  std::string expected
    = "CREATE OR REPLACE FUNCTION \"public\".\"lw_new_posts_func\"() RETURNS "
      "trigger LANGUAGE plpgsql AS $lw$\n"
      "DECLARE\n"
      "  payload text := json_build_object('type', 'inserted', 'values', "
      "json_build_object('id', NEW.\"id\", 'title', NEW.\"title\"))::text;\n"
      "BEGIN\n"
      "  IF octet_length(payload) >= 8000 THEN\n"
      "    payload := json_build_object('type', 'inserted', 'values', "
      "json_build_object('id', NEW.\"id\"), 'reduced', true)::text;\n"
      "    IF octet_length(payload) >= 8000 THEN\n"
      "      payload := json_build_object('type', 'inserted', 'values', "
      "json_build_object(), 'reduced', true)::text;\n"
      "    END IF;\n"
      "  END IF;\n"
      "  PERFORM pg_catalog.pg_notify('lw_new_posts', payload);\n"
      "  RETURN NULL;\n"
      "END;\n"
      "$lw$";
  CAF_CHECK_EQUAL(create_function(new_posts()), expected);
}

CAF_TEST(key_only_expression_carries_the_key_and_the_reduced_mark) {
  CAF_CHECK_EQUAL(key_only_expression(new_posts()),
                  "json_build_object('type', 'inserted', 'values', "
                  "json_build_object('id', NEW.\"id\"), 'reduced', "
                  "true)::text");
}

CAF_TEST(fetch_statement_reads_the_payload_of_one_row_by_typed_key) {
  CAF_CHECK_EQUAL(
    fetch_statement(new_posts()),
    "SELECT json_build_object('type', 'inserted', 'values', "
    "json_build_object('id', NEW.\"id\", 'title', "
    "NEW.\"title\"))::text AS payload FROM \"public\".\"posts\" AS NEW "
    "WHERE NEW.\"id\" = $1::int4");
}

CAF_TEST(install_statements_for_server_14_use_create_or_replace_trigger) {
  auto w = new_posts();
  auto stmts = install_statements(w, 140000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK_EQUAL(stmts[0], create_function(w));
  CAF_CHECK_EQUAL(stmts[1],
                  "COMMENT ON FUNCTION \"public\".\"lw_new_posts_func\"() IS "
                  "'libwatch:v1 watcher=new_posts'");
  CAF_CHECK_EQUAL(stmts[2],
                  "CREATE OR REPLACE TRIGGER \"lw_new_posts_trigger\" AFTER "
                  "INSERT ON \"public\".\"posts\" FOR EACH ROW EXECUTE "
                  "FUNCTION \"public\".\"lw_new_posts_func\"()");
  // Later servers get the same statements.
  CAF_CHECK(install_statements(w, 170002) == stmts);
}

CAF_TEST(install_statements_before_server_14_drop_then_create_the_trigger) {
  auto w = new_posts();
  auto stmts = install_statements(w, 139999);
  CAF_REQUIRE_EQUAL(stmts.size(), 4u);
  CAF_CHECK_EQUAL(stmts[0], create_function(w));
  CAF_CHECK_EQUAL(stmts[1],
                  "COMMENT ON FUNCTION \"public\".\"lw_new_posts_func\"() IS "
                  "'libwatch:v1 watcher=new_posts'");
  CAF_CHECK_EQUAL(stmts[2], "DROP TRIGGER IF EXISTS \"lw_new_posts_trigger\" "
                            "ON \"public\".\"posts\"");
  CAF_CHECK_EQUAL(stmts[3],
                  "CREATE TRIGGER \"lw_new_posts_trigger\" AFTER INSERT ON "
                  "\"public\".\"posts\" FOR EACH ROW EXECUTE FUNCTION "
                  "\"public\".\"lw_new_posts_func\"()");
  CAF_CHECK(install_statements(w, 110000) == stmts);
}

CAF_TEST(uninstall_statements_drop_trigger_then_function) {
  auto stmts = uninstall_statements(new_posts());
  CAF_REQUIRE_EQUAL(stmts.size(), 2u);
  CAF_CHECK_EQUAL(stmts[0], "DROP TRIGGER IF EXISTS \"lw_new_posts_trigger\" "
                            "ON \"public\".\"posts\"");
  CAF_CHECK_EQUAL(stmts[1], "DROP FUNCTION IF EXISTS "
                            "\"public\".\"lw_new_posts_func\"()");
}

CAF_TEST(inserted_and_updated_read_new_row_deleted_reads_old_row) {
  auto cols = std::vector<column_info>{col("id", "int4", 'N'),
                                       col("body", "text", 'S')};
  auto upd = make_watcher(
    watcher_spec::on("posts", event_kind::updated).labelled("u"), cols);
  auto del = make_watcher(
    watcher_spec::on("posts", event_kind::deleted).labelled("d"), cols);
  CAF_CHECK_EQUAL(payload_expression(upd),
                  "json_build_object('type', 'updated', 'values', "
                  "json_build_object('id', NEW.\"id\", 'body', "
                  "NEW.\"body\"))::text");
  CAF_CHECK_EQUAL(payload_expression(del),
                  "json_build_object('type', 'deleted', 'values', "
                  "json_build_object('id', OLD.\"id\", 'body', "
                  "OLD.\"body\"))::text");
  CAF_CHECK(!contains(create_function(del), "NEW."));
  auto upd_stmts = install_statements(upd, 150000);
  auto del_stmts = install_statements(del, 150000);
  CAF_REQUIRE_EQUAL(upd_stmts.size(), 3u);
  CAF_REQUIRE_EQUAL(del_stmts.size(), 3u);
  CAF_CHECK_EQUAL(upd_stmts[2],
                  "CREATE OR REPLACE TRIGGER \"lw_u_trigger\" AFTER UPDATE ON "
                  "\"public\".\"posts\" FOR EACH ROW EXECUTE FUNCTION "
                  "\"public\".\"lw_u_func\"()");
  CAF_CHECK_EQUAL(del_stmts[2],
                  "CREATE OR REPLACE TRIGGER \"lw_d_trigger\" AFTER DELETE ON "
                  "\"public\".\"posts\" FOR EACH ROW EXECUTE FUNCTION "
                  "\"public\".\"lw_d_func\"()");
}

CAF_TEST(numeric_columns_are_cast_to_text_other_numbers_are_not) {
  auto w = make_watcher(
    watcher_spec::on("orders", event_kind::inserted).labelled("orders"),
    {col("id", "int8", 'N'), col("amount", "numeric", 'N'),
     col("qty", "int4", 'N'), col("ratio", "float8", 'N'),
     col("flag", "bool", 'B')});
  CAF_CHECK_EQUAL(payload_expression(w),
                  "json_build_object('type', 'inserted', 'values', "
                  "json_build_object('id', NEW.\"id\", 'amount', "
                  "NEW.\"amount\"::text, 'qty', NEW.\"qty\", 'ratio', "
                  "NEW.\"ratio\", 'flag', NEW.\"flag\"))::text");
}

CAF_TEST(unlabelled_watcher_uses_derived_names_and_qualified_table) {
  auto spec = watcher_spec::on("Posts", event_kind::deleted).in_schema("Blog");
  auto names = derive_names(spec);
  auto w = make_watcher(spec, {col("id", "int4", 'N')});
  auto stmts = install_statements(w, 160000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK_EQUAL(stmts[2], "CREATE OR REPLACE TRIGGER \"" + names.trigger
                              + "\" AFTER DELETE ON \"Blog\".\"Posts\" FOR "
                                "EACH ROW EXECUTE FUNCTION \"Blog\".\""
                              + names.function + "\"()");
  CAF_CHECK_EQUAL(stmts[1], "COMMENT ON FUNCTION \"Blog\".\"" + names.function
                              + "\"() IS 'libwatch:v1 "
                                "watcher=Blog.Posts:deleted'");
  CAF_CHECK(
    contains(stmts[0], "pg_catalog.pg_notify('" + names.channel + "', "));
}

CAF_TEST(trigger_condition_is_empty_without_trigger_columns) {
  CAF_CHECK_EQUAL(trigger_condition(new_posts()), "");
  for (auto& stmt : install_statements(new_posts(), 140000))
    CAF_CHECK(!contains(stmt, "WHEN"));
}

CAF_TEST(trigger_condition_compares_columns_with_is_distinct_from) {
  auto w = make_watcher(
    watcher_spec::on("posts", event_kind::updated).labelled("edits"),
    {col("id", "int4", 'N')},
    {col("title", "text", 'S'), col("n", "int4", 'N'),
     col("doc", "jsonb", 'U')});
  CAF_CHECK_EQUAL(trigger_condition(w),
                  "OLD.\"title\" IS DISTINCT FROM NEW.\"title\" OR OLD.\"n\" "
                  "IS DISTINCT FROM NEW.\"n\" OR OLD.\"doc\" IS DISTINCT FROM "
                  "NEW.\"doc\"");
}

CAF_TEST(trigger_condition_casts_types_without_equality_to_text) {
  auto w = make_watcher(
    watcher_spec::on("shapes", event_kind::updated).labelled("shapes"),
    {col("id", "int4", 'N')},
    {col("j", "json", 'U'), col("x", "xml", 'U'), col("p", "point", 'G'),
     col("ja", "_json", 'A', "json"), col("ia", "_int4", 'A', "int4"),
     col("pa", "_point", 'A', "point")});
  CAF_CHECK_EQUAL(trigger_condition(w),
                  "OLD.\"j\"::text IS DISTINCT FROM NEW.\"j\"::text OR "
                  "OLD.\"x\"::text IS DISTINCT FROM NEW.\"x\"::text OR "
                  "OLD.\"p\"::text IS DISTINCT FROM NEW.\"p\"::text OR "
                  "OLD.\"ja\"::text IS DISTINCT FROM NEW.\"ja\"::text OR "
                  "OLD.\"ia\" IS DISTINCT FROM NEW.\"ia\" OR "
                  "OLD.\"pa\"::text IS DISTINCT FROM NEW.\"pa\"::text");
}

CAF_TEST(trigger_with_trigger_columns_fires_on_update_of_them_when_changed) {
  auto w = make_watcher(
    watcher_spec::on("posts", event_kind::updated).labelled("edits"),
    {col("id", "int4", 'N')},
    {col("title", "text", 'S'), col("doc", "json", 'U')});
  auto stmts = install_statements(w, 140000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK_EQUAL(stmts[2],
                  "CREATE OR REPLACE TRIGGER \"lw_edits_trigger\" AFTER "
                  "UPDATE OF \"title\", \"doc\" ON \"public\".\"posts\" FOR "
                  "EACH ROW WHEN (OLD.\"title\" IS DISTINCT FROM "
                  "NEW.\"title\" OR OLD.\"doc\"::text IS DISTINCT FROM "
                  "NEW.\"doc\"::text) EXECUTE FUNCTION "
                  "\"public\".\"lw_edits_func\"()");
  auto old = install_statements(w, 130000);
  CAF_REQUIRE_EQUAL(old.size(), 4u);
  CAF_CHECK_EQUAL(old[3], "CREATE" + stmts[2].substr(17));
}

CAF_TEST(only_the_function_carries_the_ownership_marker) {
  for (int version : {110000, 130000, 140000}) {
    auto stmts = install_statements(new_posts(), version);
    size_t comments = 0;
    for (auto& stmt : stmts) {
      if (stmt.rfind("COMMENT ON ", 0) == 0) {
        ++comments;
        CAF_CHECK(stmt.rfind("COMMENT ON FUNCTION ", 0) == 0);
        CAF_CHECK(contains(stmt, " IS 'libwatch:v1 "));
      }
    }
    CAF_CHECK_EQUAL(comments, 1u);
  }
}

CAF_TEST(enable_always_adds_an_alter_table_after_the_trigger) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .labelled("replicated")
                .with_enable_always();
  auto w = make_watcher(spec, {col("id", "int4", 'N')});
  for (int version : {130000, 140000}) {
    auto stmts = install_statements(w, version);
    CAF_CHECK_EQUAL(stmts.back(), "ALTER TABLE \"public\".\"posts\" ENABLE "
                                  "ALWAYS TRIGGER \"lw_replicated_trigger\"");
  }
  CAF_CHECK(
    !contains(install_statements(new_posts(), 140000).back(), "ENABLE ALWAYS"));
}

CAF_TEST(dollar_tag_changes_when_a_column_name_contains_the_default_tag) {
  auto w = make_watcher(
    watcher_spec::on("posts", event_kind::inserted).labelled("tags"),
    {col("id", "int4", 'N'), col("a$lw$b", "text", 'S')});
  auto fn = create_function(w);
  CAF_CHECK(contains(fn, "() RETURNS trigger LANGUAGE plpgsql AS $lw0$\n"));
  CAF_CHECK(ends_with(fn, "\n$lw0$"));
  CAF_CHECK_EQUAL(occurrences(fn, "$lw0$"), 2u);
  CAF_CHECK(contains(fn, "'a$lw$b', NEW.\"a$lw$b\""));
}

CAF_TEST(dollar_tag_avoids_every_tag_present_in_the_body) {
  auto w = make_watcher(
    watcher_spec::on("posts", event_kind::inserted).labelled("tags"),
    {col("id", "int4", 'N'), col("$lw$", "text", 'S'),
     col("$lw0$", "text", 'S')});
  auto fn = create_function(w);
  CAF_CHECK(contains(fn, " AS $lw1$\n"));
  CAF_CHECK(ends_with(fn, "\n$lw1$"));
  CAF_CHECK_EQUAL(occurrences(fn, "$lw1$"), 2u);
}

CAF_TEST(default_dollar_tag_occurs_only_as_delimiters) {
  auto fn = create_function(new_posts());
  CAF_CHECK_EQUAL(occurrences(fn, "$lw$"), 2u);
}

CAF_TEST(hostile_column_names_end_up_quoted) {
  auto w = make_watcher(
    watcher_spec::on("posts", event_kind::updated).labelled("hostile"),
    {col("id", "int4", 'N'), col("x\"; DROP TABLE posts; --", "text", 'S'),
     col("it's", "text", 'S'), col("$$", "text", 'S'),
     col("a\\b", "text", 'S')},
    {col("x\"; DROP TABLE posts; --", "text", 'S')});
  CAF_CHECK_EQUAL(payload_expression(w),
                  "json_build_object('type', 'updated', 'values', "
                  "json_build_object('id', NEW.\"id\", "
                  "'x\"; DROP TABLE posts; --', "
                  "NEW.\"x\"\"; DROP TABLE posts; --\", "
                  "'it''s', NEW.\"it's\", "
                  "'$$', NEW.\"$$\", "
                  "E'a\\\\b', NEW.\"a\\b\"))::text");
  CAF_CHECK_EQUAL(trigger_condition(w),
                  "OLD.\"x\"\"; DROP TABLE posts; --\" IS DISTINCT FROM "
                  "NEW.\"x\"\"; DROP TABLE posts; --\"");
  auto stmts = install_statements(w, 140000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK(
    contains(stmts[2], "AFTER UPDATE OF \"x\"\"; DROP TABLE posts; --\" ON "));
  auto fn = create_function(w);
  CAF_CHECK(contains(fn, " AS $lw$\n"));
  CAF_CHECK_EQUAL(occurrences(fn, "$lw$"), 2u);
}

CAF_TEST(hostile_schema_and_table_names_end_up_quoted) {
  auto spec = watcher_spec::on("it's \"t\"; --", event_kind::inserted)
                .in_schema("s\\x");
  auto names = derive_names(spec);
  auto w = make_watcher(spec, {col("id", "int4", 'N')});
  auto stmts = install_statements(w, 140000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK(contains(stmts[0], "CREATE OR REPLACE FUNCTION \"s\\x\".\""
                                 + names.function + "\"()"));
  CAF_CHECK(contains(stmts[2], " ON \"s\\x\".\"it's \"\"t\"\"; --\" FOR "));
  CAF_CHECK_EQUAL(stmts[1], "COMMENT ON FUNCTION \"s\\x\".\"" + names.function
                              + "\"() IS "
                                "E'libwatch:v1 watcher=s\\\\x.\"it''s "
                                "\"\"t\"\"; --\":inserted'");
  auto un = uninstall_statements(w);
  CAF_REQUIRE_EQUAL(un.size(), 2u);
  CAF_CHECK_EQUAL(un[0], "DROP TRIGGER IF EXISTS \"" + names.trigger
                           + "\" ON \"s\\x\".\"it's \"\"t\"\"; --\"");
}

// -- statement level ----------------------------------------------------------

namespace {

resolved_watcher statement_level(resolved_watcher w) {
  w.spec.level = trigger_level::statement;
  return w;
}

resolved_watcher liked_posts() {
  return make_watcher(watcher_spec::on("posts", event_kind::updated)
                        .labelled("liked")
                        .with_trigger_level(trigger_level::statement),
                      {col("id", "numeric", 'N'), col("title", "text", 'S')},
                      {col("likes", "int4", 'N'), col("meta", "json", 'U')});
}

} // namespace

CAF_TEST(statement_level_trigger_reads_transition_tables_once_per_statement) {
  auto stmts = install_statements(statement_level(new_posts()), 150000);
  CAF_REQUIRE_EQUAL(stmts.size(), 3u);
  CAF_CHECK(contains(stmts[0], "RETURNS trigger LANGUAGE plpgsql SET jit = "
                               "off AS $lw$"));
  CAF_CHECK_EQUAL(stmts[2], "CREATE OR REPLACE TRIGGER \"lw_new_posts_trigger\""
                            " AFTER INSERT ON \"public\".\"posts\" REFERENCING"
                            " NEW TABLE AS lw_new_rows FOR EACH STATEMENT "
                            "EXECUTE FUNCTION "
                            "\"public\".\"lw_new_posts_func\"()");
  auto body = function_body(statement_level(new_posts()));
  CAF_CHECK(contains(body, "FROM lw_new_rows AS r"));
  CAF_CHECK(contains(body,
                     "json_build_object('id', r.\"id\", 'title', "
                     "r.\"title\")::text AS lw_json, r.\"id\" AS lw_key"));
}

CAF_TEST(statement_level_deletes_read_the_old_rows) {
  auto w = new_posts();
  w.spec.event = event_kind::deleted;
  w = statement_level(w);
  CAF_CHECK_EQUAL(transition_tables(w),
                  " REFERENCING OLD TABLE AS lw_old_rows");
  CAF_CHECK(contains(function_body(w), "FROM lw_old_rows AS r"));
  CAF_CHECK(contains(function_body(w), "{\"type\": \"deleted\", \"rows\": ["));
}

CAF_TEST(statement_level_chunks_stay_under_the_notify_limit) {
  auto body = function_body(statement_level(new_posts()));
  // The frame {"type": "inserted", "rows": [ ... ]} is 32 bytes; a row
  // alone must leave room for it, a joined row for the ", " as well.
  auto frame = chunk_prefix(event_kind::inserted).size() + 2;
  CAF_CHECK_EQUAL(frame, 32u);
  CAF_CHECK(contains(body, "IF octet_length(lw_row.lw_json) >= "
                             + std::to_string(8000 - frame) + " THEN"));
  CAF_CHECK(contains(body, "octet_length(lw_chunk) + "
                           "octet_length(lw_row.lw_json) >= "
                             + std::to_string(8000 - frame - 2) + " THEN"));
  CAF_CHECK(contains(body, "'reduced', true"));
  CAF_CHECK_EQUAL(occurrences(body, "pg_catalog.pg_notify("), 4u);
}

CAF_TEST(statement_level_trigger_columns_compare_versions_paired_by_position) {
  auto w = liked_posts();
  CAF_CHECK_EQUAL(transition_tables(w), " REFERENCING OLD TABLE AS "
                                        "lw_old_rows NEW TABLE AS lw_new_rows");
  auto stmts = install_statements(w, 150000);
  // No column list, no WHEN: PostgreSQL forbids both with transition tables.
  CAF_CHECK(contains(stmts[2], "AFTER UPDATE ON"));
  CAF_CHECK(!contains(stmts[2], " OF "));
  CAF_CHECK(!contains(stmts[2], "WHEN"));
  CAF_CHECK_EQUAL(trigger_condition(w), "");
  auto body = function_body(w);
  CAF_CHECK(contains(body, "lw_paired := (SELECT count(*) FROM lw_old_rows) = "
                           "(SELECT count(*) FROM lw_new_rows);"));
  CAF_CHECK(contains(body, "ON o.lw_pos = n.lw_pos WHERE NOT lw_paired OR "
                           "o.t1 IS DISTINCT FROM n.t1 OR o.t2::text IS "
                           "DISTINCT FROM n.t2::text ORDER BY n.lw_pos"));
  // Numeric values travel as text, in the pairs and in the key.
  CAF_CHECK(contains(body, "r.\"id\"::text AS c1"));
  CAF_CHECK(contains(body, "json_build_object('id', n.c1, 'title', n.c2)::text "
                           "AS lw_json, n.c1 AS lw_key"));
}

// -- durable watchers ---------------------------------------------------------

namespace {

resolved_watcher durable_posts(wakeup_mode wakeup) {
  auto w = new_posts();
  w.spec.durable(wakeup);
  return w;
}

} // namespace

CAF_TEST(durable_row_function_logs_the_payload_and_wakes_the_consumer) {
  auto w = durable_posts(wakeup_mode::notify);
  CAF_CHECK_EQUAL(function_body(w),
                  "\nBEGIN\n  INSERT INTO \"libwatch\".change_log (watcher, "
                  "payload) VALUES ('lw_new_posts', "
                    + payload_expression(w)
                    + ");\n  PERFORM pg_catalog.pg_notify('lw_new_posts', "
                      "'');\n  RETURN NULL;\nEND;\n");
  // It runs as the writer, who may append to the log (GRANT INSERT TO
  // PUBLIC in the setup statements).
  CAF_CHECK(contains(create_function(w), "LANGUAGE plpgsql AS $lw$"));
}

CAF_TEST(durable_poll_function_never_notifies) {
  auto w = durable_posts(wakeup_mode::poll);
  CAF_CHECK(!contains(function_body(w), "pg_notify"));
  w.spec.level = trigger_level::statement;
  CAF_CHECK(!contains(function_body(w), "pg_notify"));
  CAF_CHECK(contains(function_body(w),
                     "SELECT 'lw_new_posts', '{\"type\" : \"inserted\", "
                     "\"values\" : ' || lw_rows.lw_json || '}' FROM"));
  CAF_CHECK(contains(create_function(w), "LANGUAGE plpgsql SET jit = off AS"));
}

CAF_TEST(durable_install_creates_the_log_first_and_idempotently) {
  auto stmts = install_statements(durable_posts(wakeup_mode::notify), 150000);
  CAF_REQUIRE(stmts.size() >= 8);
  CAF_CHECK_EQUAL(stmts[0], "CREATE SCHEMA IF NOT EXISTS \"libwatch\"");
  // Everything before the function can run again harmlessly.
  for (size_t i = 1; i < 7; ++i)
    CAF_CHECK(contains(stmts[i], " IF NOT EXISTS ")
              || contains(stmts[i], "GRANT "));
  CAF_CHECK(std::find(stmts.begin(), stmts.end(),
                      "GRANT INSERT ON \"libwatch\".change_log TO PUBLIC")
            != stmts.end());
  CAF_CHECK(contains(stmts[7], "CREATE OR REPLACE FUNCTION"));
  // Plain watchers create no log.
  for (auto& s : install_statements(new_posts(), 150000))
    CAF_CHECK(!contains(s, "change_log"));
}
