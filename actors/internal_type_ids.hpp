// The CAF type IDs of the messages only libwatch's own actors exchange, in a
// block of their own right after the public one (libwatch/type_ids.hpp), so
// users never see these types. `register_types` registers both blocks.
#pragma once

#include <caf/type_id.hpp>

#include "actors/catalog_worker.hpp"
#include "actors/log_worker.hpp"
#include "actors/subscription.hpp"
#include "libwatch/log_batch.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/table_info.hpp"
#include "libwatch/type_ids.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(libwatch_internal, caf::id_block::libwatch::end)

CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::log_batch))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::log_cursor))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::log_read_request))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::notification_batch))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::orphan_report))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::resolved_watcher))
CAF_ADD_TYPE_ID(libwatch_internal, (libwatch::topic_request))

CAF_END_TYPE_ID_BLOCK(libwatch_internal)
