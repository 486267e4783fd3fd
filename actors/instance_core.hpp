// State shared by an instance handle and its supervisor: the configuration,
// every watcher's runtime (topics, state, counters), the connection's state,
// and how the supervisor makes its connections and database worker (real
// ones in production, fakes in deterministic tests).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/notification_pump.hpp"
#include "actors/topic.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::detail {

struct instance_core {
  watch_config config;
  std::shared_ptr<topic_module> module;
  /// Same order as config.watchers.
  std::vector<std::shared_ptr<watcher_runtime>> watchers;
  std::shared_ptr<connection_board> connection;
  pump_factory make_pump;
  std::function<caf::actor(caf::actor_system&)> make_worker;
  /// The cluster gateway and its port, when `config.cluster` is enabled.
  caf::actor gateway;
  uint16_t cluster_port = 0;

  /// A core for `cfg` with real connections and a real database worker.
  static std::shared_ptr<instance_core> create(caf::actor_system& sys,
                                               watch_config cfg);
};

} // namespace libwatch::detail
