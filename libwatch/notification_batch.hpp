// The hop from the listener to one watcher: every payload for that watcher
// drained from the connection in one go, in arrival (= commit) order.
#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace libwatch {

/// Payloads for one watcher, oldest first. Batching amortises the actor
/// message per notification over a whole burst.
struct notification_batch {
  std::vector<std::string> payloads;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_batch& x) {
  return f(caf::meta::type_name("libwatch::notification_batch"), x.payloads);
}

} // namespace libwatch
