// libwatch's block of CAF type IDs: every public type that travels in a
// message (internal ones follow in actors/internal_type_ids.hpp). The block
// starts 700 above CAF's first custom ID, leaving the IDs below to the
// application's own blocks; an application that needs them too moves its
// own block past `caf::id_block::libwatch_internal::end`.
#pragma once

#include <string>
#include <vector>

#include <caf/type_id.hpp>

#include "libwatch/change.hpp"
#include "libwatch/details.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/status.hpp"
#include "libwatch/watcher_spec.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(libwatch, caf::first_custom_type_id + 700)

CAF_ADD_TYPE_ID(libwatch, (libwatch::change))
CAF_ADD_TYPE_ID(libwatch, (libwatch::change_batch))
CAF_ADD_TYPE_ID(libwatch, (libwatch::watcher_details))
CAF_ADD_TYPE_ID(libwatch, (libwatch::disconnected_msg))
CAF_ADD_TYPE_ID(libwatch, (libwatch::instance_status))
CAF_ADD_TYPE_ID(libwatch, (libwatch::overflow_msg))
CAF_ADD_TYPE_ID(libwatch, (libwatch::ready_msg))
CAF_ADD_TYPE_ID(libwatch, (libwatch::resumed_msg))
CAF_ADD_TYPE_ID(libwatch, (libwatch::truncated_msg))
CAF_ADD_TYPE_ID(libwatch, (libwatch::watcher_spec))

CAF_END_TYPE_ID_BLOCK(libwatch)

namespace libwatch {

/// Registers every libwatch message type and the "libwatch" error category
/// with `cfg`. Call it once before constructing the actor system; required
/// where messages cross CAF's network layer, harmless elsewhere.
void register_types(caf::actor_system_config& cfg);

} // namespace libwatch
