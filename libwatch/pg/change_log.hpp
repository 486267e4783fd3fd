// A durable consumer's reads and writes of libwatch's change log (the SQL
// and why it cannot skip a change: libwatch/sql/durable_sql.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "libwatch/log_batch.hpp"
#include "libwatch/pg/connection.hpp"

namespace libwatch {

namespace pg {

/// Registers `consumer` on the watcher's `channel` at the current snapshot
/// unless it exists: it receives every change that commits from now on.
caf::error register_consumer(connection& conn, const std::string& consumer,
                             const std::string& channel);

/// Reads the next entries (at most `limit`) of `consumer` on the watcher's
/// `channel`, registering the consumer (from now on) if it is new. Does not
/// move the consumer's position.
caf::expected<log_batch> read_log(connection& conn, const std::string& consumer,
                                  const std::string& channel, uint32_t limit);

/// Records that `consumer` delivered `batch` up to entry `last` (the whole
/// batch when `complete`).
caf::error advance_log(connection& conn, const std::string& consumer,
                       const std::string& channel, int64_t batch, bool complete,
                       int64_t last);

/// Removes up to `limit` entries of `channel` that every consumer has
/// passed or that are older than `retention`; returns how many.
caf::expected<uint64_t> prune_log(connection& conn, const std::string& channel,
                                  caf::timespan retention, uint32_t limit);

} // namespace pg

} // namespace libwatch
