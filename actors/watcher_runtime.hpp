// What outlives a watcher actor: its topics, its state as new subscribers see
// it, and its counters. Shared by the instance handle, the supervisor (which
// restarts watcher actors) and the current watcher actor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/message.hpp>

#include "actors/delivery_flow.hpp"
#include "actors/topic.hpp"
#include "actors/wal_feedback.hpp"
#include "libwatch/status.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch {

/// A watcher's current state and the message that describes it to a new
/// subscriber (`ready_msg` when live, `disconnected_msg` when down, nothing
/// while starting). Thread-safe.
class status_board {
public:
  /// Sets the state and greeting, then runs `tell` (which signals the
  /// current subscribers) before anyone can be greeted anew: a subscriber
  /// joining meanwhile gets the old greeting and the signal, or the new
  /// greeting alone, never the news twice.
  void set(watcher_state state, caf::message greeting, std::string error = {},
           const std::function<void()>& tell = {});

  /// Runs `join` with the current greeting under the board's lock (see set).
  void greet(const std::function<void(const caf::message&)>& join) const;

  caf::message greeting() const;
  watcher_state state() const;
  std::string last_error() const;

private:
  mutable std::mutex mtx_;
  watcher_state state_ = watcher_state::starting;
  caf::message greeting_;
  std::string last_error_;
};

struct watcher_runtime {
  watcher_runtime(std::shared_ptr<topic_module> module, std::string name,
                  subscriber_policy policy = {}, bool durable = false);

  std::string name;
  std::shared_ptr<status_board> board;
  /// Bounds, counters and (durable) acknowledgements of every topic.
  std::shared_ptr<delivery_flow> flow;
  topic_table topics;
  /// Durable WAL watchers: what they and the replication stream tell each
  /// other (null for other watchers).
  std::shared_ptr<wal_feedback> wal;
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> restarts{0};

  watcher_status snapshot() const;

  /// Remembers what the last successful installation resolved.
  void set_resolved(const resolved_watcher& w);
  /// What the last successful installation resolved, if any yet.
  std::optional<resolved_watcher> resolved() const;

private:
  mutable std::mutex resolved_mtx_;
  std::optional<resolved_watcher> resolved_;
};

/// The listener's connection state, for status replies. Thread-safe.
class connection_board {
public:
  void set(std::string phase, std::string error = {});
  void count_reconnect();
  /// Writes the phase, reconnects and last error to `out`'s connection
  /// fields, or with `replication` to its replication fields.
  void fill(instance_status& out, bool replication = false) const;

private:
  mutable std::mutex mtx_;
  std::string phase_ = "connecting";
  std::string last_error_;
  uint64_t reconnects_ = 0;
};

} // namespace libwatch
