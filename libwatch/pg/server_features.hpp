// The PostgreSQL releases that bring the server features libwatch depends on,
// as `connection::server_version()` numbers them (major * 10000 + minor).
// Every version check compares against one of these names, so the reason
// for a threshold is written down once.
#pragma once

#include <optional>
#include <string>

namespace libwatch::pg {

/// Oldest server libwatch supports: `EXECUTE FUNCTION` in CREATE TRIGGER and
/// primary keys on partitioned tables arrived in PostgreSQL 11.
constexpr int min_server_version = 110000;

/// `pg_snapshot` and `xid8`, which durable (at-least-once) delivery keys its
/// change log on, arrived in PostgreSQL 13.
constexpr int durable_delivery_version = 130000;

/// `pg_trigger.tgparentid`, which marks triggers cloned onto partitions,
/// arrived in PostgreSQL 13; older servers need a catalog join instead.
constexpr int trigger_parent_id_version = 130000;

/// `CREATE OR REPLACE TRIGGER` arrived in PostgreSQL 14. Older servers
/// replace a trigger by DROP + CREATE, and DROP TRIGGER needs the table's
/// owner, not only the TRIGGER privilege.
constexpr int replace_trigger_version = 140000;

/// The WAL source: publications with `publish_via_partition_root`.
constexpr int wal_source_version = 130000;

/// The major release of `server_version`, e.g. 14 for 140005.
constexpr int major_version(int server_version) noexcept {
  return server_version / 10000;
}

/// Why libwatch cannot work with a server of `server_version` (older than
/// `min_server_version`), or nothing.
inline std::optional<std::string> server_version_problem(int server_version) {
  if (server_version >= min_server_version)
    return std::nullopt;
  return "PostgreSQL " + std::to_string(server_version)
         + " is too old; libwatch needs "
         + std::to_string(major_version(min_server_version)) + " or later";
}

} // namespace libwatch::pg
