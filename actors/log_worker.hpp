// The log worker: a detached actor with a connection of its own that serves
// the durable watchers' change-log reads, position updates and pruning
// (libwatch/pg/change_log.hpp). Kept apart from the catalog worker so that
// a trigger installation waiting on a table lock never delays delivery.
#pragma once

#include <cstdint>
#include <string>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/log_batch.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch {

/// Which entries of a durable watcher's change log to read next.
struct log_read_request {
  std::string consumer;
  std::string channel;
  /// Read after the consumer's stored position (a watcher that just
  /// started or rewound), or after `after`.
  bool from_stored = true;
  log_cursor after;
  uint32_t limit = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_read_request& x) {
  return f(caf::meta::type_name("libwatch::log_read_request"), x.consumer,
           x.channel, x.from_stored, x.after, x.limit);
}

/// Requests and replies:
/// - `(register_atom, consumer, channel)` -> `()`: the durable consumer
///   exists, with its starting snapshot.
/// - `(read_log_atom, log_read_request)` -> `log_batch`.
/// - `(advance_atom, consumer, channel, log_cursor)` -> `()`: the stored
///   position moved.
/// - `(prune_atom, channel, retention, limit)` -> `uint64_t`: entries
///   removed (delivered to every consumer, or older than `retention`).
using log_worker_actor = caf::typed_actor<
  caf::reacts_to<register_atom, std::string, std::string>,
  caf::replies_to<read_log_atom, log_read_request>::with<log_batch>,
  caf::reacts_to<advance_atom, std::string, std::string, log_cursor>,
  caf::replies_to<prune_atom, std::string, caf::timespan,
                  uint32_t>::with<uint64_t>>;

/// Spawns a log worker; connects lazily, reconnects on its next request
/// after a broken connection; `timeout` bounds each statement.
log_worker_actor spawn_log_worker(caf::actor_system& sys,
                                  pg::connect_options options,
                                  caf::timespan timeout);

} // namespace libwatch
