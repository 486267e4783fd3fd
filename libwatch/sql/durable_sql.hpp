// SQL of durable watchers (delivery_mode::at_least_once): libwatch's change
// log, the trigger function that writes it, and the statements a consumer
// reads and advances with.
//
// Reading without skipping (PgQ's method). Log entries are numbered from a
// sequence before their transaction commits, so a lower number can commit
// after a higher one; "everything above the last number seen" would skip it
// for good. Instead a consumer's stream is cut into batches by snapshots
// (pg_current_snapshot(), stored as numbered "ticks"): batch t holds exactly
// the entries whose transaction is visible in tick t's snapshot and not in
// tick t-1's. Every committed transaction becomes visible in some snapshot
// and in no earlier one, so each entry is in exactly one batch, whenever it
// commits; batches are read in order, entries within a batch by number.
// The consumer's row holds the last batch it finished and, inside the batch
// it is reading, the last entry it delivered.
#pragma once

#include <string>
#include <vector>

#include "libwatch/table_info.hpp"

namespace libwatch::sql {

/// The schema of libwatch's change log and consumer tables.
constexpr const char* log_schema = "libwatch";

/// Idempotent statements creating the schema, the change log, the ticks and
/// the consumers tables. Run under `ddl_lock_key` with a durable watcher's
/// installation.
std::vector<std::string> log_setup_statements();

/// The body of a durable watcher's trigger function: inserts the row-level
/// payload of each reported row into the change log and, with
/// `wakeup_mode::notify`, NOTIFYs the watcher's channel with an empty
/// payload (once per statement at statement level).
std::string durable_function_body(const resolved_watcher& w);

/// $1 consumer, $2 channel -> (tick, entry) of the consumer, no row if new.
std::string consumer_state_query();

/// $1 consumer, $2 channel: registers a new consumer at tick 0 = now, so it
/// receives what commits from now on.
std::string register_consumer_statement();

/// $1 consumer, $2 channel, $3 tick: takes the snapshot ending batch $3
/// unless it exists (then a batch interrupted by a crash reads the same).
std::string take_tick_statement();

/// $1 consumer, $2 channel, $3 batch (ending tick), $4 last entry delivered,
/// $5 limit -> (entry, payload) of the batch after $4, in entry order.
std::string read_batch_query();

/// $1 consumer, $2 channel, $3 finished tick, $4 entry: records the
/// consumer's position and drops ticks it no longer needs.
std::string advance_statement();

/// $1 channel, $2 retention (seconds), $3 limit -> deleted count: removes up
/// to $3 entries that every consumer of the channel has passed, or that are
/// older than the retention. Row locks only, in bounded steps (each step
/// scans the log: there is no index to spare the writers).
std::string prune_statement();

} // namespace libwatch::sql
