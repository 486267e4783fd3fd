// Subscribing from a node without a database: `connect_remote` reaches a
// watcher node that publishes its groups (`[cluster] listen`) over CAF's
// network layer and returns a handle with the same subscribe methods as
// `instance`. The groups it returns are local to this node; local actors join
// them as usual and receive the same typed messages (`change`,
// `change_batch`, `ready_msg`, `disconnected_msg`, `resumed_msg`).
//
//   caf::actor_system_config cfg;
//   libwatch::register_types(cfg);
//   cfg.load<caf::io::middleman>();
//   caf::actor_system sys{cfg};
//   auto remote = libwatch::connect_remote(sys, "127.0.0.1", 4242);
//   self->join(*remote->all("posts:inserted"));
//   ...
//   remote->stop();                                  // before sys ends
//
// One forwarder actor per requested topic subscribes to the real topic on
// the watcher node, so each change crosses the network once per topic and
// node, and each local subscriber gets exactly one copy. When the link drops
// every local subscriber gets `disconnected_msg`; a relay actor reconnects
// with backoff, re-subscribes every forwarder, and subscribers get
// `resumed_msg` (missed_from = when the link dropped) before further changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>
#include <caf/timespan.hpp>

#include "actors/instance.hpp"
#include "actors/subscription.hpp"
#include "libwatch/value.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

namespace detail {
struct remote_core;
} // namespace detail

/// How a subscriber node reaches a watcher node.
struct remote_options {
  /// Delays between reconnect attempts after the link dropped (only
  /// `initial`, `max` and `jitter` apply; it retries until stopped).
  reconnect_policy reconnect;
  /// How long `connect_remote` waits for the first connection.
  caf::timespan connect_timeout = std::chrono::seconds(10);
  /// The bound on what each local subscriber may have waiting (the watcher
  /// node bounds what it holds for this node with its own `[subscribers]`).
  subscriber_policy subscribers;
};

/// The watchers of a remote watcher node, as seen from a subscriber node.
/// Copies refer to the same connection. Stop it with `stop()` before the
/// actor system is destroyed.
class remote_instance : public subscribe_methods<remote_instance> {
public:
  remote_instance() = default;

  /// `all`, `all_batched`, `by_key` and `by_column` (subscribe_methods)
  /// check requests as `instance` does (the watcher node's configuration
  /// decides). A subscriber receives `ready_msg` once its subscription
  /// reached the watcher node: changes committed afterwards are delivered.
  /// The general form of the four above. `ack_mode::manual` is refused:
  /// acknowledge on the watcher node.
  caf::expected<caf::group> subscribe(const topic_request& req) const;

  /// The watcher node's watchers, read when connecting.
  const std::vector<watcher_spec>& watchers() const;

  /// Stops the relay and forwarders and drops every local subscription.
  /// Asynchronous and idempotent.
  void stop() const;

private:
  friend caf::expected<remote_instance> connect_remote(caf::actor_system& sys,
                                                       std::string host,
                                                       uint16_t port,
                                                       remote_options options);

  std::shared_ptr<detail::remote_core> core_;
};

/// Connects to the watcher node publishing at `host:port` (waiting at most
/// `options.connect_timeout`) and reads its watchers. Needs
/// `cfg.load<caf::io::middleman>()` and `register_types(cfg)` on this node's
/// configuration.
caf::expected<remote_instance> connect_remote(caf::actor_system& sys,
                                              std::string host, uint16_t port,
                                              remote_options options = {});

} // namespace libwatch
