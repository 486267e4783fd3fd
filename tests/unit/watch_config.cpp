// Tests validate() of watch configurations and the rendering of its problems.
#define CAF_SUITE watch_config

#include "libwatch/watch_config.hpp"

#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "libwatch/object_names.hpp"

using namespace libwatch;

namespace {

watch_config config_of(std::vector<watcher_spec> watchers) {
  watch_config cfg;
  cfg.watchers = std::move(watchers);
  return cfg;
}

watcher_spec posts(event_kind event = event_kind::inserted) {
  return watcher_spec::on("posts", event);
}

// Returns how many problems have `field` for watcher `index`.
size_t count_of(const std::vector<spec_problem>& problems, size_t index,
                const std::string& field) {
  return static_cast<size_t>(
    std::count_if(problems.begin(), problems.end(), [&](const auto& p) {
      return p.watcher == index && p.field == field;
    }));
}

void dump(const std::vector<spec_problem>& problems) {
  for (auto& p : problems)
    CAF_MESSAGE("problem: watcher " << p.watcher << ", " << p.field << ": "
                                    << p.message);
}

} // namespace

CAF_TEST(empty_config_has_no_problems) {
  CAF_CHECK(validate(watch_config{}).empty());
}

CAF_TEST(typical_valid_config_has_no_problems) {
  auto cfg = config_of(
    {posts(),
     posts(event_kind::deleted).with_extra_columns({"title", "author_id"}),
     watcher_spec::on("comments", event_kind::updated)
       .in_schema("blog")
       .labelled("comment_edits")
       .with_primary_key("id")
       .with_extra_columns({"body"})
       .with_trigger_columns({"body", "title"})
       .with_association_columns({"post_id", "author_id"})});
  auto problems = validate(cfg);
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(a_wal_watcher_needs_a_slot_name) {
  auto cfg = config_of({posts().from_wal()});
  auto problems = validate(cfg);
  dump(problems);
  CAF_CHECK_EQUAL(count_of(problems, spec_problem::no_watcher, "wal.slot"), 1u);
  cfg.wal.slot = "app";
  CAF_CHECK(validate(cfg).empty());
}

CAF_TEST(wal_slot_names_that_would_collide_or_not_fit_are_rejected) {
  auto cfg = config_of({posts().from_wal()});
  for (auto& bad : std::vector<std::string>{"App", "app-1", "app_ins",
                                            std::string(57, 'a')}) {
    cfg.wal.slot = bad;
    auto problems = validate(cfg);
    dump(problems);
    CAF_CHECK_EQUAL(count_of(problems, spec_problem::no_watcher, "wal.slot"),
                    1u);
  }
  cfg.wal.slot = std::string(56, 'a');
  CAF_CHECK(validate(cfg).empty());
}

CAF_TEST(trigger_options_do_not_apply_to_wal_watchers) {
  auto cfg = config_of({posts().from_wal().durable(wakeup_mode::poll),
                        posts(event_kind::updated)
                          .from_wal()
                          .with_trigger_level(trigger_level::statement)
                          .with_enable_always()});
  cfg.wal.slot = "app";
  auto problems = validate(cfg);
  dump(problems);
  CAF_CHECK_EQUAL(count_of(problems, 0, "wakeup"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 1, "trigger_level"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 1, "enable_always"), 1u);
  CAF_CHECK_EQUAL(problems.size(), 3u);
}

CAF_TEST(a_durable_wal_watcher_needs_no_durable_consumer) {
  // Its consumer is the replication slot.
  auto cfg = config_of({posts().from_wal().durable()});
  cfg.wal.slot = "app";
  auto problems = validate(cfg);
  dump(problems);
  CAF_CHECK(problems.empty());
  cfg.watchers.push_back(posts(event_kind::deleted).durable());
  CAF_CHECK_EQUAL(
    count_of(validate(cfg), spec_problem::no_watcher, "durable.consumer"), 1u);
}

CAF_TEST(missing_table_is_reported_on_field_table) {
  auto problems = validate(config_of({watcher_spec{}}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].watcher, 0u);
  CAF_CHECK_EQUAL(problems[0].field, "table");
  CAF_CHECK_EQUAL(problems[0].message, "\"\" must not be empty");
}

CAF_TEST(empty_schema_is_reported_on_field_schema) {
  auto problems = validate(config_of({posts().in_schema("")}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "schema");
  CAF_CHECK_EQUAL(problems[0].message, "\"\" must not be empty");
}

CAF_TEST(table_name_longer_than_63_bytes_is_reported_with_its_length) {
  auto table = std::string(64, 't');
  auto problems
    = validate(config_of({watcher_spec::on(table, event_kind::inserted)}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "table");
  CAF_CHECK_EQUAL(problems[0].message,
                  "\"" + table
                    + "\" is 64 bytes long; PostgreSQL names are at most 63 "
                      "bytes");
}

CAF_TEST(invalid_primary_key_name_is_reported) {
  auto problems
    = validate(config_of({posts().with_primary_key(std::string{"i\0d", 3})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "primary_key");
}

CAF_TEST(invalid_label_is_rejected_with_the_allowed_pattern) {
  auto problems = validate(config_of({posts().labelled("New-Posts")}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "label");
  CAF_CHECK_EQUAL(problems[0].message,
                  "\"New-Posts\" is not a valid label; use lower-case "
                  "letters, digits and underscores, starting with a letter "
                  "or underscore");
}

CAF_TEST(label_longer_than_52_bytes_is_rejected_with_ectowatch_wording) {
  auto problems = validate(config_of({posts().labelled(std::string(55, 'l'))}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "label");
  CAF_CHECK_EQUAL(problems[0].message,
                  "Label is 3 character(s) too long to be part of the "
                  "PostgreSQL trigger name (labels are at most 52 bytes)");
}

CAF_TEST(label_of_exactly_52_bytes_is_accepted) {
  auto problems = validate(config_of({posts().labelled(std::string(52, 'l'))}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(trigger_columns_on_inserted_watcher_are_rejected) {
  auto problems = validate(
    config_of({posts().labelled("p").with_trigger_columns({"title"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "trigger_columns");
  CAF_CHECK_EQUAL(problems[0].message,
                  "Cannot listen to trigger_columns for `inserted` events "
                  "(only for `updated` events)");
}

CAF_TEST(trigger_columns_on_deleted_watcher_are_rejected) {
  auto problems = validate(config_of(
    {posts(event_kind::deleted).labelled("p").with_trigger_columns({"x"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "trigger_columns");
  CAF_CHECK_EQUAL(problems[0].message,
                  "Cannot listen to trigger_columns for `deleted` events "
                  "(only for `updated` events)");
}

CAF_TEST(trigger_columns_without_label_are_rejected) {
  auto problems = validate(
    config_of({posts(event_kind::updated).with_trigger_columns({"title"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "trigger_columns");
  CAF_CHECK_EQUAL(problems[0].message,
                  "Label must be used when trigger_columns are specified");
}

CAF_TEST(trigger_columns_on_unlabelled_inserted_watcher_report_both_problems) {
  auto problems
    = validate(config_of({posts().with_trigger_columns({"title"})}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 2u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "trigger_columns"), 2u);
}

CAF_TEST(duplicate_labels_are_rejected_naming_the_first_user) {
  auto problems = validate(config_of(
    {posts().labelled("dup"),
     watcher_spec::on("comments", event_kind::deleted).labelled("x"),
     watcher_spec::on("comments", event_kind::updated).labelled("dup")}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].watcher, 2u);
  CAF_CHECK_EQUAL(problems[0].field, "label");
  CAF_CHECK_EQUAL(problems[0].message,
                  "The label \"dup\" is already used by watcher 0");
}

CAF_TEST(duplicate_unlabelled_watchers_of_same_table_and_event_are_rejected) {
  auto problems = validate(config_of({posts(), posts(event_kind::updated),
                                      posts().with_extra_columns({"title"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].watcher, 2u);
  CAF_CHECK_EQUAL(problems[0].field, "event");
  CAF_CHECK_EQUAL(problems[0].message,
                  "watcher 0 already watches public.posts:inserted without a "
                  "label; give one of them a label");
}

CAF_TEST(unlabelled_watchers_differing_in_schema_table_or_event_are_fine) {
  auto problems = validate(
    config_of({posts(), posts().in_schema("archive"),
               posts(event_kind::updated), posts(event_kind::deleted),
               watcher_spec::on("Posts", event_kind::inserted)}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(unlabelled_watchers_on_distinct_dotted_names_are_not_duplicates) {
  // "a.b"."c" and "a"."b.c" are different tables.
  auto problems = validate(
    config_of({watcher_spec::on("c", event_kind::inserted).in_schema("a.b"),
               watcher_spec::on("b.c", event_kind::inserted).in_schema("a")}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(two_labelled_watchers_on_same_table_and_event_are_fine) {
  auto problems = validate(
    config_of({posts().labelled("first"), posts().labelled("second")}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(labelled_and_unlabelled_watcher_on_same_table_and_event_are_fine) {
  auto problems = validate(
    config_of({posts(), posts().labelled("labelled"),
               posts().labelled("other").with_extra_columns({"title"})}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(column_listed_twice_is_rejected_at_its_second_position) {
  auto problems
    = validate(config_of({posts().with_extra_columns({"a", "b", "a"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "extra_columns[2]");
  CAF_CHECK_EQUAL(problems[0].message, "column \"a\" is listed twice");
}

CAF_TEST(duplicates_in_trigger_and_association_columns_are_rejected) {
  auto problems
    = validate(config_of({posts(event_kind::updated)
                            .labelled("t")
                            .with_trigger_columns({"x", "x"})
                            .with_association_columns({"p", "q", "q"})}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 2u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "trigger_columns[1]"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "association_columns[2]"), 1u);
}

CAF_TEST(same_column_in_extra_and_association_lists_is_fine) {
  auto problems
    = validate(config_of({posts()
                            .with_extra_columns({"post_id"})
                            .with_association_columns({"post_id"})}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 0u);
}

CAF_TEST(invalid_column_name_in_a_list_is_reported_with_its_index) {
  auto problems = validate(
    config_of({posts().with_extra_columns({"ok", "", std::string(64, 'c')})}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 2u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "extra_columns[1]"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "extra_columns[2]"), 1u);
}

CAF_TEST(association_column_equal_to_primary_key_is_rejected) {
  auto problems = validate(
    config_of({posts().with_primary_key("id").with_association_columns(
      {"post_id", "id"})}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].field, "association_columns");
  CAF_CHECK_EQUAL(problems[0].message,
                  "\"id\" is the primary key; subscribe by primary key "
                  "instead");
}

CAF_TEST(several_problems_in_one_watcher_are_all_reported) {
  watcher_spec bad;
  bad.schema = "";
  bad.table = "";
  bad.event = event_kind::inserted;
  bad.label = "Bad Label";
  bad.extra_columns = {"x", "x"};
  bad.trigger_columns = {"t"};
  auto problems = validate(config_of({bad}));
  dump(problems);
  CAF_CHECK_EQUAL(problems.size(), 5u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "schema"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "table"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "label"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "extra_columns[1]"), 1u);
  CAF_CHECK_EQUAL(count_of(problems, 0, "trigger_columns"), 1u);
}

CAF_TEST(problems_of_different_watchers_carry_their_watcher_index) {
  auto problems = validate(config_of(
    {posts(), watcher_spec::on("", event_kind::updated), posts().labelled("ok"),
     watcher_spec::on("comments", event_kind::inserted).labelled("9bad"),
     watcher_spec::on("comments", event_kind::deleted)}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 2u);
  CAF_CHECK_EQUAL(problems[0].watcher, 1u);
  CAF_CHECK_EQUAL(problems[0].field, "table");
  CAF_CHECK_EQUAL(problems[1].watcher, 3u);
  CAF_CHECK_EQUAL(problems[1].field, "label");
}

CAF_TEST(label_deriving_the_channel_of_an_unlabelled_watcher_is_rejected) {
  auto unlabelled = derive_names(posts()).channel; // lw_posts_inserted_XXXX
  auto label = unlabelled.substr(3);
  auto problems = validate(config_of(
    {posts(),
     watcher_spec::on("comments", event_kind::updated).labelled(label)}));
  dump(problems);
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_EQUAL(problems[0].watcher, 1u);
  CAF_CHECK_EQUAL(problems[0].field, "label");
  CAF_CHECK_EQUAL(problems[0].message,
                  "derives the channel name \"" + unlabelled
                    + "\" that watcher 0 also uses; choose another label");
}

CAF_TEST(to_string_renders_one_line_per_problem_with_watcher_name) {
  auto cfg = config_of({posts(), watcher_spec::on("", event_kind::updated),
                        posts().labelled("Bad")});
  auto problems = validate(cfg);
  CAF_CHECK_EQUAL(to_string(problems, cfg),
                  "watcher 1 (public.:updated): table: \"\" must not be "
                  "empty\n"
                  "watcher 2 (Bad): label: \"Bad\" is not a valid label; use "
                  "lower-case letters, digits and underscores, starting with "
                  "a letter or underscore\n");
}

CAF_TEST(to_string_omits_the_name_of_an_unknown_watcher_index) {
  auto cfg = config_of({posts()});
  std::vector<spec_problem> problems{{7, "label", "oops"}};
  CAF_CHECK_EQUAL(to_string(problems, cfg), "watcher 7: label: oops\n");
  CAF_CHECK_EQUAL(to_string({}, cfg), "");
}

CAF_TEST(policies_parse_exactly_their_spellings) {
  for (auto x : all_orphan_policies) {
    CAF_CHECK(parse_orphan_policy(to_string_view(x)) == x);
    CAF_CHECK_EQUAL(to_string(x), std::string{to_string_view(x)});
  }
  for (auto x : all_overflow_policies) {
    CAF_CHECK(parse_overflow_policy(to_string_view(x)) == x);
    CAF_CHECK_EQUAL(to_string(x), std::string{to_string_view(x)});
  }
  CAF_CHECK(!parse_orphan_policy("delete"));
  CAF_CHECK(!parse_orphan_policy("Drop"));
  CAF_CHECK(!parse_overflow_policy(""));
  CAF_CHECK(!parse_overflow_policy("warn"));
}
