#include "actors/instance_core.hpp"

#include "actors/notification_pump.hpp"
#include "actors/replication_pump.hpp"
#include "actors/subscription.hpp"
#include "libwatch/error.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::detail {

namespace {

/// Details of an installed watcher.
watcher_details details_of(const resolved_watcher& w) {
  watcher_details result;
  result.watcher = watcher_name(w.spec);
  result.label = w.spec.label;
  result.schema = w.spec.schema;
  result.table = w.spec.table;
  result.event = w.spec.event;
  result.primary_key = w.primary_key.name;
  result.columns = w.payload_columns;
  result.association_columns = w.spec.association_columns;
  for (auto& c : w.trigger_columns)
    result.trigger_columns.push_back(c.name);
  result.function = w.names.function;
  result.trigger = w.names.trigger;
  result.channel = w.names.channel;
  result.enable_always = w.spec.enable_always;
  return result;
}

} // namespace

instance_status instance_core::status() const {
  instance_status result;
  connection->fill(result);
  if (wal_connection)
    wal_connection->fill(result, true);
  for (auto& w : watchers)
    result.watchers.push_back(w->snapshot());
  return result;
}

caf::expected<size_t> instance_core::find(const std::string& name) const {
  return find_watcher(config.watchers, name);
}

caf::expected<watcher_details>
instance_core::details(const std::string& name) const {
  auto index = find(name);
  if (!index)
    return index.error();
  auto& rt = *watchers[*index];
  if (auto w = rt.resolved())
    return details_of(*w);
  return make_error(errc::stopped, "watcher " + rt.name
                                     + " has not been installed yet ("
                                     + to_string(rt.board->state()) + ")");
}

namespace {

// The replication stream of `cfg`'s slot; it finds each watcher's
// resolution in `core` by channel (set before the watcher registers).
pump_factory wal_pump_factory(instance_core& core, const watch_config& cfg,
                              pg::connect_options options) {
  core.wal_connection = std::make_shared<connection_board>();
  options.application_name += "-wal";
  // The slot name was validated with the configuration.
  auto names = pg::replication_names_for(cfg.wal.slot);
  wal_stream_settings settings;
  if (names) {
    settings.slot = names->slot;
    settings.publications = {names->publication, names->insert_publication};
  }
  settings.status_interval = cfg.wal.status_interval;
  settings.max_retained = uint64_t{cfg.wal.max_retained_mb} << 20;
  settings.liveness = cfg.liveness;
  std::vector<std::pair<std::string, std::shared_ptr<watcher_runtime>>>
    by_channel;
  for (size_t i = 0; i < cfg.watchers.size(); ++i)
    by_channel.emplace_back(derive_names(cfg.watchers[i]).channel,
                            core.watchers[i]);
  settings.resolve
    = [by_channel](
        const std::string& channel) -> std::optional<resolved_watcher> {
    for (auto& [name, rt] : by_channel)
      if (name == channel)
        return rt->resolved();
    return std::nullopt;
  };
  settings.feedback =
    [by_channel](const std::string& channel) -> std::shared_ptr<wal_feedback> {
    for (auto& [name, rt] : by_channel)
      if (name == channel)
        return rt->wal;
    return nullptr;
  };
  return make_replication_pump_factory(std::move(options), std::move(settings));
}

} // namespace

std::shared_ptr<instance_core> instance_core::create(caf::actor_system& sys,
                                                     watch_config cfg) {
  auto core = std::make_shared<instance_core>();
  core->module = std::make_shared<topic_module>(sys);
  for (auto& spec : cfg.watchers) {
    bool durable = spec.delivery == delivery_mode::at_least_once;
    auto& rt = core->watchers.emplace_back(std::make_shared<watcher_runtime>(
      core->module, watcher_name(spec), cfg.subscribers, durable));
    if (durable && spec.source == watch_source::wal)
      rt->wal = std::make_shared<wal_feedback>();
  }
  core->connection = std::make_shared<connection_board>();
  pg::connect_options listen_opts;
  listen_opts.conninfo = cfg.conninfo;
  listen_opts.password_env = cfg.password_env;
  listen_opts.application_name = cfg.application_name;
  // Keepalives catch a dead peer even while the pump waits for nothing.
  listen_opts.keepalive_idle = cfg.liveness.interval;
  listen_opts.user_timeout = cfg.liveness.timeout;
  core->make_pump = make_pump_factory(listen_opts, cfg.liveness);
  if (std::any_of(cfg.watchers.begin(), cfg.watchers.end(),
                  [](auto& spec) { return spec.source == watch_source::wal; }))
    core->make_wal_pump = wal_pump_factory(*core, cfg, listen_opts);
  // The workers' statements get the time the listener allows for a silent
  // connection plus its answer: enough for DDL on a healthy server, bounded
  // when the server is gone. A request may wait for a connection and one
  // statement before it, hence the margin.
  auto worker_timeout = cfg.liveness.interval + cfg.liveness.timeout;
  core->request_timeout = 3 * worker_timeout;
  auto catalog_opts = listen_opts;
  catalog_opts.application_name += "-ddl";
  core->make_catalog_worker = [catalog_opts, worker_timeout,
                               consumer
                               = cfg.wal.slot](caf::actor_system& system) {
    return spawn_catalog_worker(system, catalog_opts, worker_timeout, consumer);
  };
  auto log_opts = listen_opts;
  log_opts.application_name += "-log";
  core->make_log_worker
    = [log_opts, worker_timeout](caf::actor_system& system) {
        return spawn_log_worker(system, log_opts, worker_timeout);
      };
  core->config = std::move(cfg);
  return core;
}

} // namespace libwatch::detail
