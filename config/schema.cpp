#include "config/schema.hpp"

#include <algorithm>
#include <stdexcept>

#include "config/field_readers.hpp"
#include "config/section_readers.hpp"
#include "config/watcher_entry.hpp"

namespace libwatch::config {

namespace {

using cfg = watch_config;
using entry = watcher_entry;
using spec = watcher_spec;

std::vector<section_def> make_sections() {
  // Defaults and ranges are the ones of watch_config and validate(), which
  // also serve configurations built in code; `setting` ties a key to the
  // name validate() reports it by.
  return {
    {"database",
     false,
     {
       {"conninfo", read_conninfo},
       {"password_env", read_password_env},
       {"application_name", read_application_name, "application_name"},
     },
     reject_password},
    {"listener",
     false,
     {
       {"reconnect_initial",
        read_duration<&cfg::reconnect, &reconnect_policy::initial>,
        "reconnect.initial"},
       {"reconnect_max", read_duration<&cfg::reconnect, &reconnect_policy::max>,
        "reconnect.max"},
       {"reconnect_jitter",
        read_number<&cfg::reconnect, &reconnect_policy::jitter>,
        "reconnect.jitter"},
       {"liveness_interval",
        read_duration<&cfg::liveness, &liveness_policy::interval>,
        "liveness.interval"},
       {"liveness_timeout",
        read_duration<&cfg::liveness, &liveness_policy::timeout>,
        "liveness.timeout"},
       {"fail_fast",
        read_boolean<&cfg::reconnect, &reconnect_policy::fail_fast>},
     }},
    {"supervision",
     false,
     {
       {"max_restarts",
        read_count<&cfg::restarts, &restart_policy::max_restarts>,
        "restarts.max_restarts", "must not be negative"},
       {"restart_window",
        read_duration<&cfg::restarts, &restart_policy::window>,
        "restarts.window"},
       {"max_reconnect_attempts",
        read_count<&cfg::reconnect, &reconnect_policy::max_attempts>, "",
        "must be 0 (retry forever) or a positive number"},
     }},
    {"cleanup",
     false,
     {
       {"orphans",
        read_choice<parse_orphan_policy, all_orphan_policies, &cfg::orphans>},
     }},
    {"durable",
     false,
     {
       {"consumer", read_string<&cfg::durable, &durable_policy::consumer>,
        "durable.consumer"},
       {"poll_interval",
        read_duration<&cfg::durable, &durable_policy::poll_interval>,
        "durable.poll_interval"},
       {"retention", read_duration<&cfg::durable, &durable_policy::retention>,
        "durable.retention"},
       {"batch_limit", read_count<&cfg::durable, &durable_policy::batch_limit>,
        "durable.batch_limit", "must be a positive number"},
       {"prune_interval",
        read_duration<&cfg::durable, &durable_policy::prune_interval>,
        "durable.prune_interval"},
       {"max_in_flight",
        read_count<&cfg::durable, &durable_policy::max_in_flight>,
        "durable.max_in_flight", "must be a positive number"},
     }},
    {"wal",
     false,
     {
       {"slot", read_string<&cfg::wal, &wal_policy::slot>, "wal.slot"},
       {"status_interval",
        read_duration<&cfg::wal, &wal_policy::status_interval>,
        "wal.status_interval"},
       {"max_retained_mb", read_count<&cfg::wal, &wal_policy::max_retained_mb>,
        "wal.max_retained_mb", "must be a positive number"},
     }},
    {"subscribers",
     false,
     {
       {"max_queued",
        read_count<&cfg::subscribers, &subscriber_policy::max_queued>,
        "subscribers.max_queued", "must be a positive number"},
       {"overflow",
        read_choice<parse_overflow_policy, all_overflow_policies,
                    &cfg::subscribers, &subscriber_policy::overflow>},
     }},
    {"cluster", false, {{"listen", read_listen}}},
    {"watcher",
     true,
     {
       {"table", read_table},
       {"schema", read_string<&entry::spec, &spec::schema>},
       {"event", read_event},
       {"events", read_events},
       {"label", read_name<&spec::label>, "",
        "leave label out for an unlabelled watcher"},
       {"primary_key", read_name<&spec::primary_key>, "",
        "leave primary_key out to read it from the catalog"},
       {"extra_columns", read_columns<&spec::extra_columns>},
       {"trigger_columns", read_columns<&spec::trigger_columns>},
       {"association_columns", read_columns<&spec::association_columns>},
       {"debug", read_boolean<&entry::spec, &spec::debug>},
       {"enable_always", read_boolean<&entry::spec, &spec::enable_always>},
       {"trigger_level", read_choice<parse_trigger_level, all_trigger_levels,
                                     &entry::spec, &spec::level>},
       {"delivery", read_choice<parse_delivery_mode, all_delivery_modes,
                                &entry::spec, &spec::delivery>},
       {"wakeup", read_choice<parse_wakeup_mode, all_wakeup_modes, &entry::spec,
                              &spec::wakeup>},
       {"source", read_choice<parse_watch_source, all_watch_sources,
                              &entry::spec, &spec::source>},
     }},
  };
}

} // namespace

std::string section_def::header() const {
  auto brackets = repeated ? std::string_view{"[["} : std::string_view{"["};
  auto closing = repeated ? std::string_view{"]]"} : std::string_view{"]"};
  return std::string{brackets} + std::string{name} + std::string{closing};
}

std::vector<std::string_view> section_def::key_names() const {
  std::vector<std::string_view> out;
  for (auto& key : keys)
    out.push_back(key.name);
  return out;
}

bool section_def::has_key(std::string_view key) const {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const key_def& x) { return x.name == key; });
}

const std::vector<section_def>& sections() {
  static const std::vector<section_def> defs = make_sections();
  return defs;
}

const section_def* find_section(std::string_view name) {
  for (auto& def : sections())
    if (def.name == name)
      return &def;
  return nullptr;
}

const section_def& section(std::string_view name) {
  if (auto* def = find_section(name))
    return *def;
  throw std::logic_error("config schema: no section named \""
                         + std::string{name} + "\"");
}

const section_def* home_of(std::string_view key, std::string_view current) {
  for (auto& def : sections())
    if (def.name != current && def.has_key(key))
      return &def;
  return nullptr;
}

std::string section_headers() {
  std::string out;
  auto& defs = sections();
  for (size_t i = 0; i < defs.size(); ++i) {
    if (i > 0)
      out += i + 1 == defs.size() ? " and " : ", ";
    out += defs[i].header();
  }
  return out;
}

std::optional<setting_source> find_setting(std::string_view setting) {
  for (auto& def : sections())
    for (auto& key : def.keys)
      if (!key.setting.empty() && key.setting == setting)
        return setting_source{&def, &key};
  return std::nullopt;
}

} // namespace libwatch::config
