#include "actors/supervisor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/database_worker.hpp"
#include "actors/instance_core.hpp"
#include "actors/listener.hpp"
#include "actors/watcher.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch {

namespace {

struct supervisor_state {
  std::shared_ptr<detail::instance_core> core;
  caf::actor listener;
  caf::actor worker;
  std::vector<caf::actor> watchers;
  std::vector<bool> started;
  size_t started_count = 0;
  caf::error failure;
  std::vector<caf::response_promise> waiting;
  static inline const char* name = "libwatch.supervisor";

  ~supervisor_state() {
    // Topics hold strong references to their subscribers; dropping them lets
    // subscriber actors that nobody else references terminate.
    if (core)
      for (auto& t : core->topics)
        t->stop();
  }

  bool all_started() const {
    return started_count == watchers.size();
  }

  void answer_waiting() {
    for (auto& promise : waiting) {
      if (failure)
        promise.deliver(failure);
      else
        promise.deliver(caf::unit);
    }
    waiting.clear();
  }

  // Names a child for log lines.
  std::string child_name(const caf::actor_addr& who) const {
    if (who == listener.address())
      return "listener";
    if (who == worker.address())
      return "database worker";
    for (size_t i = 0; i < watchers.size(); ++i)
      if (who == watchers[i].address())
        return "watcher " + watcher_name(core->config.watchers[i]);
    return {};
  }
};

caf::behavior supervisor(caf::stateful_actor<supervisor_state>* self,
                         std::shared_ptr<detail::instance_core> core) {
  auto& st = self->state;
  st.core = std::move(core);
  auto& cfg = st.core->config;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& state = self->state;
    auto child = state.child_name(msg.source);
    if (child.empty()) {
      // Not one of ours: a shutdown request (e.g. instance::stop()).
      self->quit(std::move(msg.reason));
      return;
    }
    if (!msg.reason)
      return;
    log(log_level::error, "supervisor",
        child + " failed: " + describe(msg.reason));
    if (!state.failure) {
      state.failure = msg.reason;
      state.answer_waiting();
    }
  });
  st.listener
    = spawn_listener(self->system(), cfg.conninfo, cfg.application_name);
  self->link_to(st.listener);
  st.worker
    = spawn_database_worker(self->system(), cfg.conninfo, cfg.application_name);
  self->link_to(st.worker);
  for (size_t i = 0; i < cfg.watchers.size(); ++i)
    st.watchers.push_back(spawn_watcher(
      self, watcher_context{cfg.watchers[i], i, st.core->topics[i],
                            caf::actor{self}, st.listener, st.worker}));
  st.started.resize(st.watchers.size(), false);
  return {
    [self](ready_atom) -> caf::result<void> {
      auto& state = self->state;
      if (state.failure)
        return state.failure;
      if (state.all_started())
        return caf::unit;
      auto promise = self->make_response_promise();
      state.waiting.push_back(promise);
      return promise;
    },
    [self](watchers_atom) {
      std::vector<std::string> names;
      for (auto& spec : self->state.core->config.watchers)
        names.push_back(watcher_name(spec));
      return names;
    },
    [self](started_atom, uint64_t index) {
      auto& state = self->state;
      if (index >= state.started.size() || state.started[index])
        return;
      state.started[index] = true;
      if (++state.started_count == state.started.size())
        state.answer_waiting();
    },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys,
                            std::shared_ptr<detail::instance_core> core) {
  return sys.spawn(supervisor, std::move(core));
}

} // namespace libwatch
