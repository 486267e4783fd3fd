// The acknowledgement bookkeeping of durable watchers (actors/ack_tracker):
// the stored position is the lowest one every durable subscriber has
// processed, subscribers that join later or only watch plainly never hold it
// back, a subscriber that leaves with unprocessed changes makes them be read
// again, and finished batches move the position to the batch boundary.
#define CAF_SUITE ack_tracker
#include <caf/test/unit_test.hpp>

#include "actors/ack_tracker.hpp"

using namespace libwatch;

namespace {

stream_position pos(int64_t batch, int64_t entry) {
  return {batch, entry};
}

position_range one(stream_position p) {
  return {p, p};
}

const caf::actor_control_block* fake_actor(uintptr_t n) {
  return reinterpret_cast<const caf::actor_control_block*>(n * 64);
}

struct fixture {
  ack_tracker t;
  uint64_t epoch = 0;

  fixture() {
    t.restart(std::nullopt);
    epoch = t.epoch();
  }

  // Publishes entries `first`..`last` of `batch` to `slots`.
  void publish(int64_t batch, int64_t first, int64_t last,
               std::vector<ack_tracker::slot_id> slots) {
    for (auto e = first; e <= last; ++e) {
      t.published(pos(batch, e), caf::make_timestamp());
      for (auto s : slots)
        t.sent(s, one(pos(batch, e)), epoch);
    }
  }

  std::optional<log_cursor> stored() {
    return t.settle().stored;
  }
};

bool is(const std::optional<log_cursor>& x, int64_t tick, int64_t entry) {
  return x && x->tick == tick && x->entry == entry;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(ack_tracker_tests, fixture)

CAF_TEST(nothing_moves_before_anything_is_processed) {
  auto a = t.join(fake_actor(1), false);
  publish(1, 1, 3, {a});
  auto s = t.settle();
  CAF_CHECK(!s.stored);
  CAF_CHECK_EQUAL(s.in_flight, 3u);
  CAF_CHECK(s.oldest.has_value());
}

CAF_TEST(
  the_stored_position_is_the_lowest_one_all_durable_subscribers_processed) {
  auto a = t.join(fake_actor(1), false);
  auto b = t.join(fake_actor(2), false);
  publish(1, 10, 14, {a, b});
  for (int64_t e = 10; e <= 14; ++e)
    t.processed(a, one(pos(1, e)), epoch);
  t.processed(b, one(pos(1, 10)), epoch);
  t.processed(b, one(pos(1, 11)), epoch);
  // Batch 1 is read from tick 0: entry 11 of the batch after tick 0.
  CAF_CHECK(is(stored(), 0, 11));
  CAF_CHECK_EQUAL(t.in_flight(), 3u);
  // Nothing new: no second report of the same position.
  CAF_CHECK(!stored());
  t.processed(b, one(pos(1, 12)), epoch);
  CAF_CHECK(is(stored(), 0, 12));
}

CAF_TEST(a_finished_batch_moves_the_position_to_its_end_once_processed) {
  auto a = t.join(fake_actor(1), false);
  publish(3, 5, 6, {a});
  t.batch_finished(3);
  t.processed(a, one(pos(3, 5)), epoch);
  CAF_CHECK(is(stored(), 2, 5));
  t.processed(a, one(pos(3, 6)), epoch);
  CAF_CHECK(is(stored(), 3, 0));
  // An empty finished batch passes at once.
  t.batch_finished(4);
  CAF_CHECK(is(stored(), 4, 0));
  CAF_CHECK_EQUAL(t.in_flight(), 0u);
}

CAF_TEST(
  changes_processed_out_of_order_move_the_position_only_past_a_gapless_prefix) {
  auto a = t.join(fake_actor(1), false);
  publish(1, 1, 3, {a});
  // A stashed message (e.g. behind an awaited request) is processed later.
  t.processed(a, one(pos(1, 2)), epoch);
  t.processed(a, one(pos(1, 3)), epoch);
  CAF_CHECK(!stored());
  t.processed(a, one(pos(1, 1)), epoch);
  CAF_CHECK(is(stored(), 0, 3));
}

CAF_TEST(a_subscriber_joining_mid_batch_does_not_hold_back_earlier_changes) {
  auto a = t.join(fake_actor(1), false);
  publish(1, 1, 2, {a});
  auto b = t.join(fake_actor(2), false);
  publish(1, 3, 4, {a, b});
  t.processed(a, one(pos(1, 1)), epoch);
  t.processed(a, one(pos(1, 2)), epoch);
  CAF_CHECK(is(stored(), 0, 2));
  t.processed(a, one(pos(1, 3)), epoch);
  t.processed(a, one(pos(1, 4)), epoch);
  // b got 3 and 4 and has processed neither.
  CAF_CHECK(!stored());
  t.processed(b, one(pos(1, 3)), epoch);
  t.processed(b, one(pos(1, 4)), epoch);
  CAF_CHECK(is(stored(), 0, 4));
}

CAF_TEST(without_durable_subscribers_published_changes_pass_at_once) {
  // Only plain subscribers (or nobody holding acknowledgements).
  publish(1, 1, 5, {});
  CAF_CHECK(is(stored(), 0, 5));
  CAF_CHECK_EQUAL(t.in_flight(), 0u);
}

CAF_TEST(
  a_subscriber_leaving_with_unprocessed_changes_makes_them_be_read_again) {
  auto a = t.join(fake_actor(1), false);
  auto b = t.join(fake_actor(2), false);
  publish(1, 1, 4, {a, b});
  for (int64_t e = 1; e <= 4; ++e)
    t.processed(a, one(pos(1, e)), epoch);
  t.processed(b, one(pos(1, 1)), epoch);
  // b dies with 2..4 in its mailbox.
  t.leave(b);
  auto s = t.settle();
  CAF_CHECK(is(s.stored, 0, 1));
  CAF_CHECK(s.rewind);
  CAF_CHECK(is(s.read_from, 0, 1));
  CAF_CHECK_EQUAL(s.in_flight, 0u);
  // A new epoch: deliveries of the old one no longer count.
  CAF_CHECK_NOT_EQUAL(t.epoch(), epoch);
  auto old = epoch;
  epoch = t.epoch();
  publish(1, 2, 4, {a});
  t.processed(a, one(pos(1, 2)), old);
  CAF_CHECK(!stored());
  t.processed(a, one(pos(1, 2)), epoch);
  CAF_CHECK(is(stored(), 0, 2));
}

CAF_TEST(a_subscriber_leaving_with_nothing_unprocessed_changes_nothing) {
  auto a = t.join(fake_actor(1), false);
  auto b = t.join(fake_actor(2), false);
  publish(1, 1, 2, {a, b});
  t.processed(b, one(pos(1, 1)), epoch);
  t.processed(b, one(pos(1, 2)), epoch);
  t.leave(b);
  auto s = t.settle();
  CAF_CHECK(!s.rewind);
  CAF_CHECK(!s.stored);
  t.processed(a, one(pos(1, 1)), epoch);
  t.processed(a, one(pos(1, 2)), epoch);
  CAF_CHECK(is(stored(), 0, 2));
}

CAF_TEST(manual_acknowledgement_is_cumulative_and_ignores_handler_returns) {
  auto m = t.join(fake_actor(7), true);
  publish(2, 1, 5, {m});
  // Handler returns do not count for a manual subscriber.
  t.processed(m, one(pos(2, 1)), epoch);
  CAF_CHECK(!stored());
  CAF_CHECK(t.ack(fake_actor(7), pos(2, 3)));
  CAF_CHECK(is(stored(), 1, 3));
  CAF_CHECK(!t.ack(fake_actor(8), pos(2, 5)));
  CAF_CHECK(t.ack(fake_actor(7), pos(2, 5)));
  CAF_CHECK(is(stored(), 1, 5));
}

CAF_TEST(a_batch_delivery_acknowledged_halfway_holds_the_rest) {
  auto m = t.join(fake_actor(7), true);
  for (int64_t e = 1; e <= 4; ++e)
    t.published(pos(1, e), caf::make_timestamp());
  t.sent(m, {pos(1, 1), pos(1, 4)}, epoch);
  t.batch_finished(1);
  CAF_CHECK(t.ack(fake_actor(7), pos(1, 2)));
  CAF_CHECK(is(stored(), 0, 2));
  CAF_CHECK(t.ack(fake_actor(7), pos(1, 4)));
  CAF_CHECK(is(stored(), 1, 0));
}

CAF_TEST(progress_wakes_the_watcher_once_per_request) {
  int wakeups = 0;
  auto a = t.join(fake_actor(1), false);
  publish(1, 1, 3, {a});
  t.notify_once([&] { ++wakeups; });
  t.processed(a, one(pos(1, 1)), epoch);
  t.processed(a, one(pos(1, 2)), epoch);
  CAF_CHECK_EQUAL(wakeups, 1);
  t.notify_once([&] { ++wakeups; });
  auto b = t.join(fake_actor(2), false);
  CAF_CHECK_EQUAL(wakeups, 2);
  t.leave(b);
  CAF_CHECK_EQUAL(wakeups, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
