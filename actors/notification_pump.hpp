// The listener's I/O thread. It owns the LISTEN connection (libpq connections
// are not thread-safe, so only this thread touches it), sleeps in poll() on
// the connection's socket and an eventfd, and hands every drained burst of
// notifications to the watcher actors, one batch per watcher. Actor threads
// never block on libpq and nothing busy-polls.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <caf/actor.hpp>

namespace libwatch {

class notification_pump {
public:
  /// Starts the thread, which connects with `conninfo` and reports to
  /// `listener`: `(listened_atom, id, error)` per `listen` request and
  /// `(lost_atom, error)` when the connection fails or breaks.
  notification_pump(std::string conninfo, std::string application_name,
                    caf::actor listener);

  /// Stops and joins the thread; closes the connection.
  ~notification_pump();

  notification_pump(const notification_pump&) = delete;
  notification_pump& operator=(const notification_pump&) = delete;

  /// Queues `LISTEN channel`; afterwards notifications on `channel` go to
  /// `watcher`. Thread-safe.
  void listen(std::string channel, caf::actor watcher, uint64_t request_id);

private:
  struct listen_request {
    std::string channel;
    caf::actor watcher;
    uint64_t id;
  };

  void run();
  void wake();
  // Consumes a wake-up; returns whether the owner is going away.
  bool consume_wakeup();
  // Takes the queued requests.
  std::deque<listen_request> take_requests();

  std::string conninfo_;
  std::string application_name_;
  caf::actor listener_;
  int wake_fd_;
  std::mutex mtx_;
  std::deque<listen_request> requests_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace libwatch
