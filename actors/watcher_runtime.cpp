#include "actors/watcher_runtime.hpp"

namespace libwatch {

// -- status_board -------------------------------------------------------------

void status_board::set(watcher_state state, caf::message greeting,
                       std::string error, const std::function<void()>& tell) {
  std::lock_guard<std::mutex> guard{mtx_};
  state_ = state;
  greeting_ = std::move(greeting);
  if (!error.empty())
    last_error_ = std::move(error);
  if (tell)
    tell();
}

void status_board::greet(
  const std::function<void(const caf::message&)>& join) const {
  std::lock_guard<std::mutex> guard{mtx_};
  join(greeting_);
}

caf::message status_board::greeting() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return greeting_;
}

watcher_state status_board::state() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return state_;
}

std::string status_board::last_error() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return last_error_;
}

// -- watcher_runtime ----------------------------------------------------------

watcher_runtime::watcher_runtime(std::shared_ptr<topic_module> module,
                                 std::string watcher_name,
                                 subscriber_policy policy, bool durable)
    : name(watcher_name), board(std::make_shared<status_board>()),
      flow(std::make_shared<delivery_flow>(watcher_name, policy, durable)),
      topics(std::move(module), std::move(watcher_name), board, flow) {
  // nop
}

watcher_status watcher_runtime::snapshot() const {
  watcher_status result;
  result.watcher = name;
  result.state = board->state();
  result.last_error = board->last_error();
  result.received = received.load();
  result.published = published.load();
  result.dropped = dropped.load();
  result.restarts = restarts.load();
  flow->fill(result);
  return result;
}

void watcher_runtime::set_resolved(const resolved_watcher& w) {
  std::lock_guard<std::mutex> guard{resolved_mtx_};
  resolved_ = w;
}

std::optional<resolved_watcher> watcher_runtime::resolved() const {
  std::lock_guard<std::mutex> guard{resolved_mtx_};
  return resolved_;
}

// -- connection_board ---------------------------------------------------------

void connection_board::set(std::string phase, std::string error) {
  std::lock_guard<std::mutex> guard{mtx_};
  phase_ = std::move(phase);
  if (!error.empty())
    last_error_ = std::move(error);
}

void connection_board::count_reconnect() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++reconnects_;
}

void connection_board::fill(instance_status& out, bool replication) const {
  std::lock_guard<std::mutex> guard{mtx_};
  (replication ? out.replication : out.connection) = phase_;
  (replication ? out.replication_reconnects : out.reconnects) = reconnects_;
  (replication ? out.last_replication_error : out.last_connection_error)
    = last_error_;
}

} // namespace libwatch
