#include "libwatch/pg/wal_install.hpp"

#include "libwatch/error.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/pg/server_features.hpp"

namespace libwatch::pg {

caf::expected<resolved_watcher> install_from_wal(connection& conn,
                                                 const watcher_spec& spec,
                                                 const std::string& wal_slot,
                                                 caf::timespan timeout) {
  if (conn.server_version() < wal_source_version)
    return make_error(
      errc::unsupported_server,
      "watcher " + watcher_name(spec) + ": source = \"wal\" needs PostgreSQL "
        + std::to_string(major_version(wal_source_version))
        + " or later; the server is " + std::to_string(conn.server_version()));
  auto names = replication_names_for(wal_slot);
  if (!names)
    return names.error();
  auto resolved = read_resolved(conn, spec, timeout);
  if (!resolved)
    return resolved.error();
  auto published = setup_replication(conn, *names, {*resolved}, timeout);
  if (!published)
    return make_error(static_cast<errc>(published.error().code()),
                      "watcher " + watcher_name(spec) + ": "
                        + describe(published.error()));
  return resolved;
}

caf::expected<resolved_watcher> install_watcher(connection& conn,
                                                const watcher_spec& spec,
                                                const std::string& wal_slot,
                                                caf::timespan timeout) {
  if (spec.source == watch_source::wal)
    return install_from_wal(conn, spec, wal_slot, timeout);
  return install(conn, spec, timeout);
}

} // namespace libwatch::pg
