#include "actors/ack_tracker.hpp"

#include <algorithm>

namespace libwatch {

namespace {

stream_position next_after(stream_position p) {
  return {p.batch, p.entry + 1};
}

} // namespace

void ack_tracker::restart(std::optional<log_cursor> from) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++epoch_;
  ledger_.clear();
  ledger_entries_ = 0;
  safe_ = from;
  moved_ = false;
  rewind_bound_.reset();
  for (auto& kvp : slots_)
    kvp.second.outstanding.clear();
}

uint64_t ack_tracker::epoch() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return epoch_;
}

void ack_tracker::published(stream_position p, caf::timestamp at) {
  std::lock_guard<std::mutex> guard{mtx_};
  ledger_.push_back(ledger_item{p, false, at});
  ++ledger_entries_;
}

void ack_tracker::batch_finished(int64_t batch) {
  std::lock_guard<std::mutex> guard{mtx_};
  ledger_.push_back(ledger_item{{batch, 0}, true, {}});
}

ack_tracker::slot_id ack_tracker::join(const caf::actor_control_block* who,
                                       bool manual) {
  std::function<void()> wakeup;
  slot_id id;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    id = ++next_slot_;
    slots_[id] = slot{who, manual, {}};
    wakeup = take_wakeup();
  }
  if (wakeup)
    wakeup();
  return id;
}

void ack_tracker::leave(slot_id id) {
  std::function<void()> wakeup;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = slots_.find(id);
    if (i == slots_.end())
      return;
    auto& outstanding = i->second.outstanding;
    if (!outstanding.empty()) {
      auto first = outstanding.front().first;
      if (!rewind_bound_ || first < *rewind_bound_)
        rewind_bound_ = first;
    }
    slots_.erase(i);
    wakeup = take_wakeup();
  }
  if (wakeup)
    wakeup();
}

void ack_tracker::sent(slot_id id, position_range r, uint64_t epoch) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (epoch != epoch_)
    return;
  if (auto i = slots_.find(id); i != slots_.end())
    i->second.outstanding.push_back(r);
}

void ack_tracker::processed(slot_id id, position_range r, uint64_t epoch) {
  std::function<void()> wakeup;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (epoch != epoch_)
      return;
    auto i = slots_.find(id);
    if (i == slots_.end() || i->second.manual)
      return;
    auto& outstanding = i->second.outstanding;
    // Usually the front: mailboxes are processed in order.
    auto j = std::find_if(
      outstanding.begin(), outstanding.end(),
      [&](const position_range& x) { return x.first == r.first; });
    if (j == outstanding.end())
      return;
    outstanding.erase(j);
    wakeup = take_wakeup();
  }
  if (wakeup)
    wakeup();
}

bool ack_tracker::ack(const caf::actor_control_block* who,
                      stream_position upto) {
  std::function<void()> wakeup;
  bool found = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& kvp : slots_) {
      auto& s = kvp.second;
      if (s.who != who || !s.manual)
        continue;
      found = true;
      auto& outstanding = s.outstanding;
      while (!outstanding.empty() && !(upto < outstanding.front().last))
        outstanding.pop_front();
      // A batch acknowledged up to a change inside it.
      if (!outstanding.empty() && !(upto < outstanding.front().first))
        outstanding.front().first = next_after(upto);
    }
    if (found)
      wakeup = take_wakeup();
  }
  if (wakeup)
    wakeup();
  return found;
}

ack_tracker::settlement ack_tracker::settle() {
  std::lock_guard<std::mutex> guard{mtx_};
  // Every position below `bound` has been processed by every durable
  // subscriber that received it.
  auto bound = rewind_bound_;
  for (auto& kvp : slots_) {
    auto& outstanding = kvp.second.outstanding;
    if (!outstanding.empty() && (!bound || outstanding.front().first < *bound))
      bound = outstanding.front().first;
  }
  while (!ledger_.empty()) {
    auto& item = ledger_.front();
    auto done = item.batch_end ? !bound || bound->batch > item.position.batch
                               : !bound || item.position < *bound;
    if (!done)
      break;
    if (item.batch_end) {
      safe_ = log_cursor{item.position.batch, 0};
    } else {
      safe_ = log_cursor{item.position.batch - 1, item.position.entry};
      --ledger_entries_;
    }
    moved_ = true;
    ledger_.pop_front();
  }
  settlement result;
  if (moved_)
    result.stored = safe_;
  moved_ = false;
  if (rewind_bound_) {
    result.rewind = true;
    result.read_from = safe_;
    ++epoch_;
    ledger_.clear();
    ledger_entries_ = 0;
    rewind_bound_.reset();
    for (auto& kvp : slots_)
      kvp.second.outstanding.clear();
  }
  result.in_flight = ledger_entries_;
  for (auto& item : ledger_) {
    if (!item.batch_end) {
      result.oldest = item.at;
      break;
    }
  }
  return result;
}

size_t ack_tracker::in_flight() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ledger_entries_;
}

void ack_tracker::notify_once(std::function<void()> f) {
  std::lock_guard<std::mutex> guard{mtx_};
  wakeup_ = std::move(f);
}

std::function<void()> ack_tracker::take_wakeup() {
  std::function<void()> result;
  result.swap(wakeup_);
  return result;
}

} // namespace libwatch
