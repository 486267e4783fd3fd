#include "actors/notification_pump.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include <caf/send.hpp>

#include "libwatch/atoms.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch {

namespace {

struct notify_deleter {
  void operator()(PGnotify* ptr) const noexcept {
    PQfreemem(ptr);
  }
};

using notify_ptr = std::unique_ptr<PGnotify, notify_deleter>;

// One route per channel; `pending` collects the current burst.
struct route {
  caf::actor watcher;
  notification_batch pending;
};

using route_map = std::unordered_map<std::string, route>;

// Moves every notification libpq has buffered into per-watcher batches and
// sends each non-empty batch. Unknown channels cannot occur: we only LISTEN
// on routed ones.
void drain(PGconn* conn, route_map& routes, std::vector<route*>& touched) {
  while (auto raw = notify_ptr{PQnotifies(conn)}) {
    auto i = routes.find(raw->relname);
    if (i == routes.end())
      continue;
    if (i->second.pending.payloads.empty())
      touched.push_back(&i->second);
    i->second.pending.payloads.emplace_back(raw->extra);
  }
  for (auto* r : touched) {
    caf::anon_send(r->watcher, std::move(r->pending));
    r->pending.payloads.clear();
  }
  touched.clear();
}

} // namespace

notification_pump::notification_pump(std::string conninfo,
                                     std::string application_name,
                                     caf::actor listener)
    : conninfo_(std::move(conninfo)),
      application_name_(std::move(application_name)),
      listener_(std::move(listener)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread{[this] { run(); }};
}

notification_pump::~notification_pump() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake();
  thread_.join();
  close(wake_fd_);
}

void notification_pump::listen(std::string channel, caf::actor watcher,
                               uint64_t request_id) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    requests_.push_back({std::move(channel), std::move(watcher), request_id});
  }
  wake();
}

void notification_pump::wake() {
  uint64_t one = 1;
  // A full counter (EAGAIN) still leaves the fd readable: nothing is lost.
  [[maybe_unused]] auto res = write(wake_fd_, &one, sizeof(one));
}

bool notification_pump::consume_wakeup() {
  uint64_t count;
  [[maybe_unused]] auto res = read(wake_fd_, &count, sizeof(count));
  std::lock_guard<std::mutex> guard{mtx_};
  return stopping_;
}

std::deque<notification_pump::listen_request>
notification_pump::take_requests() {
  std::lock_guard<std::mutex> guard{mtx_};
  std::deque<listen_request> result;
  result.swap(requests_);
  return result;
}

void notification_pump::run() {
  auto conn
    = pg::connection::open_interruptible(conninfo_, application_name_, wake_fd_,
                                         [this] { return consume_wakeup(); });
  if (!conn) {
    if (is(conn.error(), errc::stopped))
      return;
    caf::anon_send(listener_, lost_atom::value, conn.error());
    // Wait for the owner to stop us; the listener fails pending requests
    // when it handles lost_atom.
    for (bool stop = false; !stop;) {
      pollfd fd{wake_fd_, POLLIN, 0};
      poll(&fd, 1, -1);
      stop = consume_wakeup();
    }
    return;
  }
  route_map routes;
  std::vector<route*> touched;
  auto fail = [&](std::string what) {
    caf::anon_send(listener_, lost_atom::value,
                   make_error(errc::connection_failed,
                              what + ": " + pg::last_error(conn->native())));
  };
  bool broken = false;
  bool first_round = true;
  for (;;) {
    // Requests that arrived while connecting are queued already and their
    // wake-ups consumed: the first round must not wait.
    bool first = first_round;
    first_round = false;
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, POLLIN, 0}};
    fds[1].fd = broken ? -1 : conn->socket();
    if (poll(fds, 2, first ? 0 : -1) < 0 && errno != EINTR) {
      fail("poll failed");
      broken = true;
    }
    if (first || (fds[0].revents & POLLIN)) {
      bool stop = !first && consume_wakeup();
      for (auto& req : take_requests()) {
        caf::error err;
        if (broken) {
          err = make_error(errc::connection_failed,
                           "the LISTEN connection is broken");
        } else {
          auto sql = "LISTEN " + quote_identifier(req.channel);
          auto res = conn->exec("listening on channel " + req.channel, sql);
          if (res) {
            routes[req.channel].watcher = req.watcher;
          } else {
            err = res.error();
            if (!conn->ok()) {
              fail("the LISTEN connection broke");
              broken = true;
            }
          }
        }
        caf::anon_send(listener_, listened_atom::value, req.id, err);
      }
      if (stop)
        return;
      // Executing LISTEN may have buffered notifications; poll() would not
      // report them because they are no longer on the socket.
      if (!broken)
        drain(conn->native(), routes, touched);
    }
    if (!broken && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
      if (PQconsumeInput(conn->native()) == 0) {
        fail("the LISTEN connection broke");
        broken = true;
        continue;
      }
      drain(conn->native(), routes, touched);
    }
  }
}

} // namespace libwatch
