// The reconnect delay schedule: doubling from `initial`, capped at `max`,
// scaled by the jitter and never below 1 ms.
#define CAF_SUITE backoff
#include <caf/test/unit_test.hpp>

#include "libwatch/backoff.hpp"

using namespace libwatch;
using namespace std::chrono_literals;

namespace {

reconnect_policy policy(caf::timespan initial, caf::timespan max,
                        double jitter) {
  reconnect_policy result;
  result.initial = initial;
  result.max = max;
  result.jitter = jitter;
  return result;
}

} // namespace

CAF_TEST(delays_double_from_initial_until_they_reach_max) {
  auto p = policy(100ms, 1s, 0.0);
  CAF_CHECK_EQUAL(backoff_delay(p, 1, 0.0), caf::timespan{100ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 2, 0.0), caf::timespan{200ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 3, 0.0), caf::timespan{400ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 4, 0.0), caf::timespan{800ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 5, 0.0), caf::timespan{1s});
  CAF_CHECK_EQUAL(backoff_delay(p, 1000, 0.0), caf::timespan{1s});
}

CAF_TEST(jitter_scales_the_delay_by_up_to_its_fraction_either_way) {
  auto p = policy(1s, 10s, 0.25);
  CAF_CHECK_EQUAL(backoff_delay(p, 1, -1.0), caf::timespan{750ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 1, 1.0), caf::timespan{1250ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 1, 0.5), caf::timespan{1125ms});
  // Random numbers outside [-1, 1] are clamped.
  CAF_CHECK_EQUAL(backoff_delay(p, 1, 7.0), caf::timespan{1250ms});
}

CAF_TEST(delay_is_never_below_one_millisecond) {
  auto p = policy(1ms, 1ms, 1.0);
  CAF_CHECK_EQUAL(backoff_delay(p, 1, -1.0), caf::timespan{1ms});
}
