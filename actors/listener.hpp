// The listener actor: owns the one LISTEN connection of a libwatch instance
// (through a notification_pump thread), routes each channel to the watcher
// that registered it, and reconnects with exponential backoff and jitter when
// the connection fails.
//
// Messages:
//   (listen_atom, channel)                from a watcher: route channel to
//                                         me; LISTEN now if connected, and
//                                         after every reconnect
//   -> watcher (listening_atom)           LISTEN confirmed on the current
//                                         connection
//   -> watcher (disconnected_atom, error, since)
//                                         connection failed or lost; `since`
//                                         is the last moment it was alive
//   (connected_atom | listened_atom | lost_atom, generation, ...)
//                                         from the current pump
//   (reconnect_atom, generation)          backoff delay over
// The listener ends with `errc::reconnect_limit` after
// `reconnect.max_attempts` failures in a row (if set), or with the first
// connection error when `reconnect.fail_fast` is set and it never connected.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/notification_pump.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

class connection_board;

/// Spawns a listener that makes its connections with `factory`.
caf::actor spawn_listener(caf::actor_system& sys, reconnect_policy policy,
                          pump_factory factory,
                          std::shared_ptr<connection_board> board);

} // namespace libwatch
