#include "actors/wal_feedback.hpp"

#include <algorithm>

namespace libwatch {

void wal_feedback::processed_through(int64_t commit) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (commit <= processed_)
    return;
  processed_ = commit;
  // Wake the stream only when this frees the oldest transaction it holds
  // the slot for: acknowledgements come per change.
  if (wake_ && !unprocessed_.empty()
      && static_cast<int64_t>(unprocessed_.front().commit.value) <= commit)
    wake_();
}

void wal_feedback::hold() {
  std::lock_guard<std::mutex> guard{mtx_};
  // The transaction of the first dropped change is recorded already (it was
  // handed on before the watcher saw it): it holds the slot back, and later
  // transactions need no record until the replay.
  holding_ = true;
}

void wal_feedback::replay(stream_position from) {
  std::lock_guard<std::mutex> guard{mtx_};
  holding_ = false;
  // The watcher's latest request says everything: it covers any earlier one
  // not yet announced, and an announced one is being received.
  replay_ = from;
  replay_fresh_ = true;
  if (wake_)
    wake_();
}

stream_position wal_feedback::unprocessed_start() {
  std::lock_guard<std::mutex> guard{mtx_};
  return {processed_ + 1, 0};
}

void wal_feedback::attach(std::function<void()> wake) {
  std::lock_guard<std::mutex> guard{mtx_};
  wake_ = std::move(wake);
}

void wal_feedback::handed(wal::lsn commit, wal::lsn begins_after) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (holding_ || static_cast<int64_t>(commit.value) <= processed_)
    return;
  // A replay hands on again what may be recorded already; records stay in
  // commit order, and an earlier one holds the slot back for later ones.
  if (!unprocessed_.empty() && !(unprocessed_.back().commit < commit))
    return;
  unprocessed_.push_back({commit, begins_after});
}

std::optional<wal::lsn> wal_feedback::confirmable() {
  std::lock_guard<std::mutex> guard{mtx_};
  prune();
  if (unprocessed_.empty())
    return std::nullopt;
  return unprocessed_.front().begins_after;
}

std::optional<stream_position> wal_feedback::replay_wanted(bool& fresh) {
  std::lock_guard<std::mutex> guard{mtx_};
  fresh = replay_fresh_;
  replay_fresh_ = false;
  return replay_;
}

void wal_feedback::replayed() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!replay_fresh_)
    replay_.reset();
}

void wal_feedback::release() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!unprocessed_.empty())
    processed_ = std::max(
      processed_, static_cast<int64_t>(unprocessed_.back().commit.value));
  unprocessed_.clear();
  holding_ = false;
  replay_.reset();
  replay_fresh_ = false;
}

void wal_feedback::prune() {
  while (!unprocessed_.empty()
         && static_cast<int64_t>(unprocessed_.front().commit.value)
              <= processed_)
    unprocessed_.pop_front();
}

} // namespace libwatch
