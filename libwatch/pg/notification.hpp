// A NOTIFY as the LISTEN connection received it, seen in libpq's buffer.
#pragma once

#include <cstdint>
#include <string_view>

namespace libwatch::pg {

/// One notification, valid only during the `drain_notifications` callback
/// that receives it: the hot path copies the payload once, into its batch.
struct notification {
  /// The channel it was sent on.
  std::string_view channel;
  /// The payload (empty when NOTIFY gave none).
  std::string_view payload;
  /// Process ID of the server session that sent it.
  int32_t backend_pid = 0;
};

} // namespace libwatch::pg
