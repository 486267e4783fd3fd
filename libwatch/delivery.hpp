// What a watcher promises about delivery, and how a durable watcher learns
// that there is something to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace libwatch {

enum class delivery_mode : uint8_t {
  /// LISTEN/NOTIFY only: every change committed while the watcher is live
  /// arrives once; changes during a gap are lost (and the gap is signalled).
  at_most_once,
  /// The trigger also records each change in libwatch's change log, in the
  /// writer's transaction; a named consumer reads the log in commit order and
  /// keeps its position in the database, so nothing is lost across dropped
  /// connections or a stopped application. A change may arrive twice after
  /// a crash (see README, "Durable watchers").
  at_least_once,
};

enum class wakeup_mode : uint8_t {
  /// The trigger also NOTIFYs (an empty payload) so the consumer reads at
  /// once. Every writing transaction then takes PostgreSQL's cluster-wide
  /// notify lock at commit.
  notify,
  /// Writers only insert into the log; the consumer reads it every
  /// `durable_policy::poll_interval`. No commit serialization; latency up to
  /// one interval.
  poll,
};

/// Every mode, in declaration order.
inline constexpr delivery_mode all_delivery_modes[]
  = {delivery_mode::at_most_once, delivery_mode::at_least_once};

/// Every wakeup, in declaration order.
inline constexpr wakeup_mode all_wakeup_modes[]
  = {wakeup_mode::notify, wakeup_mode::poll};

/// `"at_most_once"` / `"at_least_once"`.
std::string_view to_string_view(delivery_mode x) noexcept;
std::string to_string(delivery_mode x);
std::optional<delivery_mode> parse_delivery_mode(std::string_view) noexcept;

/// `"notify"` / `"poll"`.
std::string_view to_string_view(wakeup_mode x) noexcept;
std::string to_string(wakeup_mode x);
std::optional<wakeup_mode> parse_wakeup_mode(std::string_view) noexcept;

} // namespace libwatch
