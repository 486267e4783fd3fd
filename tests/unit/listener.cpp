// The listener's reconnect logic under CAF's deterministic test coordinator:
// the backoff schedule, routing to watchers across reconnects, stale reports,
// the attempt limit and fail-fast. Connections are fakes; nothing sleeps.
#define CAF_SUITE listener
#define FAIL(msg) CAF_FAIL(msg)
#include <caf/test/dsl.hpp>

#include <memory>
#include <vector>

#include "actors/internal_atoms.hpp"
#include "actors/listener.hpp"
#include "actors/pump_handle.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/error.hpp"

using namespace libwatch;
using namespace std::chrono_literals;

namespace {

// What the listener asked of its connections.
struct pump_log {
  std::vector<uint64_t> generations;
  std::vector<std::pair<uint64_t, std::string>> listens;
};

class fake_pump : public pump_handle {
public:
  fake_pump(std::shared_ptr<pump_log> log, uint64_t generation)
      : log_(std::move(log)), generation_(generation) {
    log_->generations.push_back(generation);
  }

  void listen(std::string channel, listener_client_actor) override {
    log_->listens.emplace_back(generation_, std::move(channel));
  }

private:
  std::shared_ptr<pump_log> log_;
  uint64_t generation_;
};

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<pump_log> log = std::make_shared<pump_log>();
  std::shared_ptr<connection_board> board
    = std::make_shared<connection_board>();
  listener_actor listener;

  void start(reconnect_policy policy) {
    auto factory = [l = log](listener_actor, uint64_t generation) {
      return std::unique_ptr<pump_handle>{new fake_pump(l, generation)};
    };
    listener = spawn_listener(sys, policy, factory, board);
    drain();
  }

  reconnect_policy fixed(uint32_t max_attempts = 0) {
    reconnect_policy p;
    p.initial = 100ms;
    p.max = 1s;
    p.jitter = 0.0;
    p.max_attempts = max_attempts;
    return p;
  }

  // Runs every actor until idle without firing timeouts (the fixture's
  // run() fires them regardless of time, hiding the schedule).
  void drain() {
    sched.run();
  }

  void lose(uint64_t generation) {
    caf::anon_send(listener, lost_atom::value, generation,
                   make_error(errc::connection_failed, "gone"),
                   caf::make_timestamp());
    drain();
  }

  void connect(uint64_t generation) {
    caf::anon_send(listener, connected_atom::value, generation);
    drain();
  }

  // The test's own actor, standing in for a watcher.
  listener_client_actor client() {
    return caf::actor_cast<listener_client_actor>(self);
  }

  // Delay until the next scheduled event, or -1 if none.
  caf::timespan next_delay() {
    auto& schedule = sched.clock().schedule();
    if (schedule.empty())
      return caf::timespan{-1};
    return schedule.begin()->first - sched.clock().now();
  }

  // Lets `delay` pass and runs what it triggers.
  void wait(caf::timespan delay) {
    advance_time(delay);
    drain();
  }

  ~fixture() override {
    caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
    run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(listener_tests, fixture)

CAF_TEST(reconnect_delays_follow_the_backoff_schedule) {
  start(fixed());
  CAF_CHECK_EQUAL(log->generations.size(), 1u);
  uint64_t generation = 1;
  for (auto expected : {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms}) {
    lose(generation);
    CAF_CHECK_EQUAL(next_delay(), caf::timespan{expected});
    wait(caf::timespan{expected} - 1ms);
    CAF_CHECK_EQUAL(log->generations.size(), generation);
    wait(1ms);
    CAF_REQUIRE_EQUAL(log->generations.size(), generation + 1);
    CAF_CHECK_EQUAL(log->generations.back(), generation + 1);
    ++generation;
  }
}

CAF_TEST(a_successful_connection_resets_the_backoff) {
  start(fixed());
  lose(1);
  wait(100ms);
  lose(2);
  CAF_CHECK_EQUAL(next_delay(), caf::timespan{200ms});
  wait(200ms);
  connect(3);
  lose(3);
  CAF_CHECK_EQUAL(next_delay(), caf::timespan{100ms});
}

CAF_TEST(reports_of_an_earlier_connection_are_ignored) {
  start(fixed());
  lose(1);
  wait(100ms);
  lose(1); // stale: generation 2 is current
  CAF_CHECK_EQUAL(next_delay(), caf::timespan{-1});
  connect(1);
  CAF_CHECK_EQUAL(log->generations.size(), 2u);
}

CAF_TEST(routes_are_listened_again_after_every_reconnect) {
  start(fixed());
  self->send(listener, listen_atom::value, std::string{"ch_a"}, client());
  drain();
  CAF_CHECK(log->listens.empty()); // not connected yet
  connect(1);
  CAF_REQUIRE_EQUAL(log->listens.size(), 1u);
  CAF_CHECK_EQUAL(log->listens[0].first, 1u);
  caf::anon_send(listener, listened_atom::value, uint64_t{1},
                 std::string{"ch_a"}, caf::error{});
  drain();
  bool listening = false;
  self->receive([&](listening_atom) { listening = true; },
                caf::after(0s) >> [] {});
  CAF_CHECK(listening);
  lose(1);
  bool told_down = false;
  self->receive(
    [&](disconnected_atom, const caf::error& err, caf::timestamp) {
      told_down = is(err, errc::connection_failed);
    },
    caf::after(0s) >> [] {});
  CAF_CHECK(told_down);
  wait(100ms);
  connect(2);
  CAF_REQUIRE_EQUAL(log->listens.size(), 2u);
  CAF_CHECK_EQUAL(log->listens[1].first, 2u);
  CAF_CHECK_EQUAL(log->listens[1].second, "ch_a");
}

CAF_TEST(a_watcher_registering_while_down_is_told_at_once) {
  start(fixed());
  lose(1);
  self->send(listener, listen_atom::value, std::string{"ch_b"}, client());
  drain();
  bool told_down = false;
  self->receive([&](disconnected_atom, const caf::error&,
                    caf::timestamp) { told_down = true; },
                caf::after(0s) >> [] {});
  CAF_CHECK(told_down);
}

CAF_TEST(the_listener_gives_up_after_max_attempts_with_reconnect_limit) {
  start(fixed(3));
  self->monitor(listener);
  for (uint64_t generation = 1; generation <= 3; ++generation) {
    lose(generation);
    wait(next_delay());
  }
  lose(4);
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(0s) >> [] {});
  CAF_CHECK(is(reason, errc::reconnect_limit));
  CAF_CHECK(describe(reason).find("gave up after 4 failed connection "
                                  "attempts; last: gone")
            != std::string::npos);
}

CAF_TEST(fail_fast_ends_the_listener_when_the_first_connection_fails) {
  auto p = fixed();
  p.fail_fast = true;
  start(p);
  self->monitor(listener);
  lose(1);
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(0s) >> [] {});
  CAF_CHECK(is(reason, errc::connection_failed));
}

CAF_TEST(fail_fast_does_not_apply_once_connected) {
  auto p = fixed();
  p.fail_fast = true;
  start(p);
  connect(1);
  lose(1);
  CAF_CHECK_EQUAL(next_delay(), caf::timespan{100ms});
}

CAF_TEST_FIXTURE_SCOPE_END()
