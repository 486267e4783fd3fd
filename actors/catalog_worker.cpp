#include "actors/catalog_worker.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/worker_connection.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/node_lock.hpp"
#include "libwatch/pg/wal_install.hpp"

namespace libwatch {

namespace {

std::string describe_object(const pg::owned_object& x) {
  auto owner = x.watcher.empty() ? "" : " (watcher " + x.watcher + ")";
  if (x.kind == pg::object_kind::trigger)
    return trigger_named(x.name, x.schema, x.table, name_style::sql) + owner;
  return function_named(x.schema, x.name, name_style::sql) + owner;
}

bool same_object(const pg::owned_object& x, const pg::owned_object& y) {
  return x.kind == y.kind && x.schema == y.schema && x.table == y.table
         && x.name == y.name;
}

// Lists (and with `drop`, drops) the objects no configured watcher owns.
caf::expected<std::vector<orphan_report>>
find_orphans(pg::connection& conn, const std::vector<watcher_spec>& specs,
             bool drop, caf::timespan timeout) {
  auto objects = pg::list_libwatch_objects(conn);
  if (!objects)
    return objects.error();
  std::vector<resolved_watcher> configured;
  for (auto& spec : specs) {
    resolved_watcher w;
    w.spec = spec;
    w.names = derive_names(spec);
    configured.push_back(std::move(w));
  }
  auto found = pg::orphans(*objects, configured);
  std::vector<pg::owned_object> in_use;
  if (drop) {
    auto left = pg::drop_objects(conn, found, timeout);
    if (!left)
      return left.error();
    in_use = std::move(*left);
  } else {
    for (auto& x : found) {
      auto busy = pg::held_by_other_node(conn, "checking node locks",
                                         pg::channel_of(x));
      if (!busy)
        return busy.error();
      if (*busy)
        in_use.push_back(x);
    }
  }
  std::vector<orphan_report> reports;
  for (auto& x : found) {
    auto busy = std::any_of(in_use.begin(), in_use.end(),
                            [&](auto& y) { return same_object(x, y); });
    reports.push_back({describe_object(x), busy});
  }
  return reports;
}

caf::expected<std::string> fetch_row(pg::connection& conn,
                                     const std::string& sql,
                                     const std::string& key) {
  auto res = conn.exec("reading a row too large to notify", sql, {key});
  if (!res)
    return res.error();
  if (res->rows() == 0 || res->is_null(0, "payload"))
    return std::string{};
  return std::string{res->get(0, "payload")};
}

struct catalog_worker_state {
  worker_connection db;
  std::string wal_slot;
  static inline const char* name = "libwatch.catalog_worker";
};

catalog_worker_actor::behavior_type catalog_worker(
  catalog_worker_actor::stateful_pointer<catalog_worker_state> self,
  pg::connect_options options, caf::timespan timeout, std::string wal_slot) {
  self->state.db = worker_connection{std::move(options), timeout};
  self->state.wal_slot = std::move(wal_slot);
  return {
    [self](install_atom,
           const watcher_spec& spec) -> caf::result<resolved_watcher> {
      auto& db = self->state.db;
      return db.run([&](pg::connection& conn) {
        return pg::install_watcher(conn, spec, self->state.wal_slot,
                                   db.timeout());
      });
    },
    [self](orphans_atom, const std::vector<watcher_spec>& specs,
           bool drop) -> caf::result<std::vector<orphan_report>> {
      auto& db = self->state.db;
      return db.run([&](pg::connection& conn) {
        return find_orphans(conn, specs, drop, db.timeout());
      });
    },
    [self](fetch_atom, const std::string& sql,
           const std::string& key) -> caf::result<std::string> {
      return self->state.db.run(
        [&](pg::connection& conn) { return fetch_row(conn, sql, key); });
    },
  };
}

} // namespace

catalog_worker_actor spawn_catalog_worker(caf::actor_system& sys,
                                          pg::connect_options options,
                                          caf::timespan timeout,
                                          std::string wal_slot) {
  return sys.spawn<caf::detached>(catalog_worker, std::move(options), timeout,
                                  std::move(wal_slot));
}

} // namespace libwatch
