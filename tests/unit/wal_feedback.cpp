// What a durable WAL watcher and the replication stream tell each other
// (actors/wal_feedback): the slot may be confirmed up to the start of the
// oldest transaction handed on and not processed, a hold records nothing
// more until the replay, and a replay stays in progress across connection
// attempts until the stream passed it.
#define CAF_SUITE wal_feedback
#include <caf/test/unit_test.hpp>

#include "actors/wal_feedback.hpp"

using namespace libwatch;

namespace {

wal::lsn at(uint64_t x) {
  return wal::lsn{x};
}

// Where the slot may be confirmed to (0: anywhere).
uint64_t bound(wal_feedback& f) {
  auto x = f.confirmable();
  return x ? x->value : 0;
}

} // namespace

CAF_TEST(nothing_handed_holds_nothing_back) {
  wal_feedback f;
  CAF_CHECK_EQUAL(bound(f), 0u);
}

CAF_TEST(the_oldest_unprocessed_transaction_bounds_the_slot) {
  wal_feedback f;
  f.handed(at(100), at(90));
  f.handed(at(100), at(90)); // another row of the same transaction
  f.handed(at(200), at(150));
  CAF_CHECK_EQUAL(bound(f), 90u);
  f.processed_through(99); // part of the first transaction
  CAF_CHECK_EQUAL(bound(f), 90u);
  f.processed_through(100);
  CAF_CHECK_EQUAL(bound(f), 150u);
  f.processed_through(200);
  CAF_CHECK_EQUAL(bound(f), 0u);
  // Progress never goes back, and what is processed is not recorded.
  f.processed_through(150);
  f.handed(at(180), at(170));
  CAF_CHECK_EQUAL(bound(f), 0u);
}

CAF_TEST(progress_that_frees_the_oldest_transaction_wakes_the_stream) {
  wal_feedback f;
  int wakes = 0;
  f.attach([&] { ++wakes; });
  f.handed(at(100), at(90));
  f.processed_through(50);
  CAF_CHECK_EQUAL(wakes, 0);
  f.processed_through(100);
  CAF_CHECK_EQUAL(wakes, 1);
  f.attach(nullptr);
  f.replay({300, 1});
  CAF_CHECK_EQUAL(wakes, 1);
}

CAF_TEST(a_hold_records_nothing_until_the_replay) {
  wal_feedback f;
  f.handed(at(100), at(90));
  f.hold();
  f.handed(at(200), at(150));
  CAF_CHECK_EQUAL(bound(f), 90u);
  f.processed_through(100);
  // The held transaction 200 was never recorded: only its replay will be.
  CAF_CHECK_EQUAL(bound(f), 0u);
  f.replay({200, 1});
  f.handed(at(200), at(150));
  CAF_CHECK_EQUAL(bound(f), 150u);
}

CAF_TEST(a_replay_records_again_in_commit_order) {
  wal_feedback f;
  f.handed(at(100), at(90));
  f.handed(at(200), at(150));
  f.replay({100, 2});
  // The replay hands on 100 and 200 again, then 300.
  f.handed(at(100), at(90));
  f.handed(at(200), at(150));
  f.handed(at(300), at(250));
  f.processed_through(100);
  CAF_CHECK_EQUAL(bound(f), 150u);
  f.processed_through(200);
  CAF_CHECK_EQUAL(bound(f), 250u);
}

CAF_TEST(a_replay_is_announced_once_and_lasts_until_the_stream_passed_it) {
  wal_feedback f;
  bool fresh = false;
  CAF_CHECK(!f.replay_wanted(fresh));
  f.replay({200, 3});
  f.replay({100, 1}); // the watcher's latest request replaces the first
  auto wanted = f.replay_wanted(fresh);
  CAF_REQUIRE(wanted);
  CAF_CHECK(fresh);
  CAF_CHECK(*wanted == (stream_position{100, 1}));
  // A new connection attempt finds it again, not to be announced again.
  wanted = f.replay_wanted(fresh);
  CAF_REQUIRE(wanted);
  CAF_CHECK(!fresh);
  f.replayed();
  CAF_CHECK(!f.replay_wanted(fresh));
}

CAF_TEST(a_replay_asked_for_while_one_ends_is_not_lost) {
  wal_feedback f;
  bool fresh = false;
  f.replay({100, 1});
  f.replay_wanted(fresh);
  f.replay({50, 1});
  f.replayed(); // the first one ended before the stream saw the second
  auto wanted = f.replay_wanted(fresh);
  CAF_REQUIRE(wanted);
  CAF_CHECK(fresh);
  CAF_CHECK(*wanted == (stream_position{50, 1}));
}

CAF_TEST(a_replay_of_everything_unprocessed_starts_after_the_progress) {
  wal_feedback f;
  f.processed_through(400);
  auto from = f.unprocessed_start();
  CAF_CHECK(from == (stream_position{401, 0}));
}

CAF_TEST(a_release_gives_up_everything_held_and_ends_holds_and_replays) {
  wal_feedback f;
  f.handed(at(100), at(90));
  f.handed(at(200), at(150));
  f.hold();
  f.replay({100, 4});
  f.release();
  CAF_CHECK_EQUAL(bound(f), 0u);
  bool fresh = false;
  CAF_CHECK(!f.replay_wanted(fresh));
  // Older progress reports change nothing; later transactions count again.
  f.processed_through(150);
  f.handed(at(200), at(150));
  CAF_CHECK_EQUAL(bound(f), 0u);
  f.handed(at(300), at(250));
  CAF_CHECK_EQUAL(bound(f), 250u);
}
