// State shared by an instance handle and its supervisor: the configuration
// and every watcher's topics. Immutable after start except the topic tables,
// which are thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "actors/topic.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::detail {

struct instance_core {
  watch_config config;
  std::shared_ptr<topic_module> module;
  /// Same order as config.watchers.
  std::vector<std::shared_ptr<topic_table>> topics;
};

} // namespace libwatch::detail
