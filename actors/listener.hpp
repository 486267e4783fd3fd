// The listener actor: owns the one LISTEN connection of a libwatch instance
// (through a notification_pump thread), routes each channel to the watcher
// that registered it, and reconnects with exponential backoff and jitter when
// the connection fails. It ends with `errc::reconnect_limit` after
// `reconnect.max_attempts` failures in a row (if set), or with the first
// connection error when `reconnect.fail_fast` is set and it never connected.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "actors/listener_client.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

/// Messages (none is answered):
/// - `(listen_atom, channel, client)` from a watcher: route `channel` to
///   `client`; LISTEN now if connected, and after every reconnect.
/// - `(connected_atom, generation)` from the pump of attempt `generation`.
/// - `(listened_atom, generation, channel, error)` from that pump: a LISTEN
///   finished (error empty on success).
/// - `(lost_atom, generation, error, last_alive)` from that pump: connecting
///   failed or the connection is gone.
/// - `(reconnect_atom, generation)` from itself: the backoff delay is over.
///
/// Reports from an earlier generation are ignored. The listener answers
/// nothing; it tells clients `listening_atom` and `disconnected_atom`
/// (actors/listener_client.hpp).
using listener_actor = caf::typed_actor<
  caf::reacts_to<listen_atom, std::string, listener_client_actor>,
  caf::reacts_to<connected_atom, uint64_t>,
  caf::reacts_to<listened_atom, uint64_t, std::string, caf::error>,
  caf::reacts_to<lost_atom, uint64_t, caf::error, caf::timestamp>,
  caf::reacts_to<reconnect_atom, uint64_t>>;

class connection_board;
class pump_handle;

/// Creates the connection for attempt `generation`, reporting to `listener`.
using pump_factory = std::function<std::unique_ptr<pump_handle>(
  listener_actor listener, uint64_t generation)>;

/// Spawns a listener that makes its connections with `factory`.
listener_actor spawn_listener(caf::actor_system& sys, reconnect_policy policy,
                              pump_factory factory,
                              std::shared_ptr<connection_board> board);

} // namespace libwatch
