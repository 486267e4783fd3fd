#include "actors/database_worker.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "libwatch/atoms.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch {

namespace {

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
    return &*conn;
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
      auto conn = self->state.connection();
      if (!conn)
        return conn.error();
      auto res = pg::install(**conn, spec, self->state.timeout);
      if (!res)
        return res.error();
      return std::move(*res);
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
