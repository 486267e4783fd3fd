#include "actors/pump_thread.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <caf/send.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

pump_handle::~pump_handle() {
  // nop
}

pump_thread::pump_thread(pg::connect_options options, listener_actor listener,
                         uint64_t generation)
    : options_(std::move(options)), listener_(std::move(listener)),
      generation_(generation),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
}

pump_thread::~pump_thread() {
  // Derived destructors stop the thread first; this covers a derived
  // constructor that threw after start().
  stop();
  close(wake_fd_);
}

void pump_thread::start() {
  thread_ = std::thread{[this] { run(); }};
}

void pump_thread::stop() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake();
  thread_.join();
}

void pump_thread::listen(std::string channel, listener_client_actor client) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    requests_.push_back({std::move(channel), std::move(client)});
  }
  wake();
}

void pump_thread::wake() {
  uint64_t one = 1;
  // A full counter (EAGAIN) still leaves the fd readable: nothing is lost.
  [[maybe_unused]] auto res = write(wake_fd_, &one, sizeof(one));
}

bool pump_thread::consume_wakeup() {
  uint64_t count;
  [[maybe_unused]] auto res = read(wake_fd_, &count, sizeof(count));
  std::lock_guard<std::mutex> guard{mtx_};
  return stopping_;
}

std::deque<pump_thread::listen_request> pump_thread::take_requests() {
  std::lock_guard<std::mutex> guard{mtx_};
  std::deque<listen_request> result;
  result.swap(requests_);
  return result;
}

caf::expected<pg::connection> pump_thread::reopen() {
  return pg::connection::open_interruptible(
    options_, wake_fd_, [this] { return consume_wakeup(); });
}

void pump_thread::report_lost(caf::error err, caf::timestamp last_alive) {
  caf::anon_send(listener_, lost_atom::value, generation_, std::move(err),
                 last_alive);
}

void pump_thread::run() {
  auto started = caf::make_timestamp();
  auto conn = pg::connection::open_interruptible(
    options_, wake_fd_, [this] { return consume_wakeup(); });
  if (!conn) {
    if (is(conn.error(), errc::stopped))
      return;
    report_lost(conn.error(), started);
    // Nothing else to do: wait until the owner stops us.
    for (bool stop = false; !stop;) {
      pollfd fd{wake_fd_, POLLIN, 0};
      poll(&fd, 1, -1);
      stop = consume_wakeup();
    }
    return;
  }
  caf::anon_send(listener_, connected_atom::value, generation_);
  // Returns when stopped or after reporting a loss; the listener then
  // destroys this pump, which joins the finished thread.
  session(std::move(*conn));
}

} // namespace libwatch
