// The supervisor's restart policy under CAF's deterministic test coordinator:
// a crashing watcher is restarted alone and resumes; more crashes than
// `restarts.max_restarts` within `restarts.window` stop the instance with
// errc::restart_limit; crashes spread further apart do not. The connection
// and the catalog worker are fakes; nothing sleeps.
#define CAF_SUITE supervisor
#define FAIL(msg) CAF_FAIL(msg)
#include <caf/test/dsl.hpp>

#include <memory>
#include <stdexcept>
#include <vector>

#include "actors/catalog_worker.hpp"
#include "actors/instance_core.hpp"
#include "actors/internal_atoms.hpp"
#include "actors/pump_handle.hpp"
#include "actors/supervisor.hpp"
#include "actors/watcher.hpp"
#include "libwatch/error.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/table_info.hpp"

using namespace libwatch;
using namespace std::chrono_literals;

namespace {

struct route_log {
  std::vector<std::pair<std::string, listener_client_actor>> listens;
};

class fake_pump : public pump_handle {
public:
  explicit fake_pump(std::shared_ptr<route_log> log) : log_(std::move(log)) {
    // nop
  }

  void listen(std::string channel, listener_client_actor watcher) override {
    log_->listens.emplace_back(std::move(channel), std::move(watcher));
  }

private:
  std::shared_ptr<route_log> log_;
};

// Answers installation requests as a database with table posts(id) would,
// finds no orphans and no rows to fetch.
catalog_worker_actor::behavior_type fake_worker() {
  return {
    [](install_atom,
       const watcher_spec& spec) -> caf::result<resolved_watcher> {
      table_info posts;
      posts.schema = "public";
      posts.table = "posts";
      posts.columns = {{"id", "integer", "int4", 'N', ""}};
      posts.primary_key = {"id"};
      auto res = resolve(spec, posts);
      if (!res)
        return res.error();
      return std::move(*res);
    },
    [](orphans_atom, const std::vector<watcher_spec>&,
       bool) -> std::vector<orphan_report> { return {}; },
    [](fetch_atom, const std::string&, const std::string&) -> std::string {
      return {};
    },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<route_log> log = std::make_shared<route_log>();
  std::shared_ptr<detail::instance_core> core;
  supervisor_actor supervisor;
  listener_actor listener;

  fixture() {
    detail::before_decode_hook = [](std::string_view payload) {
      if (payload == "boom")
        throw std::runtime_error("decoder exploded");
    };
  }

  ~fixture() override {
    detail::before_decode_hook = nullptr;
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    run();
  }

  void start(uint32_t max_restarts, caf::timespan window) {
    core = std::make_shared<detail::instance_core>();
    core->config.watchers = {watcher_spec::on("posts", event_kind::inserted)};
    core->config.restarts.max_restarts = max_restarts;
    core->config.restarts.window = window;
    core->module = std::make_shared<topic_module>(sys);
    core->watchers.push_back(
      std::make_shared<watcher_runtime>(core->module, "public.posts:inserted"));
    core->connection = std::make_shared<connection_board>();
    core->make_pump = [l = log, this](listener_actor who, uint64_t) {
      listener = who;
      return std::unique_ptr<pump_handle>{new fake_pump(l)};
    };
    core->make_catalog_worker
      = [](caf::actor_system& system) { return system.spawn(fake_worker); };
    supervisor = spawn_supervisor(sys, core);
    sched.run();
    caf::anon_send(listener, connected_atom::value, uint64_t{1});
    sched.run();
    confirm_listens();
  }

  // Confirms every LISTEN the listener asked for so far.
  void confirm_listens() {
    for (; confirmed_ < log->listens.size(); ++confirmed_) {
      caf::anon_send(listener, listened_atom::value, uint64_t{1},
                     log->listens[confirmed_].first, caf::error{});
      sched.run();
    }
  }

  listener_client_actor current_watcher() {
    return log->listens.back().second;
  }

  // Makes the current watcher throw, then lets the supervisor react.
  void crash() {
    notification_batch batch;
    batch.add("boom");
    caf::anon_send(current_watcher(), std::move(batch));
    sched.run();
    confirm_listens();
  }

  caf::error supervisor_exit_reason() {
    caf::error reason;
    self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                  caf::after(0s) >> [] {});
    return reason;
  }

  size_t confirmed_ = 0;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(supervisor_tests, fixture)

CAF_TEST(a_crashed_watcher_is_restarted_and_listens_again) {
  start(5, 60s);
  auto first = current_watcher();
  crash();
  CAF_REQUIRE_EQUAL(log->listens.size(), 2u);
  CAF_CHECK_NOT_EQUAL(current_watcher(), first);
  CAF_CHECK_EQUAL(core->watchers[0]->restarts.load(), 1u);
  CAF_CHECK_EQUAL(core->watchers[0]->board->state(), watcher_state::live);
}

CAF_TEST(more_crashes_than_allowed_within_the_window_stop_with_restart_limit) {
  start(2, 60s);
  self->monitor(supervisor);
  crash();
  crash();
  CAF_CHECK(!supervisor_exit_reason());
  crash();
  auto reason = supervisor_exit_reason();
  CAF_CHECK(is(reason, errc::restart_limit));
  CAF_CHECK(describe(reason).find("crashed more than 2 times")
            != std::string::npos);
}

CAF_TEST(crashes_further_apart_than_the_window_do_not_add_up) {
  start(2, 60s);
  self->monitor(supervisor);
  crash();
  crash();
  advance_time(61s);
  sched.run();
  crash();
  crash();
  CAF_CHECK(!supervisor_exit_reason());
  CAF_CHECK_EQUAL(core->watchers[0]->restarts.load(), 4u);
}

CAF_TEST(zero_max_restarts_stops_at_the_first_crash) {
  start(0, 60s);
  self->monitor(supervisor);
  crash();
  CAF_CHECK(is(supervisor_exit_reason(), errc::restart_limit));
}

CAF_TEST_FIXTURE_SCOPE_END()
