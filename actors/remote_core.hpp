// What a remote_instance handle and its relay share: where the watcher node
// is, its watchers, and one local topic plus forwarder per requested topic.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/forwarder.hpp"
#include "actors/gateway.hpp"
#include "actors/relay.hpp"
#include "actors/topic.hpp"
#include "actors/topic_sweeper.hpp"
#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch::detail {

struct remote_core {
  caf::actor_system* sys = nullptr;
  std::string host;
  uint16_t port = 0;
  std::vector<watcher_spec> specs;
  subscriber_policy subscribers;
  std::shared_ptr<topic_module> module;
  relay_actor relay;
  std::mutex mtx;
  bool stopped = false;
  std::map<std::string, std::pair<topic_ptr, forwarder_actor>> topics;
  topic_sweeper sweeper;

  std::string address() const {
    return host + ":" + std::to_string(port);
  }
};

} // namespace libwatch::detail

namespace libwatch {

/// The gateway behind what the middleman's connect returned, or an error
/// when the actor published there does not speak the gateway's protocol.
caf::expected<gateway_actor> as_gateway(caf::actor_system& sys,
                                        const caf::strong_actor_ptr& ptr,
                                        const std::set<std::string>& ifs);

} // namespace libwatch
