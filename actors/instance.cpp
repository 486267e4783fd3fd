#include "actors/instance.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/database_worker.hpp"
#include "actors/gateway.hpp"
#include "actors/instance_core.hpp"
#include "actors/subscription.hpp"
#include "actors/supervisor.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

// -- watcher_ref --------------------------------------------------------------

namespace {

// Accepts `label`, `table:event` and `schema.table:event` (parts may be
// double-quoted as `qualified_name` writes them); adds the default schema.
std::string canonical_name(std::string text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return text;
  bool quoted = false;
  for (size_t i = 0; i < colon; ++i) {
    if (text[i] == '"')
      quoted = !quoted;
    else if (text[i] == '.' && !quoted)
      return text;
  }
  return "public." + text;
}

} // namespace

watcher_ref::watcher_ref(std::string name)
    : name_(canonical_name(std::move(name))) {
  // nop
}

watcher_ref::watcher_ref(const char* name) : watcher_ref(std::string{name}) {
  // nop
}

watcher_ref::watcher_ref(std::string table, event_kind event,
                         std::string schema)
    : name_(qualified_name(schema, table, event)) {
  // nop
}

// -- instance -----------------------------------------------------------------

std::string_view to_string_view(ack_mode x) noexcept {
  switch (x) {
    case ack_mode::manual:
      return "manual";
    case ack_mode::none:
      return "none";
    default:
      return "on_return";
  }
}

caf::expected<size_t> check_request(const std::vector<watcher_spec>& specs,
                                    const topic_request& req) {
  std::optional<size_t> index;
  std::string known;
  for (size_t i = 0; i < specs.size() && !index; ++i) {
    auto name = watcher_name(specs[i]);
    if (name == req.watcher)
      index = i;
    known += (known.empty() ? "" : ", ") + name;
  }
  if (!index)
    return make_error(errc::unknown_watcher, "No watcher found for "
                                               + req.watcher
                                               + " (watchers: " + known + ")");
  auto& spec = specs[*index];
  if (req.ack == ack_mode::manual
      && (spec.delivery != delivery_mode::at_least_once
          || req.kind == topic_kind::key || req.kind == topic_kind::column))
    return make_error(errc::invalid_subscription,
                      "manual acknowledgement needs all() or all_batched() "
                      "of a durable watcher (delivery = at_least_once); "
                      "watcher "
                        + req.watcher
                        + (spec.delivery != delivery_mode::at_least_once
                             ? " is not durable"
                             : " has no acknowledging key or column groups"));
  if (req.kind == topic_kind::key) {
    if (spec.event == event_kind::inserted)
      return make_error(errc::invalid_subscription,
                        "Cannot subscribe to primary_key for inserted records "
                        "because primary key values aren't created until the "
                        "insert happens (watcher "
                          + req.watcher + ")");
    if (req.x.is_null())
      return make_error(errc::invalid_subscription,
                        "a primary key is never null (watcher " + req.watcher
                          + ")");
  }
  if (req.kind == topic_kind::column) {
    for (auto& c : spec.association_columns)
      if (c == req.column)
        return *index;
    std::string columns;
    for (auto& c : spec.association_columns)
      columns += (columns.empty() ? "" : ", ") + c;
    return make_error(errc::invalid_subscription,
                      "Column " + req.column
                        + " is not an association column of watcher "
                        + req.watcher + " (association columns: "
                        + (columns.empty() ? "none" : columns) + ")");
  }
  return *index;
}

caf::expected<size_t> instance::find(const watcher_ref& watcher) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch instance is not running");
  return check_request(core_->config.watchers,
                       topic_request{topic_kind::all, watcher.name(), {}, {}});
}

caf::expected<caf::group> instance::subscribe(const topic_request& req) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch instance is not running");
  auto index = check_request(core_->config.watchers, req);
  if (!index)
    return index.error();
  auto& topics = core_->watchers[*index]->topics;
  switch (req.kind) {
    case topic_kind::all:
      return topics.general(req.ack);
    case topic_kind::batched:
      return topics.batch(req.ack);
    case topic_kind::key:
      return topics.value_topic({}, req.x);
    default:
      return topics.value_topic(req.column, req.x);
  }
}

caf::expected<caf::group> instance::all(const watcher_ref& watcher,
                                        ack_mode ack) const {
  return subscribe({topic_kind::all, watcher.name(), {}, {}, ack});
}

caf::expected<caf::group> instance::all_batched(const watcher_ref& watcher,
                                                ack_mode ack) const {
  return subscribe({topic_kind::batched, watcher.name(), {}, {}, ack});
}

caf::error instance::ack(const caf::actor_addr& subscriber,
                         const watcher_ref& watcher,
                         stream_position upto) const {
  auto index = find(watcher);
  if (!index)
    return index.error();
  auto& rt = *core_->watchers[*index];
  auto* tracker = rt.flow->tracker();
  if (tracker == nullptr || !tracker->ack(subscriber.get(), upto))
    return make_error(errc::invalid_subscription,
                      "nothing to acknowledge: the actor has no manual "
                      "subscription (ack_mode::manual) to watcher "
                        + rt.name);
  return caf::none;
}

caf::error instance::ack(const caf::actor_addr& subscriber,
                         const change& c) const {
  return ack(subscriber, watcher_ref{c.watcher}, c.position);
}

caf::expected<caf::group> instance::by_key(const watcher_ref& watcher,
                                           const value& key) const {
  return subscribe({topic_kind::key, watcher.name(), {}, key});
}

caf::expected<caf::group> instance::by_column(const watcher_ref& watcher,
                                              std::string_view column,
                                              const value& x) const {
  return subscribe(
    {topic_kind::column, watcher.name(), std::string{column}, x});
}

caf::error instance::await_ready(caf::timespan timeout) const {
  if (!supervisor_)
    return make_error(errc::stopped, "libwatch instance is not running");
  caf::scoped_actor self{supervisor_->home_system()};
  // A supervisor that already ended (e.g. fail_fast on an unreachable
  // server) cannot answer; its exit reason is the answer.
  self->monitor(supervisor_);
  caf::error result;
  self->request(supervisor_, timeout, ready_atom::value)
    .receive([] {},
             [&](caf::error& err) {
               if (err == caf::sec::request_timeout)
                 result = make_error(errc::stopped,
                                     "libwatch was not ready in time; "
                                       + describe_state());
               else
                 result = std::move(err);
             });
  if (result == caf::sec::request_receiver_down)
    self->receive(
      [&](caf::down_msg& down) {
        if (down.reason && down.reason != caf::exit_reason::user_shutdown)
          result = std::move(down.reason);
        else
          result = make_error(errc::stopped, "libwatch instance was stopped");
      },
      caf::after(std::chrono::seconds(1)) >> [] {});
  return result;
}

caf::expected<watcher_details>
instance::details(const watcher_ref& watcher) const {
  auto index = find(watcher);
  if (!index)
    return index.error();
  auto& rt = *core_->watchers[*index];
  if (auto w = rt.resolved())
    return details_of(*w);
  return make_error(errc::stopped, "watcher " + rt.name
                                     + " has not been installed yet ("
                                     + to_string(rt.board->state()) + ")");
}

instance_status instance::status() const {
  instance_status result;
  if (!core_)
    return result;
  core_->connection->fill(result);
  for (auto& w : core_->watchers)
    result.watchers.push_back(w->snapshot());
  return result;
}

std::string instance::describe_state() const {
  auto st = status();
  std::string out = "connection: " + st.connection;
  if (!st.last_connection_error.empty())
    out += " (last error: " + st.last_connection_error + ")";
  for (auto& w : st.watchers) {
    out += "; " + w.watcher + ": " + to_string(w.state);
    if (!w.last_error.empty())
      out += " (" + w.last_error + ")";
  }
  return out;
}

void instance::stop() const {
  if (core_ && core_->gateway)
    stop_gateway(supervisor_->home_system(), core_->gateway,
                 core_->cluster_port);
  if (supervisor_)
    caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
}

const watch_config& instance::config() const {
  return core_->config;
}

uint16_t instance::cluster_port() const {
  return core_ ? core_->cluster_port : 0;
}

caf::expected<instance> spawn_watchers(caf::actor_system& sys,
                                       watch_config cfg) {
  auto problems = validate(cfg);
  if (!problems.empty())
    return make_error(errc::invalid_spec, "invalid libwatch configuration:\n"
                                            + to_string(problems, cfg));
  auto core = detail::instance_core::create(sys, std::move(cfg));
  instance result;
  result.core_ = core;
  result.supervisor_ = spawn_supervisor(sys, core);
  if (core->config.cluster.enabled) {
    auto published = publish_gateway(sys, result, core->config.cluster);
    if (!published) {
      result.stop();
      return published.error();
    }
    core->gateway = published->first;
    core->cluster_port = published->second;
  }
  return result;
}

namespace detail {

std::shared_ptr<instance_core> instance_core::create(caf::actor_system& sys,
                                                     watch_config cfg) {
  auto core = std::make_shared<instance_core>();
  core->module = std::make_shared<topic_module>(sys);
  for (auto& spec : cfg.watchers)
    core->watchers.push_back(std::make_shared<watcher_runtime>(
      core->module, watcher_name(spec), cfg.subscribers,
      spec.delivery == delivery_mode::at_least_once));
  core->connection = std::make_shared<connection_board>();
  pg::connect_options listen_opts;
  listen_opts.conninfo = cfg.conninfo;
  listen_opts.password_env = cfg.password_env;
  listen_opts.application_name = cfg.application_name;
  // Keepalives catch a dead peer even while the pump waits for nothing.
  listen_opts.keepalive_idle = cfg.liveness.interval;
  listen_opts.user_timeout = cfg.liveness.timeout;
  core->make_pump = make_pump_factory(listen_opts, cfg.liveness);
  auto worker_opts = listen_opts;
  worker_opts.application_name += "-ddl";
  // The worker's statements get the time the listener allows for a silent
  // connection plus its answer: enough for DDL on a healthy server, bounded
  // when the server is gone.
  auto worker_timeout = cfg.liveness.interval + cfg.liveness.timeout;
  core->make_worker = [worker_opts, worker_timeout](caf::actor_system& system) {
    return spawn_database_worker(system, worker_opts, worker_timeout);
  };
  core->config = std::move(cfg);
  return core;
}

} // namespace detail

} // namespace libwatch
