#include "actors/notification_pump.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/send.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/pg/node_lock.hpp"

namespace libwatch {

namespace {

using clock = std::chrono::steady_clock;

// One route per channel; `pending` collects the current burst.
struct route {
  listener_client_actor watcher;
  notification_batch pending;
};

std::string seconds_text(caf::timespan x) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(x).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100)
         + " s";
}

} // namespace

pump_factory make_pump_factory(pg::connect_options options,
                               liveness_policy liveness) {
  return [options, liveness](listener_actor listener, uint64_t generation) {
    return std::unique_ptr<pump_handle>{new notification_pump(
      options, liveness, std::move(listener), generation)};
  };
}

// The connected phase of one pump: the statement in flight, its deadline, the
// routes and the liveness clock.
class notification_pump::session_state {
public:
  session_state(notification_pump& owner, pg::connection conn)
      : owner_(owner), conn_(std::move(conn)), last_traffic_(clock::now()) {
    conn_.set_nonblocking();
  }

  // Runs until the owner stops us (returns) or the connection fails
  // (reports lost, returns).
  void run() {
    // Requests queued while connecting had their wake-ups consumed then.
    for (auto& req : owner_.take_requests())
      queue_.push_back(std::move(req));
    for (;;) {
      if (!start_next_statement())
        return;
      pollfd fds[2]
        = {{owner_.wake_fd(), POLLIN, 0}, {conn_.socket(), POLLIN, 0}};
      if (flush_pending_)
        fds[1].events |= POLLOUT;
      if (poll(fds, 2, poll_timeout_ms()) < 0 && errno != EINTR)
        return lost("poll failed");
      if (fds[0].revents & POLLIN) {
        if (owner_.consume_wakeup())
          return;
        for (auto& req : owner_.take_requests())
          queue_.push_back(std::move(req));
      }
      if (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) {
        if (!conn_.consume_input())
          return lost("the LISTEN connection broke");
        if (!collect_results())
          return;
        drain();
      }
      if (flush_pending_ && (fds[1].revents & POLLOUT))
        if (!flush())
          return;
      if (in_flight_ != statement::none && clock::now() >= deadline_)
        return lost("the server did not answer within "
                    + seconds_text(owner_.liveness_.timeout));
    }
  }

private:
  enum class statement { none, listen, ping };

  int poll_timeout_ms() const {
    auto until = in_flight_ != statement::none
                   ? deadline_
                   : last_traffic_ + owner_.liveness_.interval;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  until - clock::now())
                  .count();
    return static_cast<int>(std::clamp<int64_t>(left + 1, 0, 3600 * 1000));
  }

  // Sends the next LISTEN or, when idle long enough, a ping.
  bool start_next_statement() {
    if (in_flight_ != statement::none)
      return true;
    std::string sql;
    if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      // The shared lock tells other nodes this watcher is in use, so their
      // orphan cleanup leaves its trigger alone (libwatch/pg/node_lock.hpp).
      // It is taken with the LISTEN, before the watcher installs, and again
      // on every new connection.
      sql = "LISTEN " + quote_identifier(current_.channel) + "; "
            + pg::hold_node_lock_statement(current_.channel);
      in_flight_ = statement::listen;
    } else if (clock::now() >= last_traffic_ + owner_.liveness_.interval) {
      sql = "SELECT 1";
      in_flight_ = statement::ping;
    } else {
      return true;
    }
    deadline_ = clock::now() + owner_.liveness_.timeout;
    if (!conn_.send(sql)) {
      lost("sending to the server failed");
      return false;
    }
    flush_pending_ = true;
    return flush();
  }

  bool flush() {
    auto state = conn_.flush();
    if (state == pg::connection::flush_state::failed) {
      lost("sending to the server failed");
      return false;
    }
    flush_pending_ = state == pg::connection::flush_state::pending;
    return true;
  }

  // Reads the results of the statement in flight, if complete.
  bool collect_results() {
    if (in_flight_ != statement::none) {
      auto context = in_flight_ == statement::listen
                       ? "LISTEN on " + current_.channel + " failed"
                       : std::string{"liveness check failed"};
      if (auto outcome = conn_.take_result(context))
        finish_statement(std::move(*outcome));
    }
    if (!conn_.ok()) {
      lost("the LISTEN connection broke");
      return false;
    }
    return true;
  }

  void finish_statement(caf::expected<pg::result> outcome) {
    alive();
    auto kind = in_flight_;
    in_flight_ = statement::none;
    if (kind != statement::listen)
      return;
    caf::error err;
    if (outcome)
      routes_[current_.channel].watcher = current_.client;
    else
      err = make_error(errc::query_failed, describe(outcome.error()));
    caf::anon_send(owner_.listener(), listened_atom::value, owner_.generation(),
                   current_.channel, std::move(err));
  }

  // Moves every buffered notification into per-watcher batches and sends
  // each non-empty batch; a burst of N rows costs one message per watcher.
  void drain() {
    bool any = false;
    conn_.drain_notifications([this, &any](const pg::notification& note) {
      any = true;
      // Reused key: no allocation per notification once warm.
      channel_key_.assign(note.channel);
      auto i = routes_.find(channel_key_);
      if (i == routes_.end())
        return;
      if (i->second.pending.empty())
        touched_.push_back(&i->second);
      i->second.pending.add(note.payload);
    });
    for (auto* r : touched_) {
      caf::anon_send(r->watcher, std::move(r->pending));
      r->pending = notification_batch{};
    }
    touched_.clear();
    if (any)
      alive();
  }

  void alive() {
    last_traffic_ = clock::now();
    last_alive_ = caf::make_timestamp();
  }

  void lost(std::string what) {
    auto detail = conn_.error_message();
    if (!detail.empty())
      what += ": " + detail;
    owner_.report_lost(make_error(errc::connection_failed, std::move(what)),
                       last_alive_);
  }

  notification_pump& owner_;
  pg::connection conn_;
  std::deque<listen_request> queue_;
  std::unordered_map<std::string, route> routes_;
  std::string channel_key_;
  std::vector<route*> touched_;
  statement in_flight_ = statement::none;
  listen_request current_;
  clock::time_point deadline_;
  clock::time_point last_traffic_;
  caf::timestamp last_alive_ = caf::make_timestamp();
  bool flush_pending_ = false;
};

notification_pump::notification_pump(pg::connect_options options,
                                     liveness_policy liveness,
                                     listener_actor listener,
                                     uint64_t generation)
    : pump_thread(std::move(options), std::move(listener), generation),
      liveness_(liveness) {
  start();
}

notification_pump::~notification_pump() {
  stop();
}

void notification_pump::session(pg::connection conn) {
  session_state{*this, std::move(conn)}.run();
}

} // namespace libwatch
