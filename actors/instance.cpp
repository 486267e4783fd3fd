#include "actors/instance.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/gateway.hpp"
#include "actors/instance_core.hpp"
#include "actors/internal_atoms.hpp"
#include "actors/subscription.hpp"
#include "actors/supervisor.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

// -- instance -----------------------------------------------------------------

caf::expected<size_t> instance::find(const watcher_ref& watcher) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch instance is not running");
  return core_->find(watcher.name());
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
  if (!core_)
    return make_error(errc::stopped, "libwatch instance is not running");
  return core_->details(watcher.name());
}

instance_status instance::status() const {
  return core_ ? core_->status() : instance_status{};
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

} // namespace libwatch
