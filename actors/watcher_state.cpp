#include "actors/watcher_state.hpp"

#include <algorithm>

#include "actors/delivery_slot.hpp"
#include "actors/internal_atoms.hpp"
#include "libwatch/error.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch {

void watcher_actor_state::on_installed(const resolved_watcher& w) {
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

void watcher_actor_state::drop(const std::string& payload,
                               const std::string& why) {
  auto n = ++rt().dropped;
  // Rate-limited: the first ten, then every power of two.
  if (n <= 10 || (n & (n - 1)) == 0)
    log(log_level::warning, who,
        "dropped notification #" + std::to_string(n) + " (" + why
          + "): " + payload.substr(0, 200));
}

void watcher_actor_state::broadcast(watcher_ptr self, const caf::message& msg) {
  rt().topics.broadcast(caf::strong_actor_ptr{self->ctrl()}, msg,
                        self->context());
}

void watcher_actor_state::publish(watcher_ptr self, change&& ch,
                                  const delivery_info& info) {
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

void watcher_actor_state::flush_batch(watcher_ptr self) {
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

void watcher_actor_state::process(watcher_ptr self, notification_batch& batch) {
  for (size_t i = 0; i < batch.size(); ++i)
    take_payload(self, batch[i], batch.position(i), {});
  flush_batch(self);
}

void watcher_actor_state::take_payload(watcher_ptr self,
                                       std::string_view payload,
                                       stream_position position,
                                       const delivery_info& info) {
  ++rt().received;
  if (debug())
    log(log_level::debug, who, "received " + std::string{payload}, true);
  if (auto hook = detail::before_decode_hook.load())
    hook(payload);
  if (auto err = decoder->decode(payload, rows)) {
    drop(std::string{payload}, describe(err));
    return;
  }
  for (auto& row : rows) {
    auto ch = make_change(row, position);
    if (!row.reduced)
      enqueue(self, std::move(ch), info);
    else if (ctx.spec.event == event_kind::deleted)
      enqueue(self, with_source(std::move(ch), value_source::key_only), info);
    else
      fetch(self, std::move(ch), info);
  }
}

change watcher_actor_state::make_change(decoded_row& row,
                                        stream_position position) {
  return change{who,
                ctx.spec.event,
                ctx.spec.schema,
                ctx.spec.table,
                std::move(row.values),
                std::move(row.raw),
                value_source::notification,
                position};
}

void watcher_actor_state::enqueue(watcher_ptr self, change&& ch,
                                  const delivery_info& info) {
  if (queue.empty())
    publish(self, std::move(ch), info);
  else
    queue.push_back(pending{0, false, std::move(ch), info});
}

void watcher_actor_state::fetch(watcher_ptr self, change&& ch,
                                const delivery_info& info) {
  auto id = ++next_fetch;
  auto key = ch.key().to_text();
  queue.push_back(pending{id, true, std::move(ch), info});
  self
    ->request(ctx.catalog, ctx.request_timeout, fetch_atom::value, fetch_sql,
              key)
    .then(
      [this, self, id](std::string& row) { fetched(self, id, std::move(row)); },
      [this, self, id](caf::error& err) { fetched(self, id, std::move(err)); });
}

void watcher_actor_state::fetched(watcher_ptr self, uint64_t id,
                                  caf::expected<std::string> row) {
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
    publish(self, std::move(queue.front().ch), queue.front().info);
    queue.pop_front();
  }
  flush_batch(self);
}

void watcher_actor_state::go_live(watcher_ptr self) {
  auto now = caf::make_timestamp();
  current = watcher_phase::live;
  install_failures = 0;
  auto news = ctx.gap_since
                ? caf::make_message(resumed_msg{who, *ctx.gap_since, now})
                : caf::make_message(ready_msg{who, now});
  ctx.gap_since.reset();
  rt().board->set(watcher_state::live, caf::make_message(ready_msg{who, now}),
                  {}, [&] { broadcast(self, news); });
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

void watcher_actor_state::go_down(watcher_ptr self, const caf::error& err,
                                  caf::timestamp since) {
  if (current == watcher_phase::down) {
    // Still down, for a new reason (e.g. reconnecting found the slot
    // gone): status and new subscribers see the latest one.
    rt().board->set(
      watcher_state::down,
      caf::make_message(disconnected_msg{who, describe(err), *down_since}),
      describe(err));
    return;
  }
  current = watcher_phase::down;
  down_since = since;
  if (ever_live && !ctx.gap_since)
    ctx.gap_since = since;
  disconnected_msg msg{who, describe(err), since};
  auto news = caf::make_message(msg);
  rt().board->set(watcher_state::down, news, msg.reason,
                  [&] { broadcast(self, news); });
}

} // namespace libwatch
