// A NOTIFY as the LISTEN connection received it, copied out of libpq.
#pragma once

#include <cstdint>
#include <string>

namespace libwatch::pg {

/// One notification: owns its text, so it outlives libpq's buffer.
struct notification {
  /// The channel it was sent on.
  std::string channel;
  /// The payload (empty when NOTIFY gave none).
  std::string payload;
  /// Process ID of the server session that sent it.
  int32_t backend_pid = 0;
};

} // namespace libwatch::pg
