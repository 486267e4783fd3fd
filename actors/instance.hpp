// The public entry point: start libwatch in an actor system, get the groups
// to join, stop it.
//
//   auto inst = libwatch::spawn_watchers(sys, cfg);   // expected<instance>
//   inst->await_ready(std::chrono::seconds(10));      // optional
//   self->join(*inst->by_key("posts:updated", 7));    // any event-based or
//                                                     // blocking actor
//   inst->stop();                                     // before sys ends
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>
#include <caf/timespan.hpp>

#include "actors/instance_actor.hpp"
#include "actors/subscription.hpp"
#include "libwatch/change.hpp"
#include "libwatch/details.hpp"
#include "libwatch/event.hpp"
#include "libwatch/status.hpp"
#include "libwatch/value.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

namespace detail {
struct instance_core;
} // namespace detail

/// A running libwatch instance: a supervisor actor with one listener, a
/// catalog worker, a log worker (when a watcher is durable) and one watcher
/// actor per spec. Copies refer to the same instance. Stop it with `stop()`
/// before the actor system is destroyed. `all`, `all_batched`, `by_key` and
/// `by_column` come from `subscribe_methods`.
class instance : public subscribe_methods<instance> {
public:
  instance() = default;

  /// The instance's root actor (its protocol: actors/instance_actor.hpp).
  const instance_actor& supervisor() const noexcept {
    return supervisor_;
  }

  /// The group `req` names: `all`, `all_batched`, `by_key` and `by_column`
  /// in one function (what the cluster gateway serves to other nodes).
  caf::expected<caf::group> subscribe(const topic_request& req) const;

  /// For a subscriber that joined with `ack_mode::manual`: it has
  /// finished every change of `watcher` up to and including `upto`, so the
  /// durable consumer's position may move past them. Thread-safe; call it
  /// whenever the work is done (from the subscriber or another actor).
  /// Error if `subscriber` has no manual subscription to `watcher`.
  caf::error ack(const caf::actor_addr& subscriber, const watcher_ref& watcher,
                 stream_position upto) const;

  /// The same for the watcher and position of `c`.
  caf::error ack(const caf::actor_addr& subscriber, const change& c) const;

  /// Blocks the calling thread until every watcher installed its trigger and
  /// listens (a change committed afterwards will be delivered), or returns
  /// the error that prevents it, or `errc::stopped` after `timeout` with the
  /// current state (e.g. the last connection error) in its text. While the
  /// database is unreachable libwatch keeps retrying, so this waits unless
  /// `reconnect.fail_fast` is set. Do not call it from inside an actor: send
  /// `ready_atom` to `supervisor()`.
  caf::error await_ready(caf::timespan timeout) const;

  /// What libwatch resolved and created for `watcher`: schema, table,
  /// primary key, columns, association and trigger columns, label, and the
  /// function, trigger and channel names. Error (`errc::unknown_watcher`, or
  /// `errc::stopped` until the watcher has been installed once).
  caf::expected<watcher_details> details(const watcher_ref& watcher) const;

  /// A snapshot of the connection's and every watcher's state and counters
  /// (the same as the supervisor's reply to `status_atom`). Thread-safe.
  instance_status status() const;

  /// Stops every libwatch actor of this instance and drops all topic
  /// subscriptions (so subscriber actors no longer hang the actor system's
  /// shutdown). Asynchronous and idempotent.
  void stop() const;

  /// The configuration this instance runs.
  const watch_config& config() const;

  /// The TCP port this node publishes its groups on for other nodes
  /// (`[cluster] listen`, see `connect_remote`), or 0 when it does not.
  uint16_t cluster_port() const;

private:
  friend caf::expected<instance> spawn_watchers(caf::actor_system& sys,
                                                watch_config cfg);

  caf::expected<size_t> find(const watcher_ref& watcher) const;
  std::string describe_state() const;

  instance_actor supervisor_;
  std::shared_ptr<detail::instance_core> core_;
};

/// Validates `cfg` (all problems at once, `errc::invalid_spec`) and spawns
/// the instance. Database problems (unreachable server, missing table or
/// column) surface through `await_ready` / `ready_atom`, not here.
caf::expected<instance> spawn_watchers(caf::actor_system& sys,
                                       watch_config cfg);

} // namespace libwatch
