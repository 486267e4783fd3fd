#include "actors/database_worker.hpp"

#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "libwatch/atoms.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/change_log.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/node_lock.hpp"

namespace libwatch {

namespace {

std::string describe_object(const pg::owned_object& x) {
  auto owner = x.watcher.empty() ? "" : " (watcher " + x.watcher + ")";
  if (x.kind == pg::object_kind::trigger)
    return "trigger " + quote_identifier(x.name) + " on "
           + quote_identifier(x.schema) + "." + quote_identifier(x.table)
           + owner;
  return "function " + quote_identifier(x.schema) + "."
         + quote_identifier(x.name) + "()" + owner;
}

struct worker_state {
  pg::connect_options options;
  caf::timespan timeout{0};
  std::optional<pg::connection> conn;
  static inline const char* name = "libwatch.database_worker";

  caf::expected<pg::connection*> connection() {
    if (conn && conn->ok())
      return &*conn;
    conn.reset();
    auto fresh = pg::connection::open(options);
    if (!fresh)
      return fresh.error();
    conn.emplace(std::move(*fresh));
    // Every statement of the worker, whoever issues it, is bounded.
    conn->set_default_timeout(timeout);
    return &*conn;
  }

  static caf::result<void> reply(caf::error err) {
    if (err)
      return err;
    return caf::unit;
  }

  template <class T>
  static caf::result<T> reply(caf::expected<T> x) {
    if (!x)
      return x.error();
    return std::move(*x);
  }

  // Runs `work` on the connection (opened if needed); its caf::error or
  // caf::expected<T> becomes the handler's reply.
  template <class F>
  auto on_connection(F work)
    -> decltype(reply(work(std::declval<pg::connection&>()))) {
    auto open = connection();
    if (!open)
      return open.error();
    return reply(work(**open));
  }
};

caf::behavior database_worker(caf::stateful_actor<worker_state>* self,
                              pg::connect_options options,
                              caf::timespan timeout) {
  self->state.options = std::move(options);
  self->state.timeout = timeout;
  return {
    [=](install_atom,
        const watcher_spec& spec) -> caf::result<resolved_watcher> {
      return self->state.on_connection([&](pg::connection& conn) {
        return pg::install(conn, spec, self->state.timeout);
      });
    },
    [=](orphans_atom, const std::vector<watcher_spec>& specs,
        bool drop) -> caf::result<std::vector<std::string>> {
      auto conn = self->state.connection();
      if (!conn)
        return conn.error();
      auto objects = pg::list_libwatch_objects(**conn);
      if (!objects)
        return objects.error();
      std::vector<resolved_watcher> configured;
      for (auto& spec : specs) {
        resolved_watcher w;
        w.spec = spec;
        w.names = derive_names(spec);
        configured.push_back(std::move(w));
      }
      auto found = pg::orphans(*objects, configured);
      std::vector<pg::owned_object> in_use;
      if (drop) {
        auto left = pg::drop_objects(**conn, found, self->state.timeout);
        if (!left)
          return left.error();
        in_use = std::move(*left);
      } else {
        for (auto& x : found) {
          auto busy = pg::held_by_other_node(**conn, "checking node locks",
                                             pg::channel_of(x));
          if (!busy)
            return busy.error();
          if (*busy)
            in_use.push_back(x);
        }
      }
      auto is_in_use = [&](const pg::owned_object& x) {
        for (auto& y : in_use)
          if (y.kind == x.kind && y.schema == x.schema && y.table == x.table
              && y.name == x.name)
            return true;
        return false;
      };
      std::vector<std::string> lines;
      for (auto& x : found)
        lines.push_back((is_in_use(x) ? in_use_prefix : "")
                        + describe_object(x));
      return lines;
    },
    [=](register_atom, const std::string& consumer,
        const std::string& channel) -> caf::result<void> {
      return self->state.on_connection([&](pg::connection& conn) {
        return pg::register_consumer(conn, consumer, channel);
      });
    },
    [=](read_log_atom, const std::string& consumer, const std::string& channel,
        bool from_stored, const log_cursor& from,
        uint32_t limit) -> caf::result<log_batch> {
      return self->state.on_connection([&](pg::connection& conn) {
        return pg::read_log(
          conn, consumer, channel,
          from_stored ? std::nullopt : std::optional<log_cursor>{from}, limit);
      });
    },
    [=](advance_atom, const std::string& consumer, const std::string& channel,
        const log_cursor& at) -> caf::result<void> {
      return self->state.on_connection([&](pg::connection& conn) {
        return pg::advance_log(conn, consumer, channel, at);
      });
    },
    [=](prune_atom, const std::string& channel, caf::timespan retention,
        uint32_t limit) -> caf::result<uint64_t> {
      return self->state.on_connection([&](pg::connection& conn) {
        return pg::prune_log(conn, channel, retention, limit);
      });
    },
    [=](fetch_atom, const std::string& sql,
        const std::string& key) -> caf::result<std::string> {
      auto conn = self->state.connection();
      if (!conn)
        return conn.error();
      auto res = (*conn)->exec("reading a row too large to notify", sql, {key},
                               self->state.timeout);
      if (!res)
        return res.error();
      if (res->rows() == 0 || res->is_null(0, 0))
        return std::string{};
      return std::string{res->get(0, 0)};
    },
  };
}

} // namespace

caf::actor spawn_database_worker(caf::actor_system& sys,
                                 pg::connect_options options,
                                 caf::timespan timeout) {
  return sys.spawn<caf::detached>(database_worker, std::move(options), timeout);
}

} // namespace libwatch
