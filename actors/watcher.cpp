#include "actors/watcher.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/delivery_flow.hpp"
#include "actors/delivery_slot.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/change.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"
#include "libwatch/log_batch.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/payload_decoder.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/sql/trigger_sql.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch {

namespace detail {

std::atomic<void (*)(std::string_view)> before_decode_hook{nullptr};

} // namespace detail

namespace {

enum class phase { starting, verifying, live, down };

// Payloads held before the first installation, at most this many; more are
// dropped (and counted) rather than growing without bound.
constexpr size_t max_early_payloads = 100'000;

struct watcher_actor_state;
using watcher_ptr = watcher_actor::stateful_pointer<watcher_actor_state>;

struct watcher_actor_state {
  watcher_context ctx;
  std::string who;
  phase current = phase::starting;
  bool ever_live = false;
  uint64_t epoch = 0;
  uint32_t install_failures = 0;
  std::optional<payload_decoder> decoder;
  // The rows of the payload being processed (reused between payloads).
  std::vector<decoded_row> rows;
  std::string fetch_sql;
  // Changes behind one whose values are still being fetched wait here, so
  // subscribers see every change in commit order.
  struct pending {
    uint64_t id;
    bool waiting;
    change ch;
  };
  std::deque<pending> queue;
  uint64_t next_fetch = 0;
  // Changes for batch subscribers, sent after each burst, and what they
  // cover.
  std::vector<change> batch_buffer;
  delivery_info batch_info;
  std::vector<notification_batch> early;
  size_t early_count = 0;
  // Durable watchers: a change-log read is in flight; `pull_again` makes
  // another follow (a wake-up meanwhile, more to read, or a read that had to
  // wait for subscribers or acknowledgements).
  bool pulling = false;
  bool pull_again = false;
  uint32_t pull_failures = 0;
  // Where the next read starts (nothing: the stored position) and the
  // tracker epoch of the read in flight.
  std::optional<log_cursor> cursor;
  uint64_t read_epoch = 0;
  // A position update in flight, and the next one to write.
  bool storing = false;
  std::optional<log_cursor> to_store;
  std::string channel;
  // Position in `values` and name of every association column.
  std::vector<std::pair<size_t, std::string>> associations;
  static inline const char* name = "libwatch.watcher";

  watcher_runtime& rt() {
    return *ctx.runtime;
  }

  bool debug() const {
    return ctx.spec.debug || log_enabled(log_level::debug);
  }

  void on_installed(const resolved_watcher& w) {
    if (decoder)
      return;
    fetch_sql = sql::fetch_statement(w);
    std::vector<std::string> columns;
    for (auto& c : w.payload_columns)
      columns.push_back(c.name);
    for (auto& a : w.spec.association_columns)
      for (size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == a)
          associations.emplace_back(i, a);
    decoder.emplace(w.spec.event, std::move(columns));
  }

  void drop(const std::string& payload, const std::string& why) {
    auto n = ++rt().dropped;
    // Rate-limited: the first ten, then every power of two.
    if (n <= 10 || (n & (n - 1)) == 0)
      log(log_level::warning, who,
          "dropped notification #" + std::to_string(n) + " (" + why
            + "): " + payload.substr(0, 200));
  }

  void broadcast(watcher_ptr self, const caf::message& msg) {
    rt().topics.broadcast(caf::strong_actor_ptr{self->ctrl()}, msg,
                          self->context());
  }

  void publish(watcher_ptr self, change&& ch, const delivery_info& info = {}) {
    ++rt().published;
    auto& topics = rt().topics;
    bool per_change = topics.wants_changes() || topics.has_value_topics();
    if (topics.wants_batches()) {
      if (batch_buffer.empty())
        batch_info = delivery_info{0, info.positions, info.epoch};
      ++batch_info.changes;
      batch_info.positions.last = info.positions.last;
      if (per_change)
        batch_buffer.push_back(ch);
      else
        batch_buffer.push_back(std::move(ch));
    }
    if (!per_change)
      return;
    auto msg = caf::make_message(std::move(ch));
    auto& sent = msg.get_as<change>(0);
    auto sender = caf::strong_actor_ptr{self->ctrl()};
    auto* host = self->context();
    for (auto& t : topics.general_topics())
      if (!t->empty())
        t->publish(sender, msg, info, host);
    std::string published_to;
    if (topics.has_value_topics()) {
      auto send_to = [&](std::string_view column, const value& x) {
        if (auto t = topics.find(column, x)) {
          t->publish(sender, msg, info, host);
          if (debug())
            published_to += " " + t->identifier();
        }
      };
      if (ctx.spec.event != event_kind::inserted)
        send_to({}, sent.key());
      for (auto& [index, column] : associations)
        send_to(column, sent.values[index].value);
    }
    if (debug())
      log(log_level::debug, who,
          "published " + sent.raw + " to " + who + published_to, true);
  }

  // Sends the changes published since the last flush as one change_batch.
  void flush_batch(watcher_ptr self) {
    if (batch_buffer.empty())
      return;
    auto count = batch_buffer.size();
    auto msg = caf::make_message(change_batch{who, std::move(batch_buffer)});
    batch_buffer.clear();
    auto sender = caf::strong_actor_ptr{self->ctrl()};
    for (auto& t : rt().topics.batch_topics())
      if (!t->empty())
        t->publish(sender, msg, batch_info, self->context());
    if (debug())
      log(log_level::debug, who,
          "published a batch of " + std::to_string(count) + " to " + who
            + "|batch",
          true);
  }

  void process(watcher_ptr self, notification_batch& batch) {
    auto hook = detail::before_decode_hook.load();
    for (size_t i = 0; i < batch.size(); ++i) {
      auto payload = batch[i];
      ++rt().received;
      if (debug())
        log(log_level::debug, who, "received " + std::string{payload}, true);
      if (hook != nullptr)
        hook(payload);
      if (auto err = decoder->decode(payload, rows)) {
        drop(std::string{payload}, describe(err));
        continue;
      }
      for (auto& row : rows) {
        auto ch = make_change(row);
        if (!row.reduced)
          enqueue(self, std::move(ch));
        else if (ctx.spec.event == event_kind::deleted)
          enqueue(self, with_source(std::move(ch), value_source::key_only));
        else
          fetch(self, std::move(ch));
      }
    }
    flush_batch(self);
  }

  // Moves a decoded row into the message subscribers receive.
  change make_change(decoded_row& row, stream_position position = {}) {
    return change{who,
                  ctx.spec.event,
                  ctx.spec.schema,
                  ctx.spec.table,
                  std::move(row.values),
                  std::move(row.raw),
                  value_source::notification,
                  position};
  }

  static change with_source(change ch, value_source source) {
    ch.source = source;
    return ch;
  }

  void enqueue(watcher_ptr self, change&& ch) {
    if (queue.empty())
      publish(self, std::move(ch));
    else
      queue.push_back(pending{0, false, std::move(ch)});
  }

  // The notification carried the key alone: read the row for the rest.
  void fetch(watcher_ptr self, change&& ch);

  bool durable() const {
    return ctx.spec.delivery == delivery_mode::at_least_once;
  }

  ack_tracker& tracker() {
    return *rt().flow->tracker();
  }

  // Durable watchers: reads the next entries after the cursor from the
  // change log and publishes them, while somebody subscribes and fewer than
  // `max_in_flight` changes await acknowledgement. Woken by notifications,
  // the poll timer, going live, its own incomplete reads and subscribers'
  // progress (`acked_atom`).
  void pull(watcher_ptr self);
  void publish_logged(watcher_ptr self, log_batch& batch);
  void pull_failed(watcher_ptr self, const caf::error& err);
  // Moves the stored position past what every durable subscriber
  // acknowledged, and reads again what a departed one left unprocessed.
  void settle(watcher_ptr self);
  void store(watcher_ptr self);

  void fetched(watcher_ptr self, uint64_t id, caf::expected<std::string> row) {
    auto i = std::find_if(queue.begin(), queue.end(),
                          [id](const pending& p) { return p.id == id; });
    if (i == queue.end())
      return;
    i->waiting = false;
    auto& ch = i->ch;
    ch.source = value_source::key_only;
    if (!row) {
      log(log_level::warning, who,
          "cannot read the row of a change too large to notify, publishing "
          "its key only: "
            + describe(row.error()));
    } else if (!row->empty()) {
      auto fetched_row = decoder->decode_one(*row);
      if (fetched_row && !fetched_row->reduced) {
        ch.values = std::move(fetched_row->values);
        ch.source = value_source::fetched;
      }
    }
    while (!queue.empty() && !queue.front().waiting) {
      publish(self, std::move(queue.front().ch));
      queue.pop_front();
    }
    flush_batch(self);
  }

  void go_live(watcher_ptr self) {
    auto now = caf::make_timestamp();
    current = phase::live;
    install_failures = 0;
    rt().board->set(watcher_state::live,
                    caf::make_message(ready_msg{who, now}));
    if (ctx.gap_since) {
      broadcast(self, caf::make_message(resumed_msg{who, *ctx.gap_since, now}));
      ctx.gap_since.reset();
    } else {
      broadcast(self, caf::make_message(ready_msg{who, now}));
    }
    if (!ever_live) {
      ever_live = true;
      log(log_level::info, who, "installed and listening");
      self->send(ctx.supervisor, started_atom::value,
                 static_cast<uint64_t>(ctx.index));
    } else {
      log(log_level::info, who, "live again");
    }
    for (auto& batch : early)
      process(self, batch);
    early.clear();
    early_count = 0;
    if (durable())
      pull(self);
  }

  void go_down(watcher_ptr self, const caf::error& err, caf::timestamp since) {
    if (current == phase::down)
      return;
    current = phase::down;
    if (ever_live && !ctx.gap_since)
      ctx.gap_since = since;
    disconnected_msg msg{who, describe(err), since};
    rt().board->set(watcher_state::down, caf::make_message(msg), msg.reason);
    broadcast(self, caf::make_message(std::move(msg)));
  }
};

void watcher_actor_state::fetch(watcher_ptr self, change&& ch) {
  auto id = ++next_fetch;
  auto key = ch.key().to_text();
  queue.push_back(pending{id, true, std::move(ch)});
  self
    ->request(ctx.catalog, ctx.request_timeout, fetch_atom::value, fetch_sql,
              key)
    .then(
      [this, self, id](std::string& row) { fetched(self, id, std::move(row)); },
      [this, self, id](caf::error& err) { fetched(self, id, std::move(err)); });
}

void watcher_actor_state::pull(watcher_ptr self) {
  if (!decoder || current != phase::live)
    return;
  if (pulling) {
    pull_again = true;
    return;
  }
  auto& flow = *rt().flow;
  auto in_flight = tracker().in_flight();
  auto max_in_flight = ctx.durable.max_in_flight;
  // Nobody to deliver to, or the subscribers are behind: the log keeps the
  // changes; a join or an acknowledgement wakes us (acked_atom).
  if (flow.subscribers() == 0 || in_flight >= max_in_flight) {
    pull_again = true;
    return;
  }
  pulling = true;
  pull_again = false;
  read_epoch = tracker().epoch();
  auto limit = static_cast<uint32_t>(
    std::min<size_t>(ctx.durable.batch_limit, max_in_flight - in_flight));
  self
    ->request(ctx.log, ctx.request_timeout, read_log_atom::value,
              log_read_request{ctx.durable.consumer, channel,
                               !cursor.has_value(),
                               cursor.value_or(log_cursor{}), limit})
    .then([this, self](log_batch& batch) { publish_logged(self, batch); },
          [this, self](caf::error& err) { pull_failed(self, err); });
}

void watcher_actor_state::publish_logged(watcher_ptr self, log_batch& batch) {
  pulling = false;
  pull_failures = 0;
  auto& t = tracker();
  auto acks = t.epoch();
  // A subscriber left with unprocessed changes meanwhile: this read started
  // from a position that no longer holds; read again from the new one.
  if (acks != read_epoch) {
    pull(self);
    return;
  }
  auto now = caf::make_timestamp();
  for (auto& entry : batch.entries) {
    ++rt().received;
    stream_position pos{batch.batch, entry.entry};
    t.published(pos, now);
    if (auto err = decoder->decode(entry.payload, rows)) {
      drop(entry.payload, describe(err));
      continue;
    }
    for (auto& row : rows)
      publish(self, make_change(row, pos), delivery_info{1, {pos, pos}, acks});
  }
  flush_batch(self);
  if (batch.complete) {
    t.batch_finished(batch.batch);
    cursor = log_cursor{batch.batch, 0};
  } else {
    cursor = log_cursor{batch.batch - 1, batch.entries.back().entry};
  }
  // A complete batch ending at a fresh snapshot leaves nothing older to
  // read; later commits wake the watcher (notify) or the timer does (poll).
  if (!(batch.complete && batch.fresh))
    pull_again = true;
  settle(self);
  if (pull_again)
    pull(self);
}

void watcher_actor_state::settle(watcher_ptr self) {
  auto& flow = *rt().flow;
  // One wake-up at the next acknowledgement, join or leave. Armed before
  // settling: one that comes in between must not go unnoticed.
  tracker().notify_once([f = &flow] { f->wake_watcher(); });
  auto s = tracker().settle();
  if (s.rewind) {
    log(log_level::info, who,
        "a durable subscriber left before processing every change it "
        "received; reading them again for the others");
    cursor = s.read_from;
    pull_again = true;
  }
  if (s.stored) {
    to_store = s.stored;
    store(self);
  }
  flow.set_in_flight(s.in_flight, s.oldest);
}

void watcher_actor_state::store(watcher_ptr self) {
  if (storing || !to_store)
    return;
  storing = true;
  auto at = *to_store;
  to_store.reset();
  self
    ->request(ctx.log, ctx.request_timeout, advance_atom::value,
              ctx.durable.consumer, channel, at)
    .then(
      [this, self] {
        storing = false;
        store(self);
      },
      [this, self, at](caf::error& err) {
        storing = false;
        if (!to_store)
          to_store = at;
        log(log_level::warning, who,
            "cannot store the durable consumer's position, retrying: "
              + describe(err));
        auto delay = backoff_delay(ctx.retry, ++pull_failures, 0.0);
        self->delayed_send(self, delay, acked_atom::value);
      });
}

void watcher_actor_state::pull_failed(watcher_ptr self, const caf::error& err) {
  pulling = false;
  log(log_level::warning, who,
      "cannot read the change log, retrying: " + describe(err));
  auto delay = backoff_delay(ctx.retry, ++pull_failures, 0.0);
  self->delayed_send(self, delay, pull_atom::value);
}

void verify(watcher_ptr self, uint64_t epoch) {
  auto& st = self->state;
  self
    ->request(st.ctx.catalog, st.ctx.request_timeout, install_atom::value,
              st.ctx.spec)
    .then(
      [self, epoch](resolved_watcher& w) {
        auto& state = self->state;
        if (epoch != state.epoch || state.current != phase::verifying)
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
              if (epoch == me.epoch && me.current == phase::verifying)
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
  if (st.ctx.gap_since)
    st.current = phase::down;
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
  self->send(st.ctx.listener, listen_atom::value, st.channel,
             listener_client_actor{self});
  if (st.durable() && st.ctx.spec.wakeup == wakeup_mode::poll)
    self->delayed_send(self, st.ctx.durable.poll_interval, pull_atom::value,
                       true);
  if (st.durable())
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
      ++state.epoch;
      state.current = phase::verifying;
      verify(self, state.epoch);
    },
    [self](retry_atom, uint64_t epoch) {
      auto& state = self->state;
      if (epoch == state.epoch && state.current == phase::verifying)
        verify(self, epoch);
    },
    [self](disconnected_atom, const caf::error& err, caf::timestamp since) {
      self->state.go_down(self, err, since);
    },
    [self](notification_batch& batch) {
      auto& state = self->state;
      // A durable watcher's notifications only say "read the log".
      if (state.durable()) {
        state.pull(self);
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
