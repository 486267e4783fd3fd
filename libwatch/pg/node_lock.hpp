// How several nodes running watchers against one database keep each other's
// triggers alive. Every node holds a session-level SHARED advisory lock per
// watcher on its LISTEN connection, taken together with the LISTEN (before the
// watcher installs its trigger) and again after every reconnect. Dropping an
// object (orphan cleanup at start, `libwatch uninstall`) first takes the same
// key EXCLUSIVELY with `pg_try_advisory_xact_lock` inside its DDL
// transaction: if any live session holds the shared lock, the object is in use
// by another node and is left alone. The lock ends with the session, so a
// node that crashed or was stopped no longer protects anything.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"

namespace libwatch::pg {

struct owned_object;

/// First key of every per-watcher lock (`pg_locks.classid`): "lw".
constexpr int32_t node_lock_class = 0x6c77;

/// Second key (`pg_locks.objid`) of the lock of the watcher listening on
/// `channel`: the low 32 bits of FNV-1a/64 of the channel name. Two channels
/// sharing a key only make dropping more careful, never less.
int32_t node_lock_id(std::string_view channel);

/// The statement a node runs on its LISTEN connection for `channel`.
std::string hold_node_lock_statement(std::string_view channel);

/// The channel of the watcher that owns `x` (its name without the `_func`
/// or `_trigger` suffix object_names adds).
std::string channel_of(const owned_object& x);

/// Inside a transaction: takes the lock of `channel` exclusively until the
/// transaction ends, if no other session holds it. Returns false when a
/// running node listens on the channel (the objects are in use).
caf::expected<bool> claim_for_drop(connection& conn, std::string_view context,
                                   std::string_view channel,
                                   caf::timespan timeout = caf::timespan{0});

/// Whether another session holds the lock of `channel` (reads `pg_locks`;
/// for reports, not for deciding to drop: use `claim_for_drop`).
caf::expected<bool> held_by_other_node(connection& conn,
                                       std::string_view context,
                                       std::string_view channel);

} // namespace libwatch::pg
