// The listener actor: owns the one LISTEN connection of a libwatch instance
// (through its notification_pump thread) and routes each channel's
// notifications to the watcher actor that asked for it.
//
// Messages:
//   (listen_atom, channel) -> ()   LISTEN confirmed; route channel to sender
//   (listened_atom, id, error)     from the pump: a LISTEN finished
//   (lost_atom, error)             from the pump: connection failed/broke;
//                                  the listener fails with that error
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace libwatch {

/// Spawns a listener connecting with `conninfo`. The caller links to it.
caf::actor spawn_listener(caf::actor_system& sys, std::string conninfo,
                          std::string application_name);

} // namespace libwatch
