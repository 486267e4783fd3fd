#include "actors/listener.hpp"

#include <map>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/pump_handle.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch {

namespace {

enum class phase { connecting, connected, waiting };

struct listener_state {
  reconnect_policy policy;
  pump_factory factory;
  std::shared_ptr<connection_board> board;
  // Destroyed when the actor terminates, which stops and joins the thread.
  std::unique_ptr<pump_handle> pump;
  uint64_t generation = 0;
  phase current = phase::connecting;
  bool ever_connected = false;
  uint32_t failures = 0;
  std::map<std::string, listener_client_actor> routes;
  caf::error last_error;
  caf::timestamp down_since = caf::make_timestamp();
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "libwatch.listener";
};

using listener_ptr = listener_actor::stateful_pointer<listener_state>;

void connect(listener_ptr self) {
  auto& st = self->state;
  st.current = phase::connecting;
  st.board->set("connecting");
  st.pump = st.factory(listener_actor{self}, ++st.generation);
}

void on_lost(listener_ptr self, caf::error err, caf::timestamp since) {
  auto& st = self->state;
  st.pump.reset();
  auto text = describe(err);
  if (st.current == phase::connected) {
    st.down_since = since;
    log(log_level::warning, "listener", "connection lost: " + text);
  } else {
    log(log_level::warning, "listener", "cannot connect: " + text);
  }
  st.current = phase::waiting;
  st.board->set("waiting", text);
  st.last_error = err;
  for (auto& kvp : st.routes)
    self->send(kvp.second, disconnected_atom::value, err, st.down_since);
  if (!st.ever_connected && st.policy.fail_fast)
    return self->quit(std::move(err));
  ++st.failures;
  if (st.policy.max_attempts > 0 && st.failures > st.policy.max_attempts)
    return self->quit(make_error(
      errc::reconnect_limit, "gave up after " + std::to_string(st.failures)
                               + " failed connection attempts; last: " + text));
  std::uniform_real_distribution<double> unit{-1.0, 1.0};
  auto delay = backoff_delay(st.policy, st.failures, unit(st.rng));
  self->delayed_send(self, delay, reconnect_atom::value, st.generation);
}

listener_actor::behavior_type
listener(listener_ptr self, reconnect_policy policy, pump_factory factory,
         std::shared_ptr<connection_board> board) {
  auto& st = self->state;
  st.policy = policy;
  st.factory = std::move(factory);
  st.board = std::move(board);
  connect(self);
  return {
    [self](listen_atom, std::string& channel, listener_client_actor& watcher) {
      auto& state = self->state;
      state.routes[channel] = watcher;
      if (state.current == phase::connected)
        state.pump->listen(channel, watcher);
      else if (state.current == phase::waiting)
        self->send(watcher, disconnected_atom::value, state.last_error,
                   state.down_since);
    },
    [self](connected_atom, uint64_t generation) {
      auto& state = self->state;
      if (generation != state.generation)
        return;
      if (state.ever_connected) {
        state.board->count_reconnect();
        log(log_level::warning, "listener", "reconnected");
      }
      state.ever_connected = true;
      state.failures = 0;
      state.current = phase::connected;
      state.board->set("connected");
      for (auto& kvp : state.routes)
        state.pump->listen(kvp.first, kvp.second);
    },
    [self](listened_atom, uint64_t generation, const std::string& channel,
           caf::error& err) {
      auto& state = self->state;
      if (generation != state.generation)
        return;
      auto i = state.routes.find(channel);
      if (i == state.routes.end())
        return;
      if (!err) {
        self->send(i->second, listening_atom::value);
        return;
      }
      // LISTEN does not fail on a healthy connection; start over.
      on_lost(self, std::move(err), caf::make_timestamp());
    },
    [self](lost_atom, uint64_t generation, caf::error& err,
           caf::timestamp last_alive) {
      if (generation == self->state.generation)
        on_lost(self, std::move(err), last_alive);
    },
    [self](reconnect_atom, uint64_t generation) {
      auto& state = self->state;
      if (generation == state.generation && state.current == phase::waiting)
        connect(self);
    },
  };
}

} // namespace

listener_actor spawn_listener(caf::actor_system& sys, reconnect_policy policy,
                              pump_factory factory,
                              std::shared_ptr<connection_board> board) {
  return sys.spawn(listener, policy, std::move(factory), std::move(board));
}

} // namespace libwatch
