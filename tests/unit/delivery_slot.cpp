// Bounded delivery to real subscriber actors under CAF's deterministic test
// coordinator: what a subscriber has waiting is counted until its handler
// returns; past `max_queued` changes are dropped and the subscriber is told
// exactly how many (after the changes before the drop, before any later
// one); "disconnect" cuts it off; durable subscribers never drop, and their
// acknowledgements follow what they processed, including subscribers that
// join or leave while changes are in flight.
#define CAF_SUITE delivery_slot
#define FAIL(msg) CAF_FAIL(msg)
#include <caf/test/dsl.hpp>

#include <memory>
#include <stdexcept>
#include <vector>

#include "actors/delivery_flow.hpp"
#include "actors/topic.hpp"
#include "libwatch/change.hpp"
#include "libwatch/signals.hpp"

using namespace libwatch;

namespace {

// What a subscriber saw, in order: change keys and overflow reports.
struct seen {
  std::vector<int64_t> keys;
  std::vector<overflow_msg> overflows;
  // -1 marks where an overflow report arrived among the changes.
  std::vector<int64_t> sequence;
  // The handler throws (the actor dies) on the change with this key.
  int64_t die_at = 0;
};

caf::behavior subscriber(caf::event_based_actor* self,
                         std::shared_ptr<seen> out,
                         std::vector<topic_ptr> topics) {
  // Joined as applications do, so leaving on exit is CAF's own.
  for (auto& t : topics)
    self->join(caf::group{t});
  return {
    [out](const change& c) {
      auto k = c.key().as_integer().value_or(0);
      if (k == out->die_at)
        throw std::runtime_error("subscriber crashed");
      out->keys.push_back(k);
      out->sequence.push_back(k);
    },
    [out](const overflow_msg& x) {
      out->overflows.push_back(x);
      out->sequence.push_back(-1);
    },
  };
}

change change_with_key(int64_t k, stream_position p = {}) {
  change c;
  c.watcher = "w";
  c.values.push_back(field{"id", value::of_integer(k)});
  c.position = p;
  return c;
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<topic_module> module = std::make_shared<topic_module>(sys);

  std::shared_ptr<delivery_flow>
  make_flow(uint32_t max_queued, overflow_policy policy, bool durable = false) {
    subscriber_policy p;
    p.max_queued = max_queued;
    p.overflow = policy;
    return std::make_shared<delivery_flow>("w", p, durable);
  }

  topic_ptr make_topic(std::shared_ptr<delivery_flow> flow,
                       ack_mode mode = ack_mode::on_return) {
    auto t = caf::make_counted<topic>(module, "w", nullptr, flow, mode);
    topics.push_back(t);
    return t;
  }

  std::pair<caf::actor, std::shared_ptr<seen>>
  spawn_subscriber(std::vector<topic_ptr> to_join) {
    auto out = std::make_shared<seen>();
    auto a = sys.spawn(subscriber, out, std::move(to_join));
    actors.push_back(a);
    run(); // the actor joins when it first runs
    return {a, out};
  }

  void publish(const topic_ptr& t, int64_t k, stream_position p = {},
               uint64_t epoch = 0) {
    t->publish(nullptr, caf::make_message(change_with_key(k, p)),
               delivery_info{1, {p, p}, epoch}, nullptr);
  }

  ~fixture() {
    for (auto& t : topics)
      t->stop();
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }

  std::vector<topic_ptr> topics;
  std::vector<caf::actor> actors;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(delivery_slot_tests, fixture)

CAF_TEST(
  a_subscriber_within_its_bound_gets_everything_and_its_depth_is_counted) {
  auto flow = make_flow(4, overflow_policy::drop);
  auto t = make_topic(flow);
  auto [a, out] = spawn_subscriber({t});
  for (int64_t k = 1; k <= 4; ++k)
    publish(t, k);
  watcher_status st;
  flow->fill(st);
  CAF_CHECK_EQUAL(st.queued, 4u);
  CAF_CHECK_EQUAL(st.queue_high_water, 4u);
  // One message processed: one less waiting.
  CAF_CHECK(sched.try_run_once());
  flow->fill(st);
  CAF_CHECK_EQUAL(st.queued, 3u);
  run();
  flow->fill(st);
  CAF_CHECK_EQUAL(st.queued, 0u);
  CAF_CHECK_EQUAL(out->keys, (std::vector<int64_t>{1, 2, 3, 4}));
  CAF_CHECK(out->overflows.empty());
}

CAF_TEST(past_the_bound_changes_are_dropped_and_the_subscriber_told_how_many) {
  auto flow = make_flow(4, overflow_policy::drop);
  auto t = make_topic(flow);
  auto [a, out] = spawn_subscriber({t});
  for (int64_t k = 1; k <= 10; ++k)
    publish(t, k);
  run();
  // 1-4 delivered, 5-10 dropped, reported once the queue drained.
  CAF_CHECK_EQUAL(out->keys, (std::vector<int64_t>{1, 2, 3, 4}));
  CAF_REQUIRE_EQUAL(out->overflows.size(), 1u);
  CAF_CHECK_EQUAL(out->overflows[0].missed, 6u);
  CAF_CHECK_EQUAL(out->overflows[0].watcher, "w");
  CAF_CHECK(!out->overflows[0].cut_off);
  CAF_CHECK(!(out->overflows[0].missed_until < out->overflows[0].missed_from));
  // Later changes arrive after the report.
  publish(t, 11);
  run();
  CAF_CHECK_EQUAL(out->sequence, (std::vector<int64_t>{1, 2, 3, 4, -1, 11}));
  watcher_status st;
  flow->fill(st);
  CAF_CHECK_EQUAL(st.overflow_dropped, 6u);
  CAF_CHECK_EQUAL(st.overflows, 1u);
}

CAF_TEST(delivery_resumes_at_half_the_bound_with_the_report_first) {
  auto flow = make_flow(4, overflow_policy::drop);
  auto t = make_topic(flow);
  auto [a, out] = spawn_subscriber({t});
  for (int64_t k = 1; k <= 6; ++k)
    publish(t, k); // 5 and 6 dropped
  // Three processed: one waiting, under half the bound.
  CAF_CHECK(sched.try_run_once());
  CAF_CHECK(sched.try_run_once());
  CAF_CHECK(sched.try_run_once());
  publish(t, 7);
  run();
  CAF_CHECK_EQUAL(out->sequence, (std::vector<int64_t>{1, 2, 3, 4, -1, 7}));
  CAF_REQUIRE_EQUAL(out->overflows.size(), 1u);
  CAF_CHECK_EQUAL(out->overflows[0].missed, 2u);
}

CAF_TEST(one_slow_subscriber_does_not_cost_a_fast_one_anything) {
  auto flow = make_flow(3, overflow_policy::drop);
  auto t = make_topic(flow);
  auto [slow, slow_out] = spawn_subscriber({t});
  auto [fast, fast_out] = spawn_subscriber({t});
  for (int64_t k = 1; k <= 6; ++k) {
    publish(t, k);
    // The fast one processes each change at once.
    while (sched.prioritize(fast) && sched.try_run_once()) {
      // until its mailbox is empty
    }
  }
  run();
  CAF_CHECK_EQUAL(fast_out->keys, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  CAF_CHECK(fast_out->overflows.empty());
  CAF_CHECK_EQUAL(slow_out->keys, (std::vector<int64_t>{1, 2, 3}));
  CAF_REQUIRE_EQUAL(slow_out->overflows.size(), 1u);
  CAF_CHECK_EQUAL(slow_out->overflows[0].missed, 3u);
}

CAF_TEST(the_disconnect_policy_cuts_the_subscriber_off_and_says_so) {
  auto flow = make_flow(2, overflow_policy::disconnect);
  auto t = make_topic(flow);
  auto [a, out] = spawn_subscriber({t});
  for (int64_t k = 1; k <= 5; ++k)
    publish(t, k);
  CAF_CHECK_EQUAL(t->subscriber_count(), 0u);
  run();
  CAF_CHECK_EQUAL(out->sequence, (std::vector<int64_t>{1, 2, -1}));
  CAF_REQUIRE_EQUAL(out->overflows.size(), 1u);
  CAF_CHECK(out->overflows[0].cut_off);
  CAF_CHECK_EQUAL(out->overflows[0].missed, 1u);
  watcher_status st;
  flow->fill(st);
  CAF_CHECK_EQUAL(st.cut_offs, 1u);
}

CAF_TEST(durable_subscribers_never_drop_and_acknowledge_what_they_processed) {
  auto flow = make_flow(2, overflow_policy::drop, true);
  auto& tracker = *flow->tracker();
  tracker.restart(std::nullopt);
  auto epoch = tracker.epoch();
  auto t = make_topic(flow, ack_mode::on_return);
  auto [a, out] = spawn_subscriber({t});
  for (int64_t e = 1; e <= 5; ++e) {
    tracker.published({1, e}, caf::make_timestamp());
    publish(t, e, {1, e}, epoch);
  }
  CAF_CHECK(!tracker.settle().stored);
  CAF_CHECK(sched.try_run_once());
  CAF_CHECK(sched.try_run_once());
  auto s = tracker.settle();
  CAF_REQUIRE(s.stored.has_value());
  CAF_CHECK_EQUAL(s.stored->entry, 2);
  CAF_CHECK_EQUAL(s.in_flight, 3u);
  run();
  CAF_CHECK_EQUAL(out->keys, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  CAF_CHECK(out->overflows.empty());
  s = tracker.settle();
  CAF_REQUIRE(s.stored.has_value());
  CAF_CHECK_EQUAL(s.stored->entry, 5);
}

CAF_TEST(a_plain_view_of_a_durable_watcher_never_holds_the_position_back) {
  auto flow = make_flow(100, overflow_policy::drop, true);
  auto& tracker = *flow->tracker();
  tracker.restart(std::nullopt);
  auto epoch = tracker.epoch();
  auto durable = make_topic(flow, ack_mode::on_return);
  auto plain = make_topic(flow, ack_mode::none);
  auto [d, d_out] = spawn_subscriber({durable});
  auto [p, p_out] = spawn_subscriber({plain});
  for (int64_t e = 1; e <= 3; ++e) {
    tracker.published({1, e}, caf::make_timestamp());
    publish(durable, e, {1, e}, epoch);
    publish(plain, e, {1, e}, epoch);
  }
  // Only the durable subscriber runs.
  while (sched.prioritize(d) && sched.try_run_once()) {
    // until its mailbox is empty
  }
  auto s = tracker.settle();
  CAF_REQUIRE(s.stored.has_value());
  CAF_CHECK_EQUAL(s.stored->entry, 3);
  CAF_CHECK(p_out->keys.empty());
}

CAF_TEST(
  a_durable_subscriber_that_dies_mid_batch_makes_the_rest_be_read_again) {
  auto flow = make_flow(100, overflow_policy::drop, true);
  auto& tracker = *flow->tracker();
  tracker.restart(std::nullopt);
  auto epoch = tracker.epoch();
  auto t = make_topic(flow, ack_mode::on_return);
  auto [a, a_out] = spawn_subscriber({t});
  auto [b, b_out] = spawn_subscriber({t});
  for (int64_t e = 1; e <= 4; ++e) {
    tracker.published({1, e}, caf::make_timestamp());
    publish(t, e, {1, e}, epoch);
  }
  // a processes everything; b processes the first change and crashes on
  // the second: neither that one nor the rest of its mailbox was handled.
  b_out->die_at = 2;
  run();
  CAF_CHECK_EQUAL(b_out->keys, (std::vector<int64_t>{1}));
  auto s = tracker.settle();
  CAF_REQUIRE(s.stored.has_value());
  CAF_CHECK_EQUAL(s.stored->entry, 1);
  CAF_CHECK(s.rewind);
  CAF_REQUIRE(s.read_from.has_value());
  CAF_CHECK_EQUAL(s.read_from->entry, 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
