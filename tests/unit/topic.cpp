// Tests topic_table and topic: value topics on demand, delivery, stop, sweep.
#define CAF_SUITE topic

#include "actors/topic.hpp"
#include "actors/watcher_runtime.hpp"

#include <caf/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/make_message.hpp>
#include <caf/message_id.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace libwatch;
using namespace std::string_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<topic_module> module = std::make_shared<topic_module>(sys);
  topic_table table{module, "posts_watcher"};

  ~fixture() {
    table.stop();
  }

  void publish(const caf::group& g, std::string text) {
    g.get()->enqueue(nullptr, caf::make_message_id(),
                     caf::make_message(std::move(text)), nullptr);
  }

  // Returns the next string `self` receives, or "(timeout)".
  std::string next(caf::scoped_actor& self, std::chrono::milliseconds timeout
                                            = std::chrono::milliseconds(2000)) {
    std::string result = "(timeout)";
    self->receive([&](const std::string& x) { result = x; }, caf::after(timeout)
                                                               >>
                                                               [] {
                                                                 // nop
                                                               });
    return result;
  }

  std::string nothing(caf::scoped_actor& self) {
    return next(self, std::chrono::milliseconds(100));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(topic_tests, fixture)

CAF_TEST(value_topic_returns_the_same_group_for_the_same_value_while_held) {
  auto a = table.value_topic("post_id", value::of_integer(7));
  auto b = table.value_topic("post_id", value::of_integer(7));
  CAF_CHECK(a == b);
  CAF_CHECK(a.get() == b.get());
  CAF_CHECK_EQUAL(table.value_topic_count(), 1u);
}

CAF_TEST(different_values_columns_and_the_key_get_different_topics) {
  auto seven = table.value_topic("post_id", value::of_integer(7));
  auto eight = table.value_topic("post_id", value::of_integer(8));
  auto other_column = table.value_topic("author_id", value::of_integer(7));
  auto key = table.value_topic("", value::of_integer(7));
  CAF_CHECK(seven != eight);
  CAF_CHECK(seven != other_column);
  CAF_CHECK(seven != key);
  CAF_CHECK(other_column != key);
  CAF_CHECK(seven != table.general());
  CAF_CHECK_EQUAL(table.value_topic_count(), 4u);
}

CAF_TEST(integer_and_string_with_the_same_text_share_a_topic) {
  auto number = table.value_topic("post_id", value::of_integer(7));
  auto text = table.value_topic("post_id", value::of_string("7"));
  CAF_CHECK(number == text);
  CAF_CHECK_EQUAL(table.value_topic_count(), 1u);
  CAF_CHECK_EQUAL(topic_table::key_of("post_id", value::of_integer(7)),
                  topic_table::key_of("post_id", value::of_string("7")));
}

CAF_TEST(null_does_not_share_a_topic_with_the_string_null) {
  auto null = table.value_topic("post_id", value{});
  auto text = table.value_topic("post_id", value::of_string("null"));
  CAF_CHECK(null != text);
  CAF_CHECK_EQUAL(table.value_topic_count(), 2u);
  CAF_CHECK(table.find("post_id", value{}).get() == null.get());
  CAF_CHECK(table.find("post_id", value::of_string("null")).get()
            == text.get());
  CAF_CHECK_NOT_EQUAL(topic_table::key_of("post_id", value{}),
                      topic_table::key_of("post_id", value::of_string("null")));
}

CAF_TEST(key_of_separates_column_from_value) {
  // "ab" = "c" and "a" = "bc" are different topics.
  CAF_CHECK_NOT_EQUAL(topic_table::key_of("ab", value::of_string("c")),
                      topic_table::key_of("a", value::of_string("bc")));
  auto a = table.value_topic("ab", value::of_string("c"));
  auto b = table.value_topic("a", value::of_string("bc"));
  CAF_CHECK(a != b);
}

CAF_TEST(find_never_creates_a_topic) {
  CAF_CHECK(!table.has_value_topics());
  CAF_CHECK(table.find("post_id", value::of_integer(7)) == nullptr);
  CAF_CHECK(table.find("", value::of_string("x")) == nullptr);
  CAF_CHECK_EQUAL(table.value_topic_count(), 0u);
  CAF_CHECK(!table.has_value_topics());
  CAF_CHECK(table.find("post_id", value::of_integer(7)) == nullptr);
}

CAF_TEST(find_returns_the_topic_created_by_value_topic) {
  auto g = table.value_topic("post_id", value::of_integer(7));
  CAF_CHECK(table.has_value_topics());
  auto found = table.find("post_id", value::of_integer(7));
  CAF_REQUIRE(found != nullptr);
  CAF_CHECK(found.get() == g.get());
  // Found by text, whatever the kind.
  CAF_CHECK(table.find("post_id", value::of_string("7")).get() == g.get());
  CAF_CHECK(table.find("post_id", value::of_integer(8)) == nullptr);
  CAF_CHECK(table.find("", value::of_integer(7)) == nullptr);
  CAF_CHECK_EQUAL(table.value_topic_count(), 1u);
}

CAF_TEST(general_topic_is_the_same_group_every_time) {
  auto a = table.general();
  auto b = table.general();
  CAF_CHECK(a == b);
  CAF_CHECK(a.get() == table.general_topic().get());
  CAF_CHECK_EQUAL(table.value_topic_count(), 0u);
}

CAF_TEST(joined_subscriber_receives_messages_sent_to_the_topic) {
  caf::scoped_actor self{sys};
  auto g = table.value_topic("post_id", value::of_integer(7));
  self->join(g);
  CAF_CHECK_EQUAL(
    table.find("post_id", value::of_integer(7))->subscriber_count(), 1u);
  publish(g, "hello");
  CAF_CHECK_EQUAL(next(self), "hello");
  // Publishing through the topic found by value reaches it too.
  auto found = table.find("post_id", value::of_string("7"));
  CAF_REQUIRE(found != nullptr);
  found->enqueue(nullptr, caf::make_message_id(), caf::make_message("again"s),
                 nullptr);
  CAF_CHECK_EQUAL(next(self), "again");
}

CAF_TEST(a_subscriber_joining_while_news_goes_out_hears_it_once) {
  auto board = std::make_shared<status_board>();
  topic_table watched{module, "news_watcher", board};
  auto g = watched.general();
  caf::scoped_actor early{sys};
  caf::scoped_actor late{sys};
  early->join(g);
  std::thread joiner;
  board->set(watcher_state::live, caf::make_message("greeting"s), {}, [&] {
    // A join racing the news: it must wait until the news went out, or it
    // gets the new greeting and then the news as well.
    joiner = std::thread{[&] {
      g.get()->subscribe(caf::actor_cast<caf::strong_actor_ptr>(late));
    }};
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    publish(g, "news");
  });
  joiner.join();
  CAF_CHECK_EQUAL(next(early), "news");
  CAF_CHECK_EQUAL(nothing(early), "(timeout)");
  CAF_CHECK_EQUAL(next(late), "greeting");
  CAF_CHECK_EQUAL(nothing(late), "(timeout)");
  watched.stop();
}

CAF_TEST(every_subscriber_gets_each_message_once) {
  caf::scoped_actor first{sys};
  caf::scoped_actor second{sys};
  auto g = table.general();
  first->join(g);
  second->join(g);
  first->join(g); // joining twice does not duplicate delivery
  CAF_CHECK_EQUAL(table.general_topic()->subscriber_count(), 2u);
  publish(g, "m1");
  CAF_CHECK_EQUAL(next(first), "m1");
  CAF_CHECK_EQUAL(next(second), "m1");
  CAF_CHECK_EQUAL(nothing(first), "(timeout)");
}

CAF_TEST(subscriber_of_another_topic_receives_nothing) {
  caf::scoped_actor self{sys};
  auto seven = table.value_topic("post_id", value::of_integer(7));
  auto eight = table.value_topic("post_id", value::of_integer(8));
  self->join(seven);
  publish(eight, "for eight");
  publish(table.general(), "for everyone");
  CAF_CHECK_EQUAL(nothing(self), "(timeout)");
  publish(seven, "for seven");
  CAF_CHECK_EQUAL(next(self), "for seven");
}

CAF_TEST(subscriber_that_left_receives_nothing) {
  caf::scoped_actor stays{sys};
  caf::scoped_actor leaves{sys};
  auto g = table.value_topic("", value::of_string("k1"));
  stays->join(g);
  leaves->join(g);
  leaves->leave(g);
  auto t = table.find("", value::of_string("k1"));
  CAF_REQUIRE(t != nullptr);
  CAF_CHECK_EQUAL(t->subscriber_count(), 1u);
  publish(g, "after leave");
  CAF_CHECK_EQUAL(next(stays), "after leave");
  CAF_CHECK_EQUAL(nothing(leaves), "(timeout)");
}

CAF_TEST(stop_drops_every_subscriber_of_every_topic) {
  caf::scoped_actor self{sys};
  auto general = table.general();
  auto key = table.value_topic("", value::of_integer(1));
  auto assoc = table.value_topic("post_id", value::of_integer(2));
  self->join(general);
  self->join(key);
  self->join(assoc);
  CAF_CHECK_EQUAL(table.general_topic()->subscriber_count(), 1u);
  table.stop();
  CAF_CHECK_EQUAL(table.general_topic()->subscriber_count(), 0u);
  CAF_CHECK_EQUAL(table.find("", value::of_integer(1))->subscriber_count(), 0u);
  CAF_CHECK_EQUAL(
    table.find("post_id", value::of_integer(2))->subscriber_count(), 0u);
  publish(general, "g");
  publish(key, "k");
  publish(assoc, "a");
  CAF_CHECK_EQUAL(nothing(self), "(timeout)");
}

CAF_TEST(unused_topics_are_swept_while_held_ones_survive) {
  auto held = table.value_topic("post_id", value::of_integer(-1));
  caf::scoped_actor self{sys};
  self->join(table.value_topic("post_id", value::of_integer(-2)));
  for (int i = 0; i < 100; ++i)
    table.value_topic("post_id", value::of_integer(i)); // not held
  auto count = table.value_topic_count();
  CAF_MESSAGE("value topics after 102 creations: " << count);
  CAF_CHECK_LESS(count, 102u);
  auto found = table.find("post_id", value::of_integer(-1));
  CAF_CHECK(found.get() == held.get());
  CAF_CHECK(table.value_topic("post_id", value::of_integer(-1)) == held);
  // The subscribed topic survives although the test does not hold it.
  auto subscribed = table.find("post_id", value::of_integer(-2));
  CAF_REQUIRE(subscribed != nullptr);
  CAF_CHECK_EQUAL(subscribed->subscriber_count(), 1u);
  publish(table.value_topic("post_id", value::of_integer(-2)), "still here");
  CAF_CHECK_EQUAL(next(self), "still here");
}

CAF_TEST(throwaway_topics_do_not_accumulate) {
  for (int i = 0; i < 1000; ++i)
    table.value_topic("", value::of_integer(i));
  auto count = table.value_topic_count();
  CAF_MESSAGE("value topics after 1000 throwaway creations: " << count);
  CAF_CHECK_LESS_OR_EQUAL(count, 64u);
}

CAF_TEST(topic_whose_creation_triggers_a_sweep_is_kept_while_held) {
  // 63 throwaway topics; the 64th creation reaches the sweep threshold.
  for (int i = 0; i < 63; ++i)
    table.value_topic("post_id", value::of_integer(i));
  CAF_REQUIRE_EQUAL(table.value_topic_count(), 63u);
  auto g = table.value_topic("post_id", value::of_integer(1000));
  caf::scoped_actor self{sys};
  self->join(g);
  auto found = table.find("post_id", value::of_integer(1000));
  CAF_CHECK(found.get() == g.get());
  CAF_CHECK(table.value_topic("post_id", value::of_integer(1000)) == g);
  // A publisher looks the topic up by value and must reach the subscriber.
  if (found)
    found->enqueue(nullptr, caf::make_message_id(), caf::make_message("v"s),
                   nullptr);
  CAF_CHECK_EQUAL(next(self), "v");
}

CAF_TEST(topics_cannot_be_serialized_or_looked_up_by_name) {
  CAF_CHECK(!module->get("posts_watcher"));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(a_value_topic_handed_out_after_stop_refuses_subscribers) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto module = std::make_shared<topic_module>(sys);
  topic_table table{module, "w"};
  table.stop();
  auto late = table.value_topic("post_id", value{7});
  caf::scoped_actor self{sys};
  self->join(late);
  CAF_CHECK(self->joined_groups().empty());
  CAF_CHECK_EQUAL(table.value_topic_count(), 0u);
}
