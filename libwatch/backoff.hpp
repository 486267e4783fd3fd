// Reconnect delays: exponential backoff with jitter. Pure, so the schedule is
// unit-tested exactly; the listener supplies the random numbers.
#pragma once

#include <cstdint>

#include <caf/timespan.hpp>

#include "libwatch/watch_config.hpp"

namespace libwatch {

/// Delay before reconnect attempt `attempt` (1 = the first retry):
/// `initial * 2^(attempt-1)`, capped at `max`, then scaled by
/// `1 + jitter * unit` where `unit` in [-1, 1] is the caller's random number.
/// Never below 1 ms.
caf::timespan backoff_delay(const reconnect_policy& policy, uint32_t attempt,
                            double unit) noexcept;

} // namespace libwatch
