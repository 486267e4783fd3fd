// A durable consumer's reads and writes of libwatch's change log (the SQL
// and why it cannot skip a change: libwatch/sql/durable_sql.hpp).
#pragma once

#include <cstdint>
#include <optional>
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
/// `channel` after `from`, or after the consumer's stored position when
/// `from` is empty (registering the consumer, from now on, if it is new).
/// Does not move the stored position: a watcher reads ahead of what its
/// subscribers acknowledged.
caf::expected<log_batch> read_log(connection& conn, const std::string& consumer,
                                  const std::string& channel,
                                  std::optional<log_cursor> from,
                                  uint32_t limit);

/// Stores `consumer`'s position: everything up to `at` was acknowledged.
caf::error advance_log(connection& conn, const std::string& consumer,
                       const std::string& channel, log_cursor at);

/// Removes up to `limit` entries of `channel` that every consumer has
/// passed or that are older than `retention`; returns how many.
caf::expected<uint64_t> prune_log(connection& conn, const std::string& channel,
                                  caf::timespan retention, uint32_t limit);

} // namespace pg

} // namespace libwatch
