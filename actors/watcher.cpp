#include "actors/watcher.hpp"

#include <exception>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "actors/watcher_state.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch {

namespace detail {

std::atomic<void (*)(std::string_view)> before_decode_hook{nullptr};

} // namespace detail

namespace {

// Payloads held before the first installation, at most this many; more are
// dropped (and counted) rather than growing without bound.
constexpr size_t max_early_payloads = 100'000;

void verify(watcher_ptr self, uint64_t epoch) {
  auto& st = self->state;
  self
    ->request(st.ctx.catalog, st.ctx.request_timeout, install_atom::value,
              st.ctx.spec)
    .then(
      [self, epoch](resolved_watcher& w) {
        auto& state = self->state;
        if (epoch != state.epoch || state.current != watcher_phase::verifying)
          return;
        if (!w.replaced_drift.empty()) {
          std::string what;
          for (auto& d : w.replaced_drift)
            what += (what.empty() ? "" : "; ") + d;
          log(log_level::warning, state.who,
              "replaced a function/trigger that differed from this "
              "configuration: "
                + what);
        }
        state.on_installed(w);
        state.rt().set_resolved(w);
        if (state.wal()) {
          // The stream serves a watcher once it is resolved (and its
          // publication and slot exist): register only now, go live when the
          // stream confirms.
          self->send(state.ctx.listener, listen_atom::value, state.channel,
                     listener_client_actor{self});
          return;
        }
        if (!state.durable()) {
          state.go_live(self);
          return;
        }
        // A durable consumer receives what commits after ready_msg: it must
        // exist (and so its starting snapshot) before going live.
        self
          ->request(state.ctx.log, state.ctx.request_timeout,
                    register_atom::value, state.ctx.durable.consumer,
                    state.channel)
          .then(
            [self, epoch] {
              auto& me = self->state;
              if (epoch == me.epoch && me.current == watcher_phase::verifying)
                me.go_live(self);
            },
            [self, epoch](caf::error& err) {
              auto& me = self->state;
              log(log_level::warning, me.who,
                  "cannot register the durable consumer, retrying: "
                    + describe(err));
              auto delay
                = backoff_delay(me.ctx.retry, ++me.install_failures, 0.0);
              self->delayed_send(self, delay, retry_atom::value, epoch);
            });
      },
      [self, epoch](caf::error& err) {
        auto& state = self->state;
        if (is_permanent(err)) {
          state.rt().board->set(watcher_state::failed, {}, describe(err));
          self->quit(std::move(err));
          return;
        }
        log(log_level::warning, state.who,
            "cannot verify the trigger, retrying: " + describe(err));
        auto delay
          = backoff_delay(state.ctx.retry, ++state.install_failures, 0.0);
        self->delayed_send(self, delay, retry_atom::value, epoch);
      });
}

watcher_actor::behavior_type watcher(watcher_ptr self, watcher_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.who = watcher_name(st.ctx.spec);
  if (st.ctx.gap_since) {
    st.current = watcher_phase::down;
    st.down_since = st.ctx.gap_since;
  }
  self->set_exception_handler([self](std::exception_ptr& eptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log(log_level::error, self->state.who, "crashed: " + what);
    return make_error(errc::watcher_crashed, what);
  });
  st.channel = derive_names(st.ctx.spec).channel;
  st.rt().flow->set_watcher(caf::strong_actor_ptr{self->ctrl()});
  // A restarted actor reads from the stored position again: what its
  // predecessor published may not have been processed.
  if (st.durable())
    st.tracker().restart(std::nullopt);
  // A restarted durable WAL watcher asks the stream for what is not
  // processed once its route is its own again (listening_atom).
  st.wal_restarted = st.durable() && st.wal() && st.rt().restarts > 0;
  if (st.wal()) {
    st.current = watcher_phase::verifying;
    verify(self, ++st.epoch);
  } else {
    self->send(st.ctx.listener, listen_atom::value, st.channel,
               listener_client_actor{self});
  }
  // The change log of durable trigger watchers is polled and pruned.
  bool logged = st.durable() && !st.wal();
  if (logged && st.ctx.spec.wakeup == wakeup_mode::poll)
    self->delayed_send(self, st.ctx.durable.poll_interval, pull_atom::value,
                       true);
  if (logged)
    self->delayed_send(self, st.ctx.durable.prune_interval, prune_atom::value);
  return {
    [self](pull_atom, bool timer) {
      auto& state = self->state;
      state.pull(self);
      if (timer)
        self->delayed_send(self, state.ctx.durable.poll_interval,
                           pull_atom::value, true);
    },
    [self](pull_atom) { self->state.pull(self); },
    [self](acked_atom) {
      auto& state = self->state;
      if (!state.durable())
        return;
      state.settle(self);
      state.store(self);
      if (state.pull_again)
        state.pull(self);
    },
    [self](prune_atom) {
      auto& state = self->state;
      auto limit = state.ctx.durable.batch_limit;
      self
        ->request(state.ctx.log, state.ctx.request_timeout, prune_atom::value,
                  state.channel, state.ctx.durable.retention, limit)
        .then(
          [self, limit](uint64_t removed) {
            // A full step means more to prune: go on at once.
            auto& me = self->state;
            self->delayed_send(self,
                               removed == limit ? caf::timespan{0}
                                                : me.ctx.durable.prune_interval,
                               prune_atom::value);
          },
          [self](caf::error& err) {
            auto& me = self->state;
            log(log_level::warning, me.who,
                "cannot prune the change log: " + describe(err));
            self->delayed_send(self, me.ctx.durable.prune_interval,
                               prune_atom::value);
          });
    },
    [self](listening_atom) {
      auto& state = self->state;
      if (state.wal()) {
        // Installed before registering; the stream runs again.
        state.go_live(self);
        if (state.wal_restarted) {
          state.wal_restarted = false;
          state.replay_wal(std::nullopt);
        }
        return;
      }
      ++state.epoch;
      state.current = watcher_phase::verifying;
      verify(self, state.epoch);
    },
    [self](retry_atom, uint64_t epoch) {
      auto& state = self->state;
      if (epoch == state.epoch && state.current == watcher_phase::verifying)
        verify(self, epoch);
    },
    [self](disconnected_atom, const caf::error& err, caf::timestamp since) {
      self->state.go_down(self, err, since);
    },
    [self](truncated_atom, caf::timestamp at) {
      auto& state = self->state;
      auto& spec = state.ctx.spec;
      state.broadcast(self, caf::make_message(truncated_msg{
                              state.who, spec.schema, spec.table, at}));
    },
    [self](replay_atom, stream_position from) {
      auto& state = self->state;
      if (state.durable() && state.wal())
        state.wal_replay_announced(from);
    },
    [self](released_atom, uint64_t held_bytes) {
      auto& state = self->state;
      if (state.durable() && state.wal())
        state.wal_released(self, held_bytes);
    },
    [self](notification_batch& batch) {
      auto& state = self->state;
      if (state.durable()) {
        if (state.wal())
          state.take_wal(self, batch);
        else
          state.pull(self); // its notifications only say "read the log"
        return;
      }
      if (state.decoder) {
        state.process(self, batch);
        return;
      }
      if (state.early_count + batch.size() > max_early_payloads) {
        for (size_t i = 0; i < batch.size(); ++i)
          state.drop(std::string{batch[i]},
                     "arrived before the first installation and the holding "
                     "buffer is full");
        return;
      }
      state.early_count += batch.size();
      state.early.push_back(std::move(batch));
    },
  };
}

} // namespace

watcher_actor spawn_watcher(caf::actor_system& sys, watcher_context ctx) {
  return sys.spawn(watcher, std::move(ctx));
}

} // namespace libwatch
