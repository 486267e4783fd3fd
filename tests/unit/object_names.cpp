// Tests the derived channel/function/trigger names and label length rules.
#define CAF_SUITE object_names

#include "libwatch/object_names.hpp"

#include <caf/test/unit_test.hpp>

#include <cstdio>
#include <string>

using namespace libwatch;
using namespace std::string_literals;

namespace {

// Independent FNV-1a/64 so the expected names do not come from the library.
uint64_t reference_fnv(std::string_view data) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// 8 hex digits of the hash of "schema\x1ftable\x1fevent" (the upper half).
std::string hash8(const std::string& schema, const std::string& table,
                  const std::string& event) {
  auto h = reference_fnv(schema + "\x1f" + table + "\x1f" + event);
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(h));
  return std::string{buf, 8};
}

bool only_plain_chars(const std::string& name) {
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

} // namespace

CAF_TEST(fnv1a64_matches_published_test_vectors) {
  CAF_CHECK_EQUAL(fnv1a64(""), 0xcbf29ce484222325ULL);
  CAF_CHECK_EQUAL(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  CAF_CHECK_EQUAL(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  CAF_CHECK_EQUAL(fnv1a64("\xff\x00"s), reference_fnv("\xff\x00"s));
}

CAF_TEST(labelled_watcher_names_are_lw_label_with_func_and_trigger_suffix) {
  auto names = derive_names(
    watcher_spec::on("posts", event_kind::inserted).labelled("new_posts"));
  CAF_CHECK_EQUAL(names.channel, "lw_new_posts");
  CAF_CHECK_EQUAL(names.function, "lw_new_posts_func");
  CAF_CHECK_EQUAL(names.trigger, "lw_new_posts_trigger");
}

CAF_TEST(labelled_names_do_not_depend_on_schema_table_or_event) {
  auto a = derive_names(
    watcher_spec::on("posts", event_kind::inserted).labelled("x"));
  auto b = derive_names(watcher_spec::on("Other Table", event_kind::deleted)
                          .in_schema("audit")
                          .labelled("x"));
  CAF_CHECK_EQUAL(a.channel, "lw_x");
  CAF_CHECK_EQUAL(b.channel, "lw_x");
  CAF_CHECK_EQUAL(b.function, "lw_x_func");
  CAF_CHECK_EQUAL(b.trigger, "lw_x_trigger");
}

CAF_TEST(unlabelled_names_are_lw_table_event_and_eight_hex_digits_of_hash) {
  auto names = derive_names(watcher_spec::on("posts", event_kind::inserted));
  auto base = "lw_posts_inserted_" + hash8("public", "posts", "inserted");
  CAF_CHECK_EQUAL(names.channel, base);
  CAF_CHECK_EQUAL(names.function, base + "_func");
  CAF_CHECK_EQUAL(names.trigger, base + "_trigger");
  auto upd = derive_names(
    watcher_spec::on("comments", event_kind::updated).in_schema("blog"));
  CAF_CHECK_EQUAL(upd.channel, "lw_comments_updated_"
                                 + hash8("blog", "comments", "updated"));
}

CAF_TEST(unlabelled_names_are_deterministic) {
  auto spec = watcher_spec::on("posts", event_kind::deleted).in_schema("s");
  auto a = derive_names(spec);
  auto b = derive_names(spec);
  auto c = derive_names(
    watcher_spec::on("posts", event_kind::deleted).in_schema("s"));
  CAF_CHECK_EQUAL(a.channel, b.channel);
  CAF_CHECK_EQUAL(a.function, b.function);
  CAF_CHECK_EQUAL(a.trigger, b.trigger);
  CAF_CHECK_EQUAL(a.channel, c.channel);
  CAF_CHECK_EQUAL(a.trigger, c.trigger);
}

CAF_TEST(unlabelled_names_differ_by_schema) {
  auto a = derive_names(watcher_spec::on("posts", event_kind::inserted));
  auto b = derive_names(
    watcher_spec::on("posts", event_kind::inserted).in_schema("archive"));
  CAF_CHECK_NOT_EQUAL(a.channel, b.channel);
  CAF_CHECK_NOT_EQUAL(a.function, b.function);
  CAF_CHECK_NOT_EQUAL(a.trigger, b.trigger);
}

CAF_TEST(unlabelled_names_differ_by_event) {
  auto ins = derive_names(watcher_spec::on("posts", event_kind::inserted));
  auto upd = derive_names(watcher_spec::on("posts", event_kind::updated));
  auto del = derive_names(watcher_spec::on("posts", event_kind::deleted));
  CAF_CHECK_NOT_EQUAL(ins.channel, upd.channel);
  CAF_CHECK_NOT_EQUAL(ins.channel, del.channel);
  CAF_CHECK_NOT_EQUAL(upd.channel, del.channel);
  CAF_CHECK_NOT_EQUAL(upd.trigger, del.trigger);
}

CAF_TEST(unlabelled_names_differ_for_tables_that_sanitise_alike) {
  auto a = derive_names(watcher_spec::on("My Table", event_kind::inserted));
  auto b = derive_names(watcher_spec::on("my_table", event_kind::inserted));
  auto c = derive_names(watcher_spec::on("MY-TABLE", event_kind::inserted));
  CAF_CHECK_EQUAL(a.channel.substr(0, 21), "lw_my_table_inserted_");
  CAF_CHECK_EQUAL(b.channel.substr(0, 21), "lw_my_table_inserted_");
  CAF_CHECK_EQUAL(c.channel.substr(0, 21), "lw_my_table_inserted_");
  CAF_CHECK_NOT_EQUAL(a.channel, b.channel);
  CAF_CHECK_NOT_EQUAL(a.channel, c.channel);
  CAF_CHECK_NOT_EQUAL(b.channel, c.channel);
}

CAF_TEST(unlabelled_names_sanitise_table_to_lower_case_digits_underscores) {
  // "é" is two bytes, each replaced by '_'.
  auto spec = watcher_spec::on("Weird Tabl\xC3\xA9-Name$1", event_kind::updated)
                .in_schema("Sch\xC3\xA9ma");
  auto names = derive_names(spec);
  auto base = "lw_weird_tabl___name_1_updated_"
              + hash8("Sch\xC3\xA9ma", "Weird Tabl\xC3\xA9-Name$1", "updated");
  CAF_CHECK_EQUAL(names.channel, base);
  CAF_CHECK_EQUAL(names.trigger, base + "_trigger");
  CAF_CHECK(only_plain_chars(names.channel));
  CAF_CHECK(only_plain_chars(names.function));
  CAF_CHECK(only_plain_chars(names.trigger));
  auto hostile = derive_names(
    watcher_spec::on("x\"; DROP TABLE t; --$$", event_kind::deleted));
  CAF_CHECK(only_plain_chars(hostile.channel));
  CAF_CHECK(only_plain_chars(hostile.function));
  CAF_CHECK(only_plain_chars(hostile.trigger));
}

CAF_TEST(very_long_table_names_keep_every_name_within_63_bytes) {
  for (auto event :
       {event_kind::inserted, event_kind::updated, event_kind::deleted}) {
    for (size_t len : {30u, 34u, 35u, 63u, 200u}) {
      auto names = derive_names(watcher_spec::on(std::string(len, 'T'), event));
      CAF_CHECK_LESS_OR_EQUAL(names.channel.size(), 63u);
      CAF_CHECK_LESS_OR_EQUAL(names.function.size(), 63u);
      CAF_CHECK_LESS_OR_EQUAL(names.trigger.size(), 63u);
      CAF_CHECK(only_plain_chars(names.trigger));
      // The readable part survives (cut, not dropped) ...
      CAF_CHECK_EQUAL(names.channel.substr(0, 6), "lw_ttt");
      // ... and the hash suffix is always complete.
      auto tail = "_" + std::string{to_string_view(event)} + "_"
                  + hash8("public", std::string(len, 'T'),
                          std::string{to_string_view(event)});
      CAF_CHECK_EQUAL(names.channel.substr(names.channel.size() - tail.size()),
                      tail);
    }
  }
  // A multibyte table name of 63 bytes sanitises to 63 underscores.
  std::string wide;
  for (int i = 0; i < 21; ++i)
    wide += "\xE8\xA1\xA8";
  auto names = derive_names(watcher_spec::on(wide, event_kind::inserted));
  CAF_CHECK_LESS_OR_EQUAL(names.trigger.size(), 63u);
  CAF_CHECK(only_plain_chars(names.trigger));
}

CAF_TEST(long_tables_differing_only_past_the_cut_get_distinct_names) {
  auto a = derive_names(
    watcher_spec::on(std::string(60, 'a') + "_one", event_kind::inserted));
  auto b = derive_names(
    watcher_spec::on(std::string(60, 'a') + "_two", event_kind::inserted));
  CAF_CHECK_NOT_EQUAL(a.channel, b.channel);
  CAF_CHECK_NOT_EQUAL(a.trigger, b.trigger);
}

CAF_TEST(max_label_bytes_is_52) {
  CAF_CHECK_EQUAL(max_label_bytes, 52u);
}

CAF_TEST(label_of_exactly_max_label_bytes_is_fine_and_fits) {
  auto label = std::string(max_label_bytes, 'a');
  CAF_CHECK(!label_length_problem(label));
  auto names = derive_names(
    watcher_spec::on("posts", event_kind::inserted).labelled(label));
  CAF_CHECK_EQUAL(names.trigger.size(), 63u);
  CAF_CHECK_EQUAL(names.trigger, "lw_" + label + "_trigger");
  CAF_CHECK(!label_length_problem(""));
  CAF_CHECK(!label_length_problem("short"));
}

CAF_TEST(label_one_byte_too_long_is_reported_with_ectowatch_wording) {
  auto problem = label_length_problem(std::string(53, 'a'));
  CAF_REQUIRE(problem.has_value());
  CAF_CHECK_EQUAL(*problem,
                  "Label is 1 character(s) too long to be part of the "
                  "PostgreSQL trigger name (labels are at most 52 bytes)");
}

CAF_TEST(label_ten_bytes_too_long_reports_the_excess) {
  auto problem = label_length_problem(std::string(62, 'b'));
  CAF_REQUIRE(problem.has_value());
  CAF_CHECK_EQUAL(*problem,
                  "Label is 10 character(s) too long to be part of the "
                  "PostgreSQL trigger name (labels are at most 52 bytes)");
}
