// Everything an application needs to use libwatch: configuration, the change
// message, starting an instance and obtaining the groups to join. It sits
// above both layers of the library (core in libwatch/, actors in actors/)
// and is, with what it includes, the whole public API.
#pragma once

#include "actors/instance.hpp"
#include "actors/instance_actor.hpp"
#include "actors/remote_instance.hpp"
#include "config/loader.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/change.hpp"
#include "libwatch/error.hpp"
#include "libwatch/event.hpp"
#include "libwatch/fwd.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/status.hpp"
#include "libwatch/type_ids.hpp"
#include "libwatch/value.hpp"
#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"
