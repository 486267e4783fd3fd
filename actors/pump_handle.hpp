// The listener's view of one connection attempt: a LISTEN connection that
// reports to it. The real one is `notification_pump`; deterministic tests
// substitute their own.
#pragma once

#include <string>

#include "actors/listener_client.hpp"

namespace libwatch {

class pump_handle {
public:
  virtual ~pump_handle();

  /// Queues `LISTEN channel`; once confirmed, notifications on `channel` go
  /// to `client`. Thread-safe.
  virtual void listen(std::string channel, listener_client_actor client) = 0;
};

} // namespace libwatch
