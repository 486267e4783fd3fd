#include "actors/log_worker.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/worker_connection.hpp"
#include "libwatch/pg/change_log.hpp"

namespace libwatch {

namespace {

struct log_worker_state {
  worker_connection db;
  static inline const char* name = "libwatch.log_worker";
};

log_worker_actor::behavior_type
log_worker(log_worker_actor::stateful_pointer<log_worker_state> self,
           pg::connect_options options, caf::timespan timeout) {
  self->state.db = worker_connection{std::move(options), timeout};
  return {
    [self](register_atom, const std::string& consumer,
           const std::string& channel) -> caf::result<void> {
      return self->state.db.run([&](pg::connection& conn) {
        return pg::register_consumer(conn, consumer, channel);
      });
    },
    [self](read_log_atom,
           const log_read_request& req) -> caf::result<log_batch> {
      return self->state.db.run([&](pg::connection& conn) {
        auto after = req.from_stored ? std::nullopt
                                     : std::optional<log_cursor>{req.after};
        return pg::read_log(conn, req.consumer, req.channel, after, req.limit);
      });
    },
    [self](advance_atom, const std::string& consumer,
           const std::string& channel,
           const log_cursor& at) -> caf::result<void> {
      return self->state.db.run([&](pg::connection& conn) {
        return pg::advance_log(conn, consumer, channel, at);
      });
    },
    [self](prune_atom, const std::string& channel, caf::timespan retention,
           uint32_t limit) -> caf::result<uint64_t> {
      return self->state.db.run([&](pg::connection& conn) {
        return pg::prune_log(conn, channel, retention, limit);
      });
    },
  };
}

} // namespace

log_worker_actor spawn_log_worker(caf::actor_system& sys,
                                  pg::connect_options options,
                                  caf::timespan timeout) {
  return sys.spawn<caf::detached>(log_worker, std::move(options), timeout);
}

} // namespace libwatch
