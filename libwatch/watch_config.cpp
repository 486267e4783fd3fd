#include "libwatch/watch_config.hpp"

#include <map>
#include <set>

#include "libwatch/enum_spelling.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/object_names.hpp"

namespace libwatch {

namespace {

struct checker {
  std::vector<spec_problem>& out;
  size_t index;

  void fail(std::string field, std::string message) {
    out.push_back({index, std::move(field), std::move(message)});
  }

  void identifier(const std::string& field, const std::string& name) {
    if (auto problem = identifier_problem(name))
      fail(field, "\"" + name + "\" " + *problem);
  }

  void column_list(const std::string& field,
                   const std::vector<std::string>& columns) {
    std::set<std::string> seen;
    for (size_t i = 0; i < columns.size(); ++i) {
      auto item = field + "[" + std::to_string(i) + "]";
      identifier(item, columns[i]);
      if (!seen.insert(columns[i]).second)
        fail(item, "column \"" + columns[i] + "\" is listed twice");
    }
  }

  void spec(const watcher_spec& w) {
    identifier("schema", w.schema);
    identifier("table", w.table);
    if (!w.primary_key.empty())
      identifier("primary_key", w.primary_key);
    if (!w.label.empty()) {
      if (!is_valid_label(w.label))
        fail("label", "\"" + w.label
                        + "\" is not a valid label; use lower-case letters, "
                          "digits and underscores, starting with a letter or "
                          "underscore");
      else if (auto problem = label_length_problem(w.label))
        fail("label", *problem);
    }
    column_list("extra_columns", w.extra_columns);
    column_list("trigger_columns", w.trigger_columns);
    column_list("association_columns", w.association_columns);
    if (!w.trigger_columns.empty()) {
      if (w.event != event_kind::updated)
        fail("trigger_columns", "Cannot listen to trigger_columns for `"
                                  + std::string{to_string_view(w.event)}
                                  + "` events (only for `updated` events)");
      if (w.label.empty())
        fail("trigger_columns",
             "Label must be used when trigger_columns are specified");
    }
    if (w.source == watch_source::wal) {
      if (w.delivery == delivery_mode::at_least_once
          && w.wakeup != wakeup_mode::notify)
        fail("wakeup", "applies only to source = \"trigger\" (the "
                       "replication stream wakes a WAL watcher)");
      if (w.level != trigger_level::row)
        fail("trigger_level", "applies only to source = \"trigger\"");
      if (w.enable_always)
        fail("enable_always", "applies only to source = \"trigger\"");
    }
    if (w.delivery == delivery_mode::at_most_once
        && w.wakeup != wakeup_mode::notify)
      fail("wakeup", "applies only to durable watchers (delivery = "
                     "at_least_once)");
    if (!w.primary_key.empty())
      for (auto& col : w.association_columns)
        if (col == w.primary_key)
          fail("association_columns",
               "\"" + col
                 + "\" is the primary key; subscribe by primary key instead");
  }
};

} // namespace

namespace {

std::string render(caf::timespan x) {
  using namespace std::chrono;
  auto ns = x.count();
  if (ns % 1'000'000'000 == 0)
    return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0)
    return std::to_string(ns / 1'000'000) + "ms";
  return std::to_string(ns) + "ns";
}

void check_policies(const watch_config& cfg, std::vector<spec_problem>& out) {
  using namespace std::chrono_literals;
  auto fail = [&](std::string field, std::string message) {
    out.push_back(
      {spec_problem::no_watcher, std::move(field), std::move(message)});
  };
  auto range = [&](const char* field, caf::timespan x, caf::timespan lo,
                   caf::timespan hi) {
    if (x < lo || x > hi)
      fail(field, "is " + render(x) + "; must be between " + render(lo)
                    + " and " + render(hi));
  };
  range("reconnect.initial", cfg.reconnect.initial, 1ms, 1h);
  range("reconnect.max", cfg.reconnect.max, 1ms, 24h);
  if (cfg.reconnect.max < cfg.reconnect.initial)
    fail("reconnect.max", "is " + render(cfg.reconnect.max)
                            + "; must not be less than reconnect.initial ("
                            + render(cfg.reconnect.initial) + ")");
  if (!(cfg.reconnect.jitter >= 0.0 && cfg.reconnect.jitter <= 1.0))
    fail("reconnect.jitter", "is " + std::to_string(cfg.reconnect.jitter)
                               + "; must be between 0 and 1");
  range("liveness.interval", cfg.liveness.interval, 100ms, 1h);
  range("liveness.timeout", cfg.liveness.timeout, 100ms, 1h);
  if (cfg.restarts.max_restarts > 1000)
    fail("restarts.max_restarts", "is "
                                    + std::to_string(cfg.restarts.max_restarts)
                                    + "; must be between 0 and 1000");
  range("restarts.window", cfg.restarts.window, 1s, 24h);
  range("durable.poll_interval", cfg.durable.poll_interval, 1ms, 1h);
  range("durable.retention", cfg.durable.retention, 1min, 24h * 3650);
  range("durable.prune_interval", cfg.durable.prune_interval, 10ms, 24h);
  if (cfg.durable.batch_limit < 1 || cfg.durable.batch_limit > 1'000'000)
    fail("durable.batch_limit", "is " + std::to_string(cfg.durable.batch_limit)
                                  + "; must be between 1 and 1000000");
  if (cfg.durable.max_in_flight < 1 || cfg.durable.max_in_flight > 10'000'000)
    fail("durable.max_in_flight", "is "
                                    + std::to_string(cfg.durable.max_in_flight)
                                    + "; must be between 1 and 10000000");
  if (cfg.subscribers.max_queued < 1 || cfg.subscribers.max_queued > 10'000'000)
    fail("subscribers.max_queued",
         "is " + std::to_string(cfg.subscribers.max_queued)
           + "; must be between 1 and 10000000");
  bool any_durable = false;
  // A durable WAL watcher's consumer is its replication slot.
  for (auto& w : cfg.watchers)
    any_durable = any_durable
                  || (w.delivery == delivery_mode::at_least_once
                      && w.source == watch_source::trigger);
  if (any_durable && cfg.durable.consumer.empty())
    fail("durable.consumer", "is required when a watcher has delivery = "
                             "at_least_once; set [durable] consumer to the "
                             "name of this application's consumer");
  if (!cfg.durable.consumer.empty()) {
    if (auto problem = identifier_problem(cfg.durable.consumer))
      fail("durable.consumer", "\"" + cfg.durable.consumer + "\" " + *problem);
  }
  range("wal.status_interval", cfg.wal.status_interval, 100ms, 1h);
  if (cfg.wal.max_retained_mb < 1 || cfg.wal.max_retained_mb > 1'048'576)
    fail("wal.max_retained_mb", "is " + std::to_string(cfg.wal.max_retained_mb)
                                  + "; must be between 1 and 1048576 (1 TiB)");
  bool any_wal = false;
  for (auto& w : cfg.watchers)
    any_wal = any_wal || w.source == watch_source::wal;
  if (any_wal && cfg.wal.slot.empty())
    fail("wal.slot", "is required when a watcher has source = \"wal\"; "
                     "set [wal] slot to a name for this "
                     "application's replication slot");
  if (!cfg.wal.slot.empty()) {
    // PostgreSQL allows only these in slot names.
    if (!is_valid_label(cfg.wal.slot))
      fail("wal.slot", "\"" + cfg.wal.slot
                         + "\" is not a valid slot name; use lower-case "
                           "letters, digits and underscores, starting with "
                           "a letter or underscore");
    else if (cfg.wal.slot.size() > 56)
      fail("wal.slot", "is longer than 56 bytes (it names a replication "
                       "slot and publications)");
    else if (cfg.wal.slot.size() >= 4
             && cfg.wal.slot.compare(cfg.wal.slot.size() - 4, 4, "_ins") == 0)
      fail("wal.slot", "must not end in \"_ins\" (it would share the "
                       "insert-only publication of slot \""
                         + cfg.wal.slot.substr(0, cfg.wal.slot.size() - 4)
                         + "\")");
  }
  // The worker's connection appends "-ddl"; PostgreSQL keeps 63 bytes.
  if (cfg.application_name.size() > 59)
    fail("application_name", "is longer than 59 bytes");
}

} // namespace

std::string_view to_string_view(orphan_policy x) noexcept {
  return x == orphan_policy::drop ? "drop" : "warn";
}

std::string to_string(orphan_policy x) {
  return std::string{to_string_view(x)};
}

std::optional<orphan_policy>
parse_orphan_policy(std::string_view text) noexcept {
  return parse_spelling(text, all_orphan_policies);
}

std::string_view to_string_view(overflow_policy x) noexcept {
  return x == overflow_policy::disconnect ? "disconnect" : "drop";
}

std::string to_string(overflow_policy x) {
  return std::string{to_string_view(x)};
}

std::optional<overflow_policy>
parse_overflow_policy(std::string_view text) noexcept {
  return parse_spelling(text, all_overflow_policies);
}

std::vector<spec_problem> validate(const watch_config& cfg) {
  std::vector<spec_problem> out;
  check_policies(cfg, out);
  std::map<std::string, size_t> labels;
  std::map<std::string, size_t> unlabelled;
  std::map<std::string, size_t> channels;
  for (size_t i = 0; i < cfg.watchers.size(); ++i) {
    auto& w = cfg.watchers[i];
    checker check{out, i};
    auto before = out.size();
    check.spec(w);
    if (!w.label.empty()) {
      auto [pos, added] = labels.emplace(w.label, i);
      if (!added)
        check.fail("label", "The label \"" + w.label
                              + "\" is already used by watcher "
                              + std::to_string(pos->second));
    } else {
      auto key = watcher_name(w);
      auto [pos, added] = unlabelled.emplace(key, i);
      if (!added)
        check.fail("event", "watcher " + std::to_string(pos->second)
                              + " already watches " + key
                              + " without a label; give one of them a label");
    }
    // Names are derived only from specs that passed the checks above.
    if (out.size() == before) {
      auto channel = derive_names(w).channel;
      auto [pos, added] = channels.emplace(channel, i);
      if (!added)
        check.fail("label", "derives the channel name \"" + channel
                              + "\" that watcher " + std::to_string(pos->second)
                              + " also uses; choose another label");
    }
  }
  return out;
}

std::string to_string(const std::vector<spec_problem>& problems,
                      const watch_config& cfg) {
  std::string out;
  for (auto& p : problems) {
    if (p.watcher != spec_problem::no_watcher) {
      out += "watcher ";
      out += std::to_string(p.watcher);
      if (p.watcher < cfg.watchers.size()) {
        out += " (";
        out += watcher_name(cfg.watchers[p.watcher]);
        out += ')';
      }
      out += ": ";
    }
    out += p.field;
    out += ": ";
    out += p.message;
    out += '\n';
  }
  return out;
}

} // namespace libwatch
