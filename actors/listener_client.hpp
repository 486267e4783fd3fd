// What a client of the listener (a watcher) must accept: the notifications
// of its channel and the state of the connection that carries them. Declared
// apart from the watcher so the listener and the notification pump depend on
// this small protocol only.
#pragma once

#include <caf/error.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/notification_batch.hpp"

namespace libwatch {

/// Messages:
/// - `notification_batch` from the pump: one drained burst of the client's
///   channel.
/// - `(listening_atom)` from the listener: LISTEN is confirmed on the
///   current connection.
/// - `(disconnected_atom, error, since)` from the listener: the connection
///   failed or was lost; `since` is the last moment it was alive.
/// - `(truncated_atom, at)` from the replication stream: the client's table
///   was truncated in a transaction committed at `at`.
/// - `(replay_atom, from)` from the replication stream: a replay the client
///   asked for (wal_feedback) starts; earlier batches were sent before it.
/// - `(released_atom, bytes)` from the replication stream: the slot would
///   have retained more than `[wal] max_retained_mb` for the client, so it
///   no longer holds what the client had not processed (a gap).
using listener_client_actor = caf::typed_actor<
  caf::reacts_to<notification_batch>, caf::reacts_to<listening_atom>,
  caf::reacts_to<disconnected_atom, caf::error, caf::timestamp>,
  caf::reacts_to<truncated_atom, caf::timestamp>,
  caf::reacts_to<replay_atom, stream_position>,
  caf::reacts_to<released_atom, uint64_t>>;

} // namespace libwatch
