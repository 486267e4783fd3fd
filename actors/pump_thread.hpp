// What every pump has in common: one thread that owns one libpq connection
// (libpq connections are not thread-safe, so only this thread touches it),
// an eventfd that wakes it for new requests or for stopping, and the
// connect phase with its report to the listener. A pump serves one
// connection attempt; the listener creates a new one to reconnect.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <caf/error.hpp>
#include <caf/timestamp.hpp>

#include "actors/listener.hpp"
#include "actors/pump_handle.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch {

class pump_thread : public pump_handle {
public:
  /// Queues a route for the session to pick up. Thread-safe.
  void listen(std::string channel, listener_client_actor client) final;

protected:
  struct listen_request {
    std::string channel;
    listener_client_actor client;
  };

  pump_thread(pg::connect_options options, listener_actor listener,
              uint64_t generation);

  ~pump_thread() override;

  /// Starts the thread: it connects, reports `connected_atom` (or
  /// `lost_atom`) and runs `session`. Call at the end of the derived
  /// constructor, once everything `session` uses exists.
  void start();

  /// Wakes and joins the thread. Call first in the derived destructor.
  void stop();

  /// The connected phase: returns when `consume_wakeup` says stop, or
  /// after reporting the connection lost.
  virtual void session(pg::connection conn) = 0;

  int wake_fd() const noexcept {
    return wake_fd_;
  }

  /// Consumes a wake-up; returns whether the owner is going away.
  bool consume_wakeup();

  /// Makes the thread's poll on `wake_fd` return. Thread-safe.
  void wake();

  std::deque<listen_request> take_requests();

  const listener_actor& listener() const noexcept {
    return listener_;
  }

  uint64_t generation() const noexcept {
    return generation_;
  }

  /// A new connection like the first, for a session that must start over
  /// on a fresh one; `errc::stopped` when the owner stops meanwhile.
  caf::expected<pg::connection> reopen();

  /// Tells the listener this attempt is over; nothing may follow.
  void report_lost(caf::error err, caf::timestamp last_alive);

private:
  void run();

  pg::connect_options options_;
  listener_actor listener_;
  uint64_t generation_;
  int wake_fd_;
  std::mutex mtx_;
  std::deque<listen_request> requests_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace libwatch
