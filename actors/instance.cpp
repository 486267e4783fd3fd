#include "actors/instance.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/instance_core.hpp"
#include "actors/supervisor.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

// -- watcher_ref --------------------------------------------------------------

namespace {

// Accepts `label`, `table:event` and `schema.table:event`.
std::string canonical_name(std::string text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return text;
  auto prefix = text.substr(0, colon);
  if (prefix.find('.') == std::string::npos)
    return "public." + text;
  return text;
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
    : name_(std::move(schema) + "." + std::move(table) + ":"
            + std::string{to_string_view(event)}) {
  // nop
}

// -- instance -----------------------------------------------------------------

caf::expected<size_t> instance::find(const watcher_ref& watcher) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch instance is not running");
  auto& specs = core_->config.watchers;
  std::string known;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto name = watcher_name(specs[i]);
    if (name == watcher.name())
      return i;
    known += (known.empty() ? "" : ", ") + name;
  }
  return make_error(errc::unknown_watcher, "No watcher found for "
                                             + watcher.name()
                                             + " (watchers: " + known + ")");
}

caf::expected<caf::group> instance::all(const watcher_ref& watcher) const {
  auto index = find(watcher);
  if (!index)
    return index.error();
  return core_->topics[*index]->general();
}

caf::expected<caf::group> instance::by_key(const watcher_ref& watcher,
                                           const value& key) const {
  auto index = find(watcher);
  if (!index)
    return index.error();
  auto& spec = core_->config.watchers[*index];
  if (spec.event == event_kind::inserted)
    return make_error(errc::invalid_subscription,
                      "Cannot subscribe to primary_key for inserted records "
                      "because primary key values aren't created until the "
                      "insert happens (watcher "
                        + watcher.name() + ")");
  if (key.is_null())
    return make_error(errc::invalid_subscription,
                      "a primary key is never null (watcher " + watcher.name()
                        + ")");
  return core_->topics[*index]->value_topic({}, key);
}

caf::expected<caf::group> instance::by_column(const watcher_ref& watcher,
                                              std::string_view column,
                                              const value& x) const {
  auto index = find(watcher);
  if (!index)
    return index.error();
  auto& spec = core_->config.watchers[*index];
  for (auto& c : spec.association_columns)
    if (c == column)
      return core_->topics[*index]->value_topic(column, x);
  std::string known;
  for (auto& c : spec.association_columns)
    known += (known.empty() ? "" : ", ") + c;
  return make_error(errc::invalid_subscription,
                    "Column " + std::string{column}
                      + " is not an association column of watcher "
                      + watcher.name() + " (association columns: "
                      + (known.empty() ? "none" : known) + ")");
}

caf::error instance::await_ready(caf::timespan timeout) const {
  if (!supervisor_)
    return make_error(errc::stopped, "libwatch instance is not running");
  caf::scoped_actor self{supervisor_->home_system()};
  caf::error result;
  self->request(supervisor_, timeout, ready_atom::value)
    .receive([] {},
             [&](caf::error& err) {
               if (err == caf::sec::request_timeout)
                 result = make_error(errc::stopped,
                                     "libwatch was not ready in time");
               else
                 result = std::move(err);
             });
  return result;
}

void instance::stop() const {
  if (supervisor_)
    caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
}

const watch_config& instance::config() const {
  return core_->config;
}

caf::expected<instance> spawn_watchers(caf::actor_system& sys,
                                       watch_config cfg) {
  auto problems = validate(cfg);
  if (!problems.empty())
    return make_error(errc::invalid_spec, "invalid libwatch configuration:\n"
                                            + to_string(problems, cfg));
  auto core = std::make_shared<detail::instance_core>();
  core->module = std::make_shared<topic_module>(sys);
  for (auto& spec : cfg.watchers)
    core->topics.push_back(
      std::make_shared<topic_table>(core->module, watcher_name(spec)));
  core->config = std::move(cfg);
  instance result;
  result.core_ = core;
  result.supervisor_ = spawn_supervisor(sys, std::move(core));
  return result;
}

} // namespace libwatch
