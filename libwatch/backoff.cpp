#include "libwatch/backoff.hpp"

#include <algorithm>
#include <chrono>

namespace libwatch {

caf::timespan backoff_delay(const reconnect_policy& policy, uint32_t attempt,
                            double unit) noexcept {
  using namespace std::chrono;
  auto delay = policy.initial;
  for (uint32_t i = 1; i < attempt && delay < policy.max; ++i)
    delay *= 2;
  delay = std::min(delay, policy.max);
  unit = std::clamp(unit, -1.0, 1.0);
  auto scaled
    = static_cast<double>(delay.count()) * (1.0 + policy.jitter * unit);
  return std::max(caf::timespan{static_cast<int64_t>(scaled)},
                  caf::timespan{milliseconds(1)});
}

} // namespace libwatch
