// The hop from the listener to one watcher: every payload for that watcher
// drained from the connection in one go, in arrival (= commit) order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "libwatch/change.hpp"

namespace libwatch {

/// Payloads for one watcher, oldest first, stored back to back in one
/// buffer: a burst of N notifications costs one actor message and two
/// allocations instead of N of each, and the buffer is freed in one piece by
/// the receiving thread.
struct notification_batch {
  std::string data;
  /// End offset in `data` of each payload.
  std::vector<uint32_t> ends;
  /// From the WAL source: each payload's place in the stream (commit LSN,
  /// row in its transaction). Empty for the trigger source.
  std::vector<stream_position> positions;
  /// From the WAL source: the commit LSN of the last transaction whose rows
  /// for this watcher are all in this batch or earlier ones (0: none yet).
  int64_t complete_through = 0;

  size_t size() const noexcept {
    return ends.size();
  }

  bool empty() const noexcept {
    return ends.empty();
  }

  std::string_view operator[](size_t i) const noexcept {
    auto begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view{data}.substr(begin, ends[i] - begin);
  }

  void add(std::string_view payload) {
    data.append(payload);
    ends.push_back(static_cast<uint32_t>(data.size()));
  }

  void add(std::string_view payload, stream_position position) {
    add(payload);
    positions.push_back(position);
  }

  /// The position of payload `i` (all zero without one).
  stream_position position(size_t i) const noexcept {
    return i < positions.size() ? positions[i] : stream_position{};
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_batch& x) {
  return f(caf::meta::type_name("libwatch::notification_batch"), x.data, x.ends,
           x.positions, x.complete_through);
}

} // namespace libwatch
