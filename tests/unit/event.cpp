// Tests event_kind spellings, parsing, SQL keywords and watcher_name().
#define CAF_SUITE event

#include "libwatch/event.hpp"

#include <caf/test/unit_test.hpp>

#include <string>

#include "libwatch/watcher_spec.hpp"

using namespace libwatch;

CAF_TEST(events_have_stable_spellings) {
  CAF_CHECK_EQUAL(std::string{to_string_view(event_kind::inserted)},
                  "inserted");
  CAF_CHECK_EQUAL(std::string{to_string_view(event_kind::updated)}, "updated");
  CAF_CHECK_EQUAL(std::string{to_string_view(event_kind::deleted)}, "deleted");
  CAF_CHECK_EQUAL(to_string(event_kind::deleted), "deleted");
}

CAF_TEST(parse_event_kind_accepts_exactly_the_spellings) {
  for (auto x :
       {event_kind::inserted, event_kind::updated, event_kind::deleted})
    CAF_CHECK(parse_event_kind(to_string_view(x)) == x);
  CAF_CHECK(!parse_event_kind(""));
  CAF_CHECK(!parse_event_kind("Inserted"));
  CAF_CHECK(!parse_event_kind("insert"));
  CAF_CHECK(!parse_event_kind("INSERT"));
  CAF_CHECK(!parse_event_kind("updated "));
}

CAF_TEST(sql_keywords_match_events) {
  CAF_CHECK_EQUAL(std::string{sql_keyword(event_kind::inserted)}, "INSERT");
  CAF_CHECK_EQUAL(std::string{sql_keyword(event_kind::updated)}, "UPDATE");
  CAF_CHECK_EQUAL(std::string{sql_keyword(event_kind::deleted)}, "DELETE");
}

CAF_TEST(watcher_name_is_label_or_schema_table_event) {
  CAF_CHECK_EQUAL(watcher_name(watcher_spec::on("posts", event_kind::updated)),
                  "public.posts:updated");
  CAF_CHECK_EQUAL(
    watcher_name(
      watcher_spec::on("posts", event_kind::deleted).in_schema("blog")),
    "blog.posts:deleted");
  CAF_CHECK_EQUAL(
    watcher_name(
      watcher_spec::on("posts", event_kind::updated).labelled("edits")),
    "edits");
}

CAF_TEST(watcher_spec_builder_sets_every_field) {
  auto spec = watcher_spec::on("posts", event_kind::updated)
                .in_schema("blog")
                .labelled("edits")
                .with_primary_key("uuid")
                .with_extra_columns({"a"})
                .with_trigger_columns({"b"})
                .with_association_columns({"c", "d"})
                .with_debug();
  CAF_CHECK_EQUAL(spec.schema, "blog");
  CAF_CHECK_EQUAL(spec.table, "posts");
  CAF_CHECK(spec.event == event_kind::updated);
  CAF_CHECK_EQUAL(spec.label, "edits");
  CAF_CHECK_EQUAL(spec.primary_key, "uuid");
  CAF_CHECK(spec.extra_columns == std::vector<std::string>{"a"});
  CAF_CHECK(spec.trigger_columns == std::vector<std::string>{"b"});
  CAF_CHECK((spec.association_columns == std::vector<std::string>{"c", "d"}));
  CAF_CHECK(spec.debug);
  auto defaults = watcher_spec::on("t", event_kind::inserted);
  CAF_CHECK_EQUAL(defaults.schema, "public");
  CAF_CHECK(defaults.label.empty());
  CAF_CHECK(!defaults.debug);
}
