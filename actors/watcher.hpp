// The watcher actor: owns one watcher's trigger lifecycle, decodes its
// notifications into `change` messages and publishes them, together with
// ready / disconnected / resumed signals, to its topics.
//
// Life: registers its channel with the listener. Each time the listener
// confirms LISTEN (at start and after every reconnect) the watcher asks the
// catalog worker to (re)install and verify its trigger, then goes live and
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

#include <caf/fwd.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>

#include "actors/catalog_worker.hpp"
#include "actors/internal_atoms.hpp"
#include "actors/listener.hpp"
#include "actors/listener_client.hpp"
#include "actors/log_worker.hpp"
#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// Messages, besides the listener client's (actors/listener_client.hpp):
/// - `(acked_atom)` from its subscribers (actors/delivery_flow.hpp): one
///   joined, left or acknowledged; a durable watcher settles its position
///   and reads on.
/// - `(pull_atom)` from itself: read the change log again (retry).
/// - `(pull_atom, true)` from itself: the poll timer of `wakeup = "poll"`.
/// - `(prune_atom)` from itself: time to prune the change log.
/// - `(retry_atom, epoch)` from itself: install again after a transient
///   failure.
using watcher_actor = listener_client_actor::extend<
  caf::reacts_to<acked_atom>, caf::reacts_to<pull_atom>,
  caf::reacts_to<pull_atom, bool>, caf::reacts_to<prune_atom>,
  caf::reacts_to<retry_atom, uint64_t>>;

/// What a watcher tells the actor that started it: it is ready for the
/// first time (index in the configuration).
using watcher_parent_actor
  = caf::typed_actor<caf::reacts_to<started_atom, uint64_t>>;

struct watcher_runtime;

/// What a watcher actor needs to start.
struct watcher_context {
  watcher_spec spec;
  size_t index = 0;
  std::shared_ptr<watcher_runtime> runtime;
  watcher_parent_actor supervisor;
  listener_actor listener;
  catalog_worker_actor catalog;
  /// Only for durable watchers.
  log_worker_actor log;
  /// How long a request to a worker may take before it counts as failed.
  caf::timespan request_timeout = std::chrono::seconds(60);
  /// Backoff for retrying a failed installation (or change-log read).
  reconnect_policy retry;
  /// Durable watchers: the consumer and how to read the change log.
  durable_policy durable;
  /// Set when this actor replaces a crashed one: changes since then may be
  /// lost, so going live publishes `resumed_msg` from this moment.
  std::optional<caf::timestamp> gap_since;
};

/// Spawns a watcher actor (the supervisor links to it).
watcher_actor spawn_watcher(caf::actor_system& sys, watcher_context ctx);

namespace detail {

/// Test-only hook, null in normal operation: called with each payload before
/// decoding; a test makes it throw to exercise crash and restart.
extern std::atomic<void (*)(std::string_view)> before_decode_hook;

} // namespace detail

} // namespace libwatch
