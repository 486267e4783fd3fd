#include "actors/supervisor.hpp"

#include <algorithm>
#include <deque>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/catalog_worker.hpp"
#include "actors/instance_core.hpp"
#include "actors/listener.hpp"
#include "actors/log_worker.hpp"
#include "actors/watcher.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/status.hpp"

namespace libwatch {

namespace {

struct supervisor_state {
  std::shared_ptr<detail::instance_core> core;
  listener_actor listener;
  /// Only when a watcher reads the WAL: the replication stream's listener.
  listener_actor wal_listener;
  catalog_worker_actor catalog;
  log_worker_actor log;
  std::vector<watcher_actor> watchers;
  std::vector<bool> started;
  size_t started_count = 0;
  caf::error failure;
  std::vector<caf::response_promise> waiting;
  std::deque<caf::actor_clock::time_point> restarts;
  static inline const char* name = "libwatch.supervisor";

  ~supervisor_state() {
    // Topics hold strong references to their subscribers; dropping them lets
    // subscriber actors that nobody else references terminate.
    if (core)
      for (auto& w : core->watchers)
        w->topics.stop();
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

  void fail(caf::error err) {
    if (failure)
      return;
    failure = std::move(err);
    answer_waiting();
  }

  // Index of the watcher `who`, or -1.
  ptrdiff_t watcher_index(const caf::actor_addr& who) const {
    for (size_t i = 0; i < watchers.size(); ++i)
      if (who == watchers[i].address())
        return static_cast<ptrdiff_t>(i);
    return -1;
  }
};

using supervisor_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

watcher_actor start_watcher(supervisor_ptr self, size_t index,
                            std::optional<caf::timestamp> gap_since) {
  auto& st = self->state;
  watcher_context ctx;
  ctx.spec = st.core->config.watchers[index];
  ctx.index = index;
  ctx.runtime = st.core->watchers[index];
  ctx.supervisor = supervisor_actor{self};
  ctx.listener
    = ctx.spec.source == watch_source::wal ? st.wal_listener : st.listener;
  ctx.catalog = st.catalog;
  ctx.log = st.log;
  ctx.request_timeout = st.core->request_timeout;
  ctx.retry = st.core->config.reconnect;
  ctx.durable = st.core->config.durable;
  ctx.gap_since = gap_since;
  auto w = spawn_watcher(self->system(), std::move(ctx));
  self->link_to(w);
  return w;
}

// Whether another restart stays within `restarts.max_restarts` per window.
bool may_restart(supervisor_ptr self) {
  auto& st = self->state;
  auto& policy = st.core->config.restarts;
  auto now = self->clock().now();
  while (!st.restarts.empty() && now - st.restarts.front() > policy.window)
    st.restarts.pop_front();
  if (st.restarts.size() >= policy.max_restarts)
    return false;
  st.restarts.push_back(now);
  return true;
}

void on_watcher_exit(supervisor_ptr self, size_t index, caf::error reason) {
  auto& st = self->state;
  auto& rt = *st.core->watchers[index];
  auto text = describe(reason);
  if (is_permanent(reason)) {
    log(log_level::error, rt.name, "failed: " + text);
    rt.board->set(watcher_state::failed, {}, text);
    st.fail(std::move(reason));
    return;
  }
  log(log_level::warning, rt.name, "restarting after: " + text);
  if (!may_restart(self)) {
    self->quit(
      make_error(errc::restart_limit,
                 "watcher " + rt.name + " crashed more than "
                   + std::to_string(st.core->config.restarts.max_restarts)
                   + " times within the restart window; last: " + text));
    return;
  }
  auto now = caf::make_timestamp();
  disconnected_msg msg{rt.name, "watcher crashed: " + text, now};
  auto news = caf::make_message(msg);
  rt.board->set(watcher_state::down, news, msg.reason, [&] {
    rt.topics.broadcast(caf::strong_actor_ptr{self->ctrl()}, news,
                        self->context());
  });
  ++rt.restarts;
  std::optional<caf::timestamp> gap;
  if (st.started[index])
    gap = now;
  st.watchers[index] = start_watcher(self, index, gap);
}

// Once every watcher is up, reports (or drops, as configured) libwatch
// objects in the database that no configured watcher owns.
void handle_orphans(supervisor_ptr self) {
  auto& cfg = self->state.core->config;
  bool drop = cfg.orphans == orphan_policy::drop;
  self
    ->request(self->state.catalog, self->state.core->request_timeout,
              orphans_atom::value, cfg.watchers, drop)
    .then(
      [drop](std::vector<orphan_report>& found) {
        std::string list;
        std::string busy;
        for (auto& x : found) {
          auto& out = x.in_use ? busy : list;
          out += (out.empty() ? "" : "; ") + x.object;
        }
        // Another node still runs these watchers (a rolling deploy): their
        // objects are not orphans yet and are never dropped.
        if (!busy.empty())
          log(log_level::warning, "supervisor",
              "libwatch objects that no configured watcher owns are in use "
              "by another node and left in place: "
                + busy);
        if (list.empty())
          return;
        if (drop)
          log(log_level::warning, "supervisor",
              "dropped libwatch objects that no configured watcher owns: "
                + list);
        else
          log(log_level::warning, "supervisor",
              "found libwatch objects that no configured watcher owns: " + list
                + ". Set [cleanup] orphans = \"drop\" to drop them at "
                  "start, or run `libwatch uninstall` with the "
                  "configuration that created them");
      },
      [drop](caf::error& err) {
        log(log_level::warning, "supervisor",
            std::string{drop ? "cannot drop" : "cannot list"}
              + " orphaned libwatch objects: " + describe(err));
      });
}

supervisor_actor::behavior_type
supervisor(supervisor_ptr self, std::shared_ptr<detail::instance_core> core) {
  auto& st = self->state;
  st.core = std::move(core);
  auto& cfg = st.core->config;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& state = self->state;
    if (auto index = state.watcher_index(msg.source); index >= 0) {
      if (msg.reason)
        on_watcher_exit(self, static_cast<size_t>(index),
                        std::move(msg.reason));
      return;
    }
    if (msg.source == state.listener.address()
        || (state.wal_listener && msg.source == state.wal_listener.address())
        || msg.source == state.catalog.address()
        || (state.log && msg.source == state.log.address())) {
      // Without a connection or a worker no watcher can work: escalate.
      if (msg.reason)
        log(log_level::error, "supervisor",
            "stopping libwatch: " + describe(msg.reason));
      state.fail(msg.reason);
      self->quit(std::move(msg.reason));
      return;
    }
    // Not one of ours: a shutdown request (e.g. instance::stop()).
    self->quit(std::move(msg.reason));
  });
  st.listener = spawn_listener(self->system(), cfg.reconnect,
                               st.core->make_pump, st.core->connection);
  self->link_to(st.listener);
  if (st.core->make_wal_pump) {
    st.wal_listener
      = spawn_listener(self->system(), cfg.reconnect, st.core->make_wal_pump,
                       st.core->wal_connection);
    self->link_to(st.wal_listener);
  }
  st.catalog = st.core->make_catalog_worker(self->system());
  self->link_to(st.catalog);
  if (std::any_of(cfg.watchers.begin(), cfg.watchers.end(), [](auto& spec) {
        return spec.delivery == delivery_mode::at_least_once;
      })) {
    st.log = st.core->make_log_worker(self->system());
    self->link_to(st.log);
  }
  st.started.resize(cfg.watchers.size(), false);
  for (size_t i = 0; i < cfg.watchers.size(); ++i)
    st.watchers.push_back(start_watcher(self, i, std::nullopt));
  return {
    [self](ready_atom) -> caf::result<void> {
      auto& state = self->state;
      if (state.failure)
        return state.failure;
      if (state.started_count == state.started.size())
        return caf::unit;
      auto promise = self->make_response_promise();
      state.waiting.push_back(promise);
      return promise;
    },
    [self](status_atom) { return self->state.core->status(); },
    [self](details_atom,
           const std::string& name) -> caf::result<watcher_details> {
      auto found = self->state.core->details(name);
      if (!found)
        return found.error();
      return std::move(*found);
    },
    [self](watchers_atom) {
      std::vector<std::string> names;
      for (auto& w : self->state.core->watchers)
        names.push_back(w->name);
      return names;
    },
    [self](started_atom, uint64_t index) {
      auto& state = self->state;
      if (index >= state.started.size() || state.started[index])
        return;
      state.started[index] = true;
      if (++state.started_count == state.started.size()) {
        state.answer_waiting();
        handle_orphans(self);
      }
    },
  };
}

} // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                  std::shared_ptr<detail::instance_core> core) {
  return sys.spawn(supervisor, std::move(core));
}

} // namespace libwatch
