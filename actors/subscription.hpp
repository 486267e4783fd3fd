// What a subscriber asks for: one topic of one watcher. Shared by the local
// `instance` and the remote handle (`remote_instance`), so both accept and
// refuse exactly the same requests with the same errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "libwatch/value.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// Which topic of a watcher: `all`, `all_batched`, `by_key` or `by_column`.
enum class topic_kind : uint8_t { all, batched, key, column };

struct topic_request {
  topic_kind kind = topic_kind::all;
  /// The canonical watcher name (`watcher_ref::name`).
  std::string watcher;
  /// The association column (`column` only).
  std::string column;
  /// The key or column value (`key` and `column` only).
  value x;
};

/// Checks `req` against `specs`: returns the index of its watcher, or
/// `errc::unknown_watcher` / `errc::invalid_subscription` naming the problem.
caf::expected<size_t> check_request(const std::vector<watcher_spec>& specs,
                                    const topic_request& req);

} // namespace libwatch
