// The watcher actor: owns one watcher's trigger lifecycle, decodes its
// notifications into `change` messages and publishes them, together with
// ready / disconnected / resumed signals, to its topics.
//
// Life: registers its channel with the listener. Each time the listener
// confirms LISTEN (at start and after every reconnect) the watcher asks the
// database worker to (re)install and verify its trigger, then goes live and
// publishes `ready_msg` (first time) or `resumed_msg` (after a gap). A
// transient failure is retried with backoff; a permanent one (missing table,
// failing statement) ends the actor with that error. When the listener
// reports the connection lost, the watcher publishes `disconnected_msg`.
// Payloads that arrive before the first installation are held until then.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timestamp.hpp>

#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

struct watcher_runtime;

/// What a watcher actor needs to start.
struct watcher_context {
  watcher_spec spec;
  size_t index = 0;
  std::shared_ptr<watcher_runtime> runtime;
  caf::actor supervisor;
  caf::actor listener;
  caf::actor worker;
  /// Backoff for retrying a failed installation (or change-log read).
  reconnect_policy retry;
  /// Durable watchers: the consumer and how to read the change log.
  durable_policy durable;
  /// Set when this actor replaces a crashed one: changes since then may be
  /// lost, so going live publishes `resumed_msg` from this moment.
  std::optional<caf::timestamp> gap_since;
};

/// Spawns a watcher actor linked to `parent`.
caf::actor spawn_watcher(caf::event_based_actor* parent, watcher_context ctx);

namespace detail {

/// Test-only hook, null in normal operation: called with each payload before
/// decoding; a test makes it throw to exercise crash and restart.
extern std::atomic<void (*)(std::string_view)> before_decode_hook;

} // namespace detail

} // namespace libwatch
