// The listener's I/O thread. It owns one LISTEN connection (libpq connections
// are not thread-safe, so only this thread touches it), sleeps in poll() on
// the connection's socket and an eventfd, and hands every drained burst of
// notifications to the watcher actors, one batch per watcher. Actor threads
// never block on libpq and nothing busy-polls.
//
// Every statement is sent asynchronously with a deadline, and after
// `liveness.interval` without traffic a `SELECT 1` must come back within
// `liveness.timeout`: a connection whose peer vanished without FIN/RST is
// reported lost instead of hanging. One pump serves one connection attempt;
// the listener creates a new pump (with a new generation) to reconnect.
//
// Reports to the listener, each tagged with the pump's generation:
//   (connected_atom, gen)
//   (listened_atom, gen, channel, error)   LISTEN done (error empty on success)
//   (lost_atom, gen, error, last_alive)    connect failed or connection lost;
//                                          nothing follows
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "actors/listener.hpp"
#include "actors/pump_thread.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

/// Returns a factory of real pumps connecting with `options`.
pump_factory make_pump_factory(pg::connect_options options,
                               liveness_policy liveness);

class notification_pump final : public pump_thread {
public:
  /// Starts the thread, which connects and reports to `listener`.
  notification_pump(pg::connect_options options, liveness_policy liveness,
                    listener_actor listener, uint64_t generation);

  /// Stops and joins the thread (it wakes at once); closes the connection.
  ~notification_pump() override;

private:
  class session_state;

  void session(pg::connection conn) override;

  liveness_policy liveness_;
};

} // namespace libwatch
