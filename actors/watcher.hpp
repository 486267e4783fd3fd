// The watcher actor: owns one watcher's trigger lifecycle, decodes its
// notifications into `change` messages and publishes them to its topics.
//
// Start-up: (install_atom, spec) to the database worker, then
// (listen_atom, channel) to the listener, then (started_atom, index) to the
// supervisor. Any failure ends the actor with that error.
// Data: notification_batch from the listener's pump thread; each payload is
// decoded, and malformed ones are counted and logged, never published.
#pragma once

#include <cstddef>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "libwatch/watcher_spec.hpp"

namespace libwatch {

class topic_table;

/// What a watcher actor needs to start.
struct watcher_context {
  watcher_spec spec;
  size_t index;
  std::shared_ptr<topic_table> topics;
  caf::actor supervisor;
  caf::actor listener;
  caf::actor worker;
};

/// Spawns a watcher actor linked to `parent`.
caf::actor spawn_watcher(caf::event_based_actor* parent, watcher_context ctx);

} // namespace libwatch
