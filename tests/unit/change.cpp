// Tests libwatch::change: column lookup with find/at and key().
#define CAF_SUITE change

#include "libwatch/change.hpp"
#include "libwatch/notification_batch.hpp"

#include <caf/test/unit_test.hpp>

#include <stdexcept>
#include <string>

using namespace libwatch;

namespace {

change sample() {
  change c;
  c.watcher = "comment_edits";
  c.event = event_kind::updated;
  c.schema = "blog";
  c.table = "comments";
  c.values = {{"id", value::of_integer(42)},
              {"body", value::of_string("hello")},
              {"post_id", value::of_integer(7)},
              {"deleted_at", value{}}};
  c.raw = R"({"type":"updated","values":{}})";
  return c;
}

} // namespace

CAF_TEST(key_is_the_first_value) {
  auto c = sample();
  CAF_CHECK(c.key() == value::of_integer(42));
  c.values.front().value = value::of_string("k");
  CAF_CHECK(c.key() == value::of_string("k"));
}

CAF_TEST(find_returns_the_value_of_a_carried_column) {
  auto c = sample();
  auto body = c.find("body");
  CAF_REQUIRE(body != nullptr);
  CAF_CHECK(*body == value::of_string("hello"));
  CAF_CHECK(body == &c.values[1].value);
  auto post = c.find("post_id");
  CAF_REQUIRE(post != nullptr);
  CAF_CHECK(*post == value::of_integer(7));
  auto deleted = c.find("deleted_at");
  CAF_REQUIRE(deleted != nullptr);
  CAF_CHECK(deleted->is_null());
}

CAF_TEST(find_returns_null_for_a_column_not_carried) {
  auto c = sample();
  CAF_CHECK(c.find("title") == nullptr);
  CAF_CHECK(c.find("") == nullptr);
  CAF_CHECK(c.find("Body") == nullptr);
  CAF_CHECK(c.find("body ") == nullptr);
  CAF_CHECK(change{}.find("id") == nullptr);
}

CAF_TEST(at_returns_the_value_of_a_carried_column) {
  auto c = sample();
  CAF_CHECK(c.at("id") == value::of_integer(42));
  CAF_CHECK(c.at("body") == value::of_string("hello"));
  CAF_CHECK(&c.at("post_id") == &c.values[2].value);
}

CAF_TEST(at_throws_out_of_range_naming_the_missing_column) {
  auto c = sample();
  bool thrown = false;
  try {
    static_cast<void>(c.at("author_id"));
  } catch (const std::out_of_range& e) {
    thrown = true;
    std::string what = e.what();
    CAF_MESSAGE("what(): " << what);
    CAF_CHECK(what.find("author_id") != std::string::npos);
  }
  CAF_CHECK(thrown);
}

CAF_TEST(a_notification_batch_keeps_payloads_apart_and_in_order) {
  libwatch::notification_batch batch;
  CAF_CHECK(batch.empty());
  batch.add("{\"a\":1}");
  batch.add("");
  batch.add("second");
  CAF_REQUIRE_EQUAL(batch.size(), 3u);
  CAF_CHECK_EQUAL(batch[0], "{\"a\":1}");
  CAF_CHECK_EQUAL(batch[1], "");
  CAF_CHECK_EQUAL(batch[2], "second");
}
