// Everything an application needs to use libwatch: configuration, the change
// message, starting an instance and obtaining the groups to join.
#pragma once

#include "actors/instance.hpp"
#include "actors/remote_instance.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/change.hpp"
#include "libwatch/error.hpp"
#include "libwatch/event.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/status.hpp"
#include "libwatch/type_ids.hpp"
#include "libwatch/value.hpp"
#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"
