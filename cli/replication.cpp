#include "cli/replication.hpp"

#include <algorithm>

#include "libwatch/identifiers.hpp"

namespace libwatch::cli {

bool reads_wal(const watcher_spec& spec) {
  return spec.source == watch_source::wal;
}

bool has_wal_watchers(const watch_config& cfg) {
  return std::any_of(cfg.watchers.begin(), cfg.watchers.end(), reads_wal);
}

caf::expected<pg::replication_names> wal_names(const watch_config& cfg) {
  return pg::replication_names_for(cfg.wal.slot);
}

std::string slot_state(const pg::replication_status& x) {
  if (x.exists)
    return x.wal_status == "lost" ? "lost" : "ok";
  // The marker says the slot was created: it vanished behind our back.
  return x.marker == "created" ? "lost" : "missing";
}

std::string publication_of(const pg::replication_status& x,
                           const pg::replication_names& names,
                           const watcher_spec& spec) {
  auto table = quote_qualified(spec.schema, spec.table);
  for (auto& pub : x.publications) {
    if (spec.event != event_kind::inserted && pub.name != names.publication)
      continue;
    if (std::find(pub.tables.begin(), pub.tables.end(), table)
        != pub.tables.end())
      return pub.name;
  }
  return {};
}

} // namespace libwatch::cli
