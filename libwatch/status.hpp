// What the supervisor reports on request (`status_atom`): the connection's
// state and, per watcher, its state, last error and counters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

namespace libwatch {

enum class watcher_state : uint8_t {
  /// Not yet ready for the first time.
  starting,
  /// Trigger in place, LISTEN confirmed: changes are delivered.
  live,
  /// Connection lost (or the actor crashed); changes may be missed.
  down,
  /// Stopped for good by an error that retrying cannot fix (e.g. a missing
  /// table); `last_error` says which.
  failed,
};

std::string to_string(watcher_state x);

struct watcher_status {
  std::string watcher;
  watcher_state state = watcher_state::starting;
  std::string last_error;
  uint64_t received = 0;
  uint64_t published = 0;
  /// Notifications dropped as malformed or forged.
  uint64_t dropped = 0;
  uint64_t restarts = 0;
  /// Changes sent to subscribers and not yet processed, over all of them.
  uint64_t queued = 0;
  /// The most changes one subscriber ever had waiting.
  uint64_t queue_high_water = 0;
  /// Changes not delivered to a subscriber because it had `max_queued`
  /// waiting (each told by an `overflow_msg`), and how many times a
  /// subscriber overflowed / was cut off.
  uint64_t overflow_dropped = 0;
  uint64_t overflows = 0;
  uint64_t cut_offs = 0;
  /// Durable watchers: changes read from the log and not yet acknowledged by
  /// every durable subscriber, and the age of the oldest of them (0: none).
  uint64_t durable_in_flight = 0;
  caf::timespan oldest_unacked_age{0};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watcher_status& x) {
  return f(caf::meta::type_name("libwatch::watcher_status"), x.watcher, x.state,
           x.last_error, x.received, x.published, x.dropped, x.restarts,
           x.queued, x.queue_high_water, x.overflow_dropped, x.overflows,
           x.cut_offs, x.durable_in_flight, x.oldest_unacked_age);
}

struct instance_status {
  /// `connecting`, `connected` or `waiting` (for the next reconnect).
  std::string connection;
  /// Successful reconnects since start.
  uint64_t reconnects = 0;
  /// Why the last connection attempt failed or the connection was lost.
  std::string last_connection_error;
  /// The same three for the replication connection of `source = "wal"`
  /// watchers; `replication` is empty when no watcher reads the WAL.
  std::string replication;
  uint64_t replication_reconnects = 0;
  std::string last_replication_error;
  std::vector<watcher_status> watchers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_status& x) {
  return f(caf::meta::type_name("libwatch::instance_status"), x.connection,
           x.reconnects, x.last_connection_error, x.replication,
           x.replication_reconnects, x.last_replication_error, x.watchers);
}

} // namespace libwatch
