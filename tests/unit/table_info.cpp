// Tests resolve(): checking a watcher spec against catalog information.
#define CAF_SUITE table_info

#include "libwatch/table_info.hpp"

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "libwatch/error.hpp"

using namespace libwatch;

namespace {

column_info col(std::string name, std::string type_name, char category = 'N',
                std::string type = "") {
  column_info c;
  c.name = std::move(name);
  c.type = type.empty() ? c.name + "_type" : std::move(type);
  c.type_name = std::move(type_name);
  c.category = category;
  return c;
}

table_info posts_table() {
  table_info t;
  t.schema = "public";
  t.table = "posts";
  t.kind = 'r';
  t.columns
    = {col("id", "int4", 'N', "integer"), col("title", "text", 'S', "text"),
       col("author_id", "int8", 'N', "bigint"),
       col("post_id", "int4", 'N', "integer"),
       col("amount", "numeric", 'N', "numeric(10,2)")};
  t.primary_key = {"id"};
  return t;
}

const std::string posts_columns = "id, title, author_id, post_id, amount";

std::vector<std::string> names_of(const std::vector<column_info>& xs) {
  std::vector<std::string> out;
  for (auto& x : xs)
    out.push_back(x.name);
  return out;
}

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

// Returns the error text if `res` failed with errc::catalog_mismatch.
std::string mismatch_text(const caf::expected<resolved_watcher>& res) {
  if (res)
    return "(resolved)";
  if (!is(res.error(), errc::catalog_mismatch))
    return "(other error) " + describe(res.error());
  return describe(res.error());
}

} // namespace

CAF_TEST(table_info_find_returns_the_column_or_null) {
  auto t = posts_table();
  auto ptr = t.find("title");
  CAF_REQUIRE(ptr != nullptr);
  CAF_CHECK_EQUAL(ptr->type_name, "text");
  CAF_CHECK(t.find("Title") == nullptr);
  CAF_CHECK(t.find("missing") == nullptr);
}

CAF_TEST(primary_key_comes_from_the_catalog_when_not_set) {
  auto spec = watcher_spec::on("posts", event_kind::inserted);
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->primary_key.name, "id");
  CAF_CHECK_EQUAL(res->primary_key.type, "integer");
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)), "id");
  CAF_CHECK(res->trigger_columns.empty());
  CAF_CHECK_EQUAL(res->spec.table, "posts");
  auto names = derive_names(spec);
  CAF_CHECK_EQUAL(res->names.channel, names.channel);
  CAF_CHECK_EQUAL(res->names.function, names.function);
  CAF_CHECK_EQUAL(res->names.trigger, names.trigger);
}

CAF_TEST(payload_columns_are_key_extras_then_new_association_columns) {
  auto spec = watcher_spec::on("posts", event_kind::updated)
                .with_extra_columns({"title", "author_id"})
                .with_association_columns({"author_id", "post_id"});
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)),
                  "id,title,author_id,post_id");
}

CAF_TEST(payload_columns_keep_configuration_order_not_catalog_order) {
  auto spec = watcher_spec::on("posts", event_kind::updated)
                .with_extra_columns({"amount", "title"})
                .with_association_columns({"post_id", "author_id"});
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)),
                  "id,amount,title,post_id,author_id");
}

CAF_TEST(payload_columns_never_repeat_a_column) {
  auto spec = watcher_spec::on("posts", event_kind::deleted)
                .with_extra_columns({"id", "title"})
                .with_association_columns({"title", "post_id"});
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)), "id,title,post_id");
}

CAF_TEST(payload_columns_carry_their_catalog_types) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .with_extra_columns({"amount"});
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_REQUIRE_EQUAL(res->payload_columns.size(), 2u);
  CAF_CHECK_EQUAL(res->payload_columns[1].type_name, "numeric");
  CAF_CHECK_EQUAL(res->payload_columns[1].type, "numeric(10,2)");
  CAF_CHECK_EQUAL(res->payload_columns[1].category, 'N');
}

CAF_TEST(trigger_columns_are_resolved_in_configuration_order) {
  auto spec = watcher_spec::on("posts", event_kind::updated)
                .labelled("edits")
                .with_trigger_columns({"title", "amount"});
  auto res = resolve(spec, posts_table());
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(joined(names_of(res->trigger_columns)), "title,amount");
  CAF_CHECK_EQUAL(res->trigger_columns[1].type_name, "numeric");
  // Trigger columns are not carried unless listed elsewhere.
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)), "id");
  CAF_CHECK_EQUAL(res->names.channel, "lw_edits");
}

CAF_TEST(missing_extra_column_error_names_the_column_and_the_option) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .with_extra_columns({"title", "nope"});
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, posts_table())),
                  "watcher public.posts:inserted: extra_columns: column "
                  "\"nope\" does not exist in \"public\".\"posts\" (columns: "
                    + posts_columns + ")");
}

CAF_TEST(missing_association_column_error_names_the_column_and_the_option) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .labelled("by_thread")
                .with_association_columns({"thread_id"});
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, posts_table())),
                  "watcher by_thread: association_columns: column "
                  "\"thread_id\" does not exist in \"public\".\"posts\" "
                  "(columns: "
                    + posts_columns + ")");
}

CAF_TEST(missing_trigger_column_error_names_the_column_and_the_option) {
  auto spec = watcher_spec::on("posts", event_kind::updated)
                .labelled("edits")
                .with_trigger_columns({"title", "Title"});
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, posts_table())),
                  "watcher edits: trigger_columns: column \"Title\" does not "
                  "exist in \"public\".\"posts\" (columns: "
                    + posts_columns + ")");
}

CAF_TEST(missing_explicit_primary_key_error_names_the_column_and_the_option) {
  auto spec
    = watcher_spec::on("posts", event_kind::inserted).with_primary_key("uuid");
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, posts_table())),
                  "watcher public.posts:inserted: primary_key: column "
                  "\"uuid\" does not exist in \"public\".\"posts\" (columns: "
                    + posts_columns + ")");
}

CAF_TEST(table_without_primary_key_is_rejected) {
  auto t = posts_table();
  t.primary_key.clear();
  auto spec = watcher_spec::on("posts", event_kind::deleted);
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, t)),
                  "watcher public.posts:deleted: \"public\".\"posts\" has no "
                  "primary key; set primary_key to a column that identifies "
                  "rows");
}

CAF_TEST(table_with_composite_primary_key_is_rejected) {
  auto t = posts_table();
  t.primary_key = {"author_id", "post_id"};
  auto spec = watcher_spec::on("posts", event_kind::inserted);
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, t)),
                  "watcher public.posts:inserted: \"public\".\"posts\" has a "
                  "composite primary key (author_id, post_id), which "
                  "libwatch does not support; set primary_key to one column "
                  "that identifies rows");
}

CAF_TEST(explicit_primary_key_overrides_the_catalog) {
  auto t = posts_table();
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .with_primary_key("post_id")
                .with_extra_columns({"title"});
  auto res = resolve(spec, t);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->primary_key.name, "post_id");
  CAF_CHECK_EQUAL(joined(names_of(res->payload_columns)), "post_id,title");
  // Also when the catalog has a composite key or none at all.
  t.primary_key = {"author_id", "post_id"};
  auto composite = resolve(spec, t);
  CAF_REQUIRE(composite);
  CAF_CHECK_EQUAL(composite->primary_key.name, "post_id");
  t.primary_key.clear();
  auto none = resolve(spec, t);
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->primary_key.name, "post_id");
}

CAF_TEST(association_column_equal_to_catalog_primary_key_is_rejected) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .with_association_columns({"post_id", "id"});
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, posts_table())),
                  "watcher public.posts:inserted: association_columns: "
                  "\"id\" is the primary key; subscribe by primary key "
                  "instead");
}

CAF_TEST(partitioned_table_is_accepted) {
  auto t = posts_table();
  t.kind = 'p';
  CAF_CHECK(resolve(watcher_spec::on("posts", event_kind::inserted), t));
}

CAF_TEST(views_and_other_relation_kinds_are_rejected) {
  auto spec = watcher_spec::on("posts", event_kind::inserted);
  for (char kind : {'v', 'm', 'f', 'c', 'S', 'i'}) {
    auto t = posts_table();
    t.kind = kind;
    CAF_CHECK_EQUAL(mismatch_text(resolve(spec, t)),
                    "watcher public.posts:inserted: \"public\".\"posts\" is "
                    "not a table or partitioned table (relkind '"
                      + std::string(1, kind) + "')");
  }
}

CAF_TEST(fifty_payload_columns_are_accepted) {
  table_info t;
  t.schema = "s";
  t.table = "wide";
  t.primary_key = {"c0"};
  std::vector<std::string> extras;
  for (int i = 0; i < 60; ++i)
    t.columns.push_back(col("c" + std::to_string(i), "int4"));
  for (int i = 1; i < 50; ++i)
    extras.push_back("c" + std::to_string(i));
  CAF_CHECK_EQUAL(max_payload_columns, 50u);
  auto res = resolve(watcher_spec::on("wide", event_kind::inserted)
                       .in_schema("s")
                       .with_extra_columns(extras),
                     t);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->payload_columns.size(), 50u);
}

CAF_TEST(more_than_fifty_payload_columns_are_rejected) {
  table_info t;
  t.schema = "s";
  t.table = "wide";
  t.primary_key = {"c0"};
  std::vector<std::string> extras;
  std::vector<std::string> assoc;
  for (int i = 0; i < 60; ++i)
    t.columns.push_back(col("c" + std::to_string(i), "int4"));
  for (int i = 1; i < 45; ++i)
    extras.push_back("c" + std::to_string(i));
  for (int i = 40; i < 51; ++i) // c40..c44 are already listed
    assoc.push_back("c" + std::to_string(i));
  auto spec = watcher_spec::on("wide", event_kind::inserted)
                .in_schema("s")
                .labelled("wide")
                .with_extra_columns(extras)
                .with_association_columns(assoc);
  CAF_CHECK_EQUAL(mismatch_text(resolve(spec, t)),
                  "watcher wide: carries 51 columns; at most 50 are possible");
}
