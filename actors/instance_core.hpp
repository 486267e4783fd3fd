// State shared by an instance handle and its supervisor: the configuration,
// every watcher's runtime (topics, state, counters), the connection's state,
// and how the supervisor makes its connections and workers (real ones in
// production, fakes in deterministic tests). Status and details are
// answered here, for the handle and the supervisor alike.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/catalog_worker.hpp"
#include "actors/gateway.hpp"
#include "actors/listener.hpp"
#include "actors/log_worker.hpp"
#include "actors/topic.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/details.hpp"
#include "libwatch/status.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::detail {

struct instance_core {
  watch_config config;
  std::shared_ptr<topic_module> module;
  /// Same order as config.watchers.
  std::vector<std::shared_ptr<watcher_runtime>> watchers;
  std::shared_ptr<connection_board> connection;
  pump_factory make_pump;
  /// Set when a watcher reads the WAL: the replication stream's
  /// connections, and their state.
  pump_factory make_wal_pump;
  std::shared_ptr<connection_board> wal_connection;
  std::function<catalog_worker_actor(caf::actor_system&)> make_catalog_worker;
  /// Spawned only when a watcher is durable.
  std::function<log_worker_actor(caf::actor_system&)> make_log_worker;
  /// How long a watcher waits for a worker's reply before it counts the
  /// request as failed (and retries, or publishes the key alone).
  caf::timespan request_timeout = std::chrono::seconds(60);
  /// The cluster gateway and its port, when `config.cluster` is enabled.
  gateway_actor gateway;
  uint16_t cluster_port = 0;

  /// A snapshot of the connection's and every watcher's state.
  instance_status status() const;

  /// What the watcher named `name` resolved, or why there is nothing yet.
  caf::expected<watcher_details> details(const std::string& name) const;

  /// The index of the watcher named `name`, or `errc::unknown_watcher`
  /// listing the watchers there are.
  caf::expected<size_t> find(const std::string& name) const;

  /// A core for `cfg` with real connections and real workers.
  static std::shared_ptr<instance_core> create(caf::actor_system& sys,
                                               watch_config cfg);
};

} // namespace libwatch::detail
