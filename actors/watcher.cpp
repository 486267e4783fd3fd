#include "actors/watcher.hpp"

#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/topic.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/change.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/payload_decoder.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch {

namespace {

struct watcher_state {
  watcher_context ctx;
  std::string who;
  std::optional<payload_decoder> decoder;
  // Position in `values` and name of every association column.
  std::vector<std::pair<size_t, std::string>> associations;
  uint64_t received = 0;
  uint64_t published = 0;
  uint64_t dropped = 0;
  static inline const char* name = "libwatch.watcher";

  bool debug() const {
    return ctx.spec.debug || log_enabled(log_level::debug);
  }

  void on_installed(const resolved_watcher& w) {
    std::vector<std::string> columns;
    for (auto& c : w.payload_columns)
      columns.push_back(c.name);
    for (auto& a : w.spec.association_columns)
      for (size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == a)
          associations.emplace_back(i, a);
    decoder.emplace(w.spec.event, std::move(columns));
  }

  void drop(const std::string& payload, const caf::error& why) {
    ++dropped;
    // Rate-limited: the first ten, then every power of two.
    if (dropped <= 10 || (dropped & (dropped - 1)) == 0)
      log(log_level::warning, who,
          "dropped notification #" + std::to_string(dropped) + " ("
            + describe(why) + "): " + payload.substr(0, 200));
  }

  void publish(caf::event_based_actor* self, change&& ch) {
    auto msg = caf::make_message(std::move(ch));
    auto& sent = msg.get_as<change>(0);
    auto sender = caf::strong_actor_ptr{self->ctrl()};
    auto mid = caf::make_message_id();
    auto* host = self->context();
    ctx.topics->general_topic()->enqueue(sender, mid, msg, host);
    std::string published_to;
    if (ctx.topics->has_value_topics()) {
      auto send_to = [&](std::string_view column, const value& x) {
        if (auto t = ctx.topics->find(column, x)) {
          t->enqueue(sender, mid, msg, host);
          if (debug())
            published_to += " " + t->identifier();
        }
      };
      if (ctx.spec.event != event_kind::inserted)
        send_to({}, sent.key());
      for (auto& [index, column] : associations)
        send_to(column, sent.values[index].value);
    }
    ++published;
    if (debug())
      log(log_level::debug, who,
          "published " + sent.raw + " to " + who + published_to);
  }
};

caf::behavior watcher(caf::stateful_actor<watcher_state>* self,
                      watcher_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.who = watcher_name(st.ctx.spec);
  auto fail = [self](const caf::error& err) { self->quit(err); };
  self->request(st.ctx.worker, caf::infinite, install_atom::value, st.ctx.spec)
    .then(
      [self, fail](resolved_watcher& w) {
        self->state.on_installed(w);
        self
          ->request(self->state.ctx.listener, caf::infinite, listen_atom::value,
                    w.names.channel)
          .then(
            [self] {
              auto& state = self->state;
              if (log_enabled(log_level::info))
                log(log_level::info, state.who, "installed and listening");
              self->send(state.ctx.supervisor, started_atom::value,
                         static_cast<uint64_t>(state.ctx.index));
            },
            fail);
      },
      fail);
  return {
    [self](notification_batch& batch) {
      auto& state = self->state;
      for (auto& payload : batch.payloads) {
        ++state.received;
        if (state.debug())
          log(log_level::debug, state.who, "received " + payload);
        if (!state.decoder) { // cannot happen: LISTEN follows installation
          state.drop(payload, make_error(errc::malformed_payload, "not ready"));
          continue;
        }
        auto values = state.decoder->decode(payload);
        if (!values) {
          state.drop(payload, values.error());
          continue;
        }
        state.publish(self, change{state.who, state.ctx.spec.event,
                                   state.ctx.spec.schema, state.ctx.spec.table,
                                   std::move(*values), std::move(payload)});
      }
    },
  };
}

} // namespace

caf::actor spawn_watcher(caf::event_based_actor* parent, watcher_context ctx) {
  return parent->spawn<caf::linked>(watcher, std::move(ctx));
}

} // namespace libwatch
