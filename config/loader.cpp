#include "config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "config/conninfo_check.hpp"
#include "config/duration.hpp"
#include "config/spelling.hpp"

#include "libwatch/event.hpp"

namespace libwatch::config {

namespace {

// -- vocabulary ---------------------------------------------------------------

using key_list = std::vector<std::string_view>;

struct section_def {
  std::string_view name;
  std::string_view header;
  key_list keys;
};

const std::vector<section_def>& sections() {
  static const std::vector<section_def> defs{
    {"database",
     "[database]",
     {"conninfo", "password_env", "application_name"}},
    {"listener",
     "[listener]",
     {"reconnect_initial", "reconnect_max", "reconnect_jitter",
      "liveness_interval", "liveness_timeout", "fail_fast"}},
    {"supervision",
     "[supervision]",
     {"max_restarts", "restart_window", "max_reconnect_attempts"}},
    {"cleanup", "[cleanup]", {"orphans"}},
    {"durable",
     "[durable]",
     {"consumer", "poll_interval", "retention", "batch_limit", "prune_interval",
      "max_in_flight"}},
    {"subscribers", "[subscribers]", {"max_queued", "overflow"}},
    {"cluster", "[cluster]", {"listen"}},
    {"watcher",
     "[[watcher]]",
     {"table", "schema", "event", "events", "label", "primary_key",
      "extra_columns", "trigger_columns", "association_columns", "debug",
      "enable_always", "trigger_level", "delivery", "wakeup"}},
  };
  return defs;
}

const section_def* find_section(std::string_view name) {
  for (auto& def : sections())
    if (def.name == name)
      return &def;
  return nullptr;
}

const section_def& section(std::string_view name) {
  return *find_section(name);
}

// Maps the settings `validate` names to the TOML keys that set them.
struct setting_key {
  std::string_view field;
  std::string_view section;
  std::string_view key;
};

constexpr setting_key setting_keys[] = {
  {"reconnect.initial", "listener", "reconnect_initial"},
  {"reconnect.max", "listener", "reconnect_max"},
  {"reconnect.jitter", "listener", "reconnect_jitter"},
  {"liveness.interval", "listener", "liveness_interval"},
  {"liveness.timeout", "listener", "liveness_timeout"},
  {"restarts.max_restarts", "supervision", "max_restarts"},
  {"restarts.window", "supervision", "restart_window"},
  {"application_name", "database", "application_name"},
  {"durable.consumer", "durable", "consumer"},
  {"durable.poll_interval", "durable", "poll_interval"},
  {"durable.retention", "durable", "retention"},
  {"durable.prune_interval", "durable", "prune_interval"},
  {"durable.batch_limit", "durable", "batch_limit"},
  {"durable.max_in_flight", "durable", "max_in_flight"},
  {"subscribers.max_queued", "subscribers", "max_queued"},
};

constexpr std::string_view event_names
  = "\"inserted\", \"updated\" or \"deleted\"";

// -- helpers ------------------------------------------------------------------

struct position {
  uint32_t line = 0;
  uint32_t column = 0;
};

position position_of(const toml::source_region& src) {
  return {src.begin.line, src.begin.column};
}

position position_of(const toml::node& node) {
  return position_of(node.source());
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

std::string join(const key_list& words) {
  std::string out;
  for (auto& word : words) {
    if (!out.empty())
      out += ", ";
    out += word;
  }
  return out;
}

std::string_view type_phrase(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "nothing";
  }
}

// The header of the section (other than `current`) that allows `key`.
std::optional<std::string_view> home_of(std::string_view key,
                                        std::string_view current) {
  for (auto& def : sections())
    if (def.name != current
        && std::find(def.keys.begin(), def.keys.end(), key) != def.keys.end())
      return def.header;
  return std::nullopt;
}

bool is_env_name(std::string_view name) {
  auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (name.empty() || !letter(name.front()))
    return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return letter(c) || (c >= '0' && c <= '9');
  });
}

// -- collecting problems ------------------------------------------------------

// Everything found while reading: the problems, and where each key was set so
// that problems found later by `validate` can point at it.
struct context {
  std::string file;
  std::vector<config_error> errors;
  std::map<std::string, position> set_at;
  std::map<std::string, position> section_at;

  void fail(position at, std::string path, std::string message) {
    errors.push_back(
      {file, at.line, at.column, std::move(path), std::move(message)});
  }

  // Whether one of the first `count` errors concerns `path` or a part of it.
  bool failed(const std::string& path, size_t count) const {
    auto end = errors.begin() + static_cast<ptrdiff_t>(count);
    return std::any_of(errors.begin(), end, [&](const config_error& e) {
      return e.path == path
             || (e.path.size() > path.size() && e.path.rfind(path, 0) == 0
                 && (e.path[path.size()] == '[' || e.path[path.size()] == '.'));
    });
  }

  bool failed(const std::string& path) const {
    return failed(path, errors.size());
  }
};

// Strings of an array, with the index and position each had in the file.
struct string_list {
  std::vector<std::string> values;
  std::vector<size_t> indices;
  std::vector<position> positions;
};

// Reads typed values out of one TOML table, reporting wrong types.
class table_reader {
public:
  table_reader(context& ctx, const toml::table& table, std::string prefix)
      : ctx_(ctx), table_(table), prefix_(std::move(prefix)) {
    for (auto&& [key, node] : table_)
      ctx_.set_at[path(key.str())] = position_of(node);
  }

  std::string path(std::string_view key) const {
    return prefix_ + "." + std::string{key};
  }

  void fail_here(std::string path, std::string message) {
    ctx_.fail(position_of(table_), std::move(path), std::move(message));
  }

  const toml::node* find(std::string_view key) const {
    return table_.get(key);
  }

  void fail(const toml::node& node, std::string path, std::string message) {
    ctx_.fail(position_of(node), std::move(path), std::move(message));
  }

  void fail_key(std::string_view key, std::string message) {
    auto it = table_.find(key);
    ctx_.fail(position_of(it->first.source()), path(key), std::move(message));
  }

  void wrong_type(const toml::node& node, std::string path,
                  std::string_view expected) {
    fail(node, std::move(path),
         "must be " + std::string{expected} + ", not "
           + std::string{type_phrase(node.type())});
  }

  void check_keys(const section_def& def) {
    for (auto&& [key, node] : table_)
      if (!ctx_.failed(path(key.str())))
        check_key(def, key.str());
  }

  std::optional<std::string> string(std::string_view key) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    if (auto* str = node->as_string())
      return str->get();
    wrong_type(*node, path(key), "a string");
    return std::nullopt;
  }

  // One of `options`, written as its to_string_view spelling; anything else
  // is an error listing them.
  template <class T>
  std::optional<T> choice(std::string_view key,
                          std::initializer_list<T> options) {
    auto x = string(key);
    if (!x)
      return std::nullopt;
    for (auto option : options)
      if (*x == to_string_view(option))
        return option;
    std::string valid;
    size_t left = options.size();
    for (auto option : options) {
      valid += "\"" + std::string{to_string_view(option)} + "\"";
      --left;
      valid += left > 1 ? ", " : left == 1 ? " or " : "";
    }
    fail(*find(key), path(key), "is " + in_quotes(*x) + "; must be " + valid);
    return std::nullopt;
  }

  std::optional<bool> boolean(std::string_view key) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    if (auto* flag = node->as_boolean())
      return flag->get();
    wrong_type(*node, path(key), "a boolean (true or false)");
    return std::nullopt;
  }

  std::optional<double> number(std::string_view key) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    if (auto* x = node->as_floating_point())
      return x->get();
    if (auto* x = node->as_integer())
      return static_cast<double>(x->get());
    wrong_type(*node, path(key), "a number");
    return std::nullopt;
  }

  std::optional<uint32_t> count(std::string_view key,
                                std::string_view if_negative) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    auto* x = node->as_integer();
    if (x == nullptr) {
      wrong_type(*node, path(key), "an integer");
      return std::nullopt;
    }
    auto value = x->get();
    if (value < 0)
      fail(*node, path(key),
           "is " + std::to_string(value) + "; " + std::string{if_negative});
    else if (value > std::numeric_limits<uint32_t>::max())
      fail(*node, path(key),
           "is " + std::to_string(value) + "; must be at most "
             + std::to_string(std::numeric_limits<uint32_t>::max()));
    else
      return static_cast<uint32_t>(value);
    return std::nullopt;
  }

  std::optional<caf::timespan> duration(std::string_view key) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    auto* str = node->as_string();
    if (str == nullptr) {
      fail(*node, path(key),
           "must be a duration string, not "
             + std::string{type_phrase(node->type())} + "; "
             + std::string{duration_forms});
      return std::nullopt;
    }
    auto [value, problem] = parse_duration(str->get());
    if (!value)
      fail(*node, path(key), problem);
    return value;
  }

  std::optional<string_list> strings(std::string_view key) {
    auto* node = find(key);
    if (node == nullptr)
      return std::nullopt;
    auto* array = node->as_array();
    if (array == nullptr) {
      wrong_type(*node, path(key), "an array of strings");
      return std::nullopt;
    }
    string_list out;
    for (size_t i = 0; i < array->size(); ++i) {
      auto& element = *array->get(i);
      auto element_path = path(key) + "[" + std::to_string(i) + "]";
      if (auto* str = element.as_string()) {
        out.values.push_back(str->get());
        out.indices.push_back(i);
        out.positions.push_back(position_of(element));
      } else {
        wrong_type(element, element_path, "a string");
      }
    }
    return out;
  }

private:
  void check_key(const section_def& def, std::string_view key) {
    if (std::find(def.keys.begin(), def.keys.end(), key) != def.keys.end())
      return;
    if (auto guess = closest(key, def.keys))
      fail_key(key, "unknown key; did you mean " + in_quotes(*guess) + "?");
    else if (auto home = home_of(key, def.name))
      fail_key(key, "unknown key in " + std::string{def.header}
                      + "; it belongs in " + std::string{*home});
    else
      fail_key(key, "unknown key; valid keys in " + std::string{def.header}
                      + " are " + join(def.keys));
  }

  context& ctx_;
  const toml::table& table_;
  std::string prefix_;
};

// -- sections -----------------------------------------------------------------

void read_database(table_reader& in, watch_config& cfg) {
  if (in.find("password") != nullptr)
    in.fail_key("password", "passwords do not belong in configuration files; "
                              + std::string{password_advice});
  auto no_nul = [&](std::string_view key, std::optional<std::string> value) {
    if (value && value->find('\0') != std::string::npos) {
      in.fail(*in.find(key), in.path(key), "must not contain a NUL byte");
      return std::optional<std::string>{};
    }
    return value;
  };
  if (auto x = no_nul("conninfo", in.string("conninfo"))) {
    if (auto problem = conninfo_problem(*x))
      in.fail(*in.find("conninfo"), in.path("conninfo"), *problem);
    cfg.conninfo = *x;
  }
  if (auto x = in.string("password_env")) {
    if (!is_env_name(*x))
      in.fail(*in.find("password_env"), in.path("password_env"),
              "is " + in_quotes(*x)
                + "; must be the name of an environment variable: letters, "
                  "digits and underscores, not starting with a digit");
    cfg.password_env = *x;
  }
  if (auto x = no_nul("application_name", in.string("application_name")))
    cfg.application_name = *x;
  in.check_keys(section("database"));
}

void read_listener(table_reader& in, watch_config& cfg) {
  if (auto x = in.duration("reconnect_initial"))
    cfg.reconnect.initial = *x;
  if (auto x = in.duration("reconnect_max"))
    cfg.reconnect.max = *x;
  if (auto x = in.number("reconnect_jitter"))
    cfg.reconnect.jitter = *x;
  if (auto x = in.duration("liveness_interval"))
    cfg.liveness.interval = *x;
  if (auto x = in.duration("liveness_timeout"))
    cfg.liveness.timeout = *x;
  if (auto x = in.boolean("fail_fast"))
    cfg.reconnect.fail_fast = *x;
  in.check_keys(section("listener"));
}

void read_supervision(table_reader& in, watch_config& cfg) {
  if (auto x = in.count("max_restarts", "must not be negative"))
    cfg.restarts.max_restarts = *x;
  if (auto x = in.duration("restart_window"))
    cfg.restarts.window = *x;
  if (auto x = in.count("max_reconnect_attempts",
                        "must be 0 (retry forever) or a positive number"))
    cfg.reconnect.max_attempts = *x;
  in.check_keys(section("supervision"));
}

void read_cleanup(table_reader& in, watch_config& cfg) {
  if (auto x = in.choice("orphans", {orphan_policy::warn, orphan_policy::drop}))
    cfg.orphans = *x;
  in.check_keys(section("cleanup"));
}

void read_durable(table_reader& in, watch_config& cfg) {
  if (auto x = in.string("consumer"))
    cfg.durable.consumer = *x;
  if (auto x = in.duration("poll_interval"))
    cfg.durable.poll_interval = *x;
  if (auto x = in.duration("retention"))
    cfg.durable.retention = *x;
  if (auto x = in.duration("prune_interval"))
    cfg.durable.prune_interval = *x;
  if (auto x = in.count("batch_limit", "must be a positive number"))
    cfg.durable.batch_limit = *x;
  if (auto x = in.count("max_in_flight", "must be a positive number"))
    cfg.durable.max_in_flight = *x;
  in.check_keys(section("durable"));
}

void read_subscribers(table_reader& in, watch_config& cfg) {
  if (auto x = in.count("max_queued", "must be a positive number"))
    cfg.subscribers.max_queued = *x;
  if (auto x = in.choice("overflow",
                         {overflow_policy::drop, overflow_policy::disconnect}))
    cfg.subscribers.overflow = *x;
  in.check_keys(section("subscribers"));
}

// Reads `HOST:PORT`, `[IPV6]:PORT`, `:PORT` or `PORT` (host: loopback).
void read_cluster(table_reader& in, watch_config& cfg) {
  if (auto x = in.string("listen")) {
    auto fail = [&](const std::string& why) {
      in.fail(*in.find("listen"), in.path("listen"),
              "is " + in_quotes(*x) + "; " + why);
    };
    std::string host = "127.0.0.1";
    std::string port = *x;
    auto colon = x->rfind(':');
    if (colon != std::string::npos) {
      host = x->substr(0, colon);
      port = x->substr(colon + 1);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      if (host.empty())
        host = "127.0.0.1";
    }
    bool digits = !port.empty() && port.size() <= 5
                  && port.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(port) > 65535) {
      fail("must be \"HOST:PORT\" with a port from 0 to 65535, e.g. "
           "\"127.0.0.1:4242\"");
    } else {
      cfg.cluster.enabled = true;
      cfg.cluster.host = host;
      cfg.cluster.port = static_cast<uint16_t>(std::stoul(port));
    }
  }
  in.check_keys(section("cluster"));
}

// -- watchers -----------------------------------------------------------------

// Where the event of one built watcher came from.
struct event_site {
  event_kind event;
  std::string path;
  position at;
};

// One [[watcher]] entry: the spec without its event, and its events.
struct entry {
  size_t index;
  position header;
  watcher_spec spec;
  std::vector<event_site> events;
  std::map<std::string, string_list> lists;
  // Set when the entry's identity (table, schema, label, events) is unknown,
  // so comparing it with other watchers would report made-up duplicates.
  bool broken = false;

  std::string path() const {
    return "watcher[" + std::to_string(index) + "]";
  }
};

std::optional<event_kind> read_event_name(table_reader& in,
                                          const toml::node& node,
                                          const std::string& path) {
  auto* name = node.as_string();
  if (name == nullptr) {
    in.wrong_type(node, path, "a string");
    return std::nullopt;
  }
  auto kind = parse_event_kind(name->get());
  if (!kind)
    in.fail(node, path,
            "is " + in_quotes(name->get()) + "; must be "
              + std::string{event_names});
  return kind;
}

void read_event_list(table_reader& in, const toml::node& node, entry& e) {
  auto* array = node.as_array();
  if (array == nullptr) {
    in.wrong_type(node, in.path("events"), "an array of event names");
    return;
  }
  if (array->empty())
    in.fail(node, in.path("events"),
            "must not be empty; list one or more of "
              + std::string{event_names});
  for (size_t i = 0; i < array->size(); ++i) {
    auto& element = *array->get(i);
    auto path = in.path("events") + "[" + std::to_string(i) + "]";
    auto kind = read_event_name(in, element, path);
    if (!kind)
      continue;
    auto same = [&](const event_site& s) { return s.event == *kind; };
    if (std::any_of(e.events.begin(), e.events.end(), same))
      in.fail(element, path,
              in_quotes(to_string_view(*kind)) + " is listed twice");
    else
      e.events.push_back({*kind, path, position_of(element)});
  }
}

void read_events(table_reader& in, entry& e) {
  auto* one = in.find("event");
  auto* many = in.find("events");
  if (one != nullptr && many != nullptr) {
    in.fail(*many, in.path("events"), "use either event or events, not both");
  } else if (one != nullptr) {
    if (one->is_array())
      in.fail(*one, in.path("event"),
              "must be a string, not an array; use events for several");
    else if (auto kind = read_event_name(in, *one, in.path("event")))
      e.events.push_back({*kind, in.path("event"), position_of(*one)});
  } else if (many != nullptr) {
    read_event_list(in, *many, e);
  } else {
    in.fail_here(in.path("event"), "is missing; set event to "
                                     + std::string{event_names}
                                     + ", or events to a list of them");
  }
}

void read_name(table_reader& in, std::string_view key, std::string& out,
               std::string_view if_empty) {
  auto value = in.string(key);
  if (!value)
    return;
  if (value->empty())
    in.fail(*in.find(key), in.path(key),
            "must not be empty; " + std::string{if_empty});
  else
    out = *value;
}

entry read_entry(context& ctx, const toml::table& table, size_t index) {
  entry e{index, position_of(table), {}, {}, {}, false};
  table_reader in{ctx, table, e.path()};
  if (in.find("table") == nullptr)
    in.fail_here(in.path("table"), "is missing; name the table to watch");
  else if (auto x = in.string("table"))
    e.spec.table = *x;
  if (auto x = in.string("schema"))
    e.spec.schema = *x;
  read_name(in, "label", e.spec.label,
            "leave label out for an unlabelled watcher");
  read_events(in, e);
  e.broken = e.events.empty();
  for (auto key : {"table", "schema", "label"})
    e.broken = e.broken || ctx.failed(in.path(key));
  read_name(in, "primary_key", e.spec.primary_key,
            "leave primary_key out to read it from the catalog");
  for (auto key : {"extra_columns", "trigger_columns", "association_columns"})
    if (auto list = in.strings(key))
      e.lists[key] = *list;
  e.spec.extra_columns = e.lists["extra_columns"].values;
  e.spec.trigger_columns = e.lists["trigger_columns"].values;
  e.spec.association_columns = e.lists["association_columns"].values;
  if (auto x = in.boolean("debug"))
    e.spec.debug = *x;
  if (auto x = in.boolean("enable_always"))
    e.spec.enable_always = *x;
  if (auto x = in.choice("trigger_level",
                         {trigger_level::row, trigger_level::statement}))
    e.spec.level = *x;
  if (auto x = in.choice("delivery", {delivery_mode::at_most_once,
                                      delivery_mode::at_least_once}))
    e.spec.delivery = *x;
  if (auto x = in.choice("wakeup", {wakeup_mode::notify, wakeup_mode::poll}))
    e.spec.wakeup = *x;
  in.check_keys(section("watcher"));
  return e;
}

void read_watchers(context& ctx, const toml::node& node,
                   std::vector<entry>& out) {
  auto* array = node.as_array();
  if (array == nullptr) {
    ctx.fail(position_of(node), "watcher",
             node.is_table()
               ? "must be an array of tables; write [[watcher]] (double "
                 "brackets) for each watcher"
               : "must be an array of tables ([[watcher]]), not "
                   + std::string{type_phrase(node.type())});
    return;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    auto& element = *array->get(i);
    if (auto* table = element.as_table())
      out.push_back(read_entry(ctx, *table, i));
    else
      ctx.fail(position_of(element), "watcher[" + std::to_string(i) + "]",
               "must be a table, not "
                 + std::string{type_phrase(element.type())});
  }
}

void read_section(context& ctx, const section_def& def, const toml::node& node,
                  watch_config& cfg) {
  auto* table = node.as_table();
  if (table == nullptr) {
    ctx.fail(position_of(node), std::string{def.name},
             "must be a table (" + std::string{def.header} + "), not "
               + std::string{type_phrase(node.type())});
    return;
  }
  ctx.section_at[std::string{def.name}] = position_of(*table);
  table_reader in{ctx, *table, std::string{def.name}};
  if (def.name == "database")
    read_database(in, cfg);
  else if (def.name == "listener")
    read_listener(in, cfg);
  else if (def.name == "supervision")
    read_supervision(in, cfg);
  else if (def.name == "durable")
    read_durable(in, cfg);
  else if (def.name == "cluster")
    read_cluster(in, cfg);
  else if (def.name == "subscribers")
    read_subscribers(in, cfg);
  else
    read_cleanup(in, cfg);
}

// "[database], [listener], ... and [[watcher]]", from the section table so
// a new section cannot be forgotten here.
std::string section_headers() {
  std::string out;
  auto& defs = sections();
  for (size_t i = 0; i < defs.size(); ++i) {
    if (i > 0)
      out += i + 1 == defs.size() ? " and " : ", ";
    out += std::string{defs[i].header};
  }
  return out;
}

void unknown_top_level(context& ctx, const toml::key& key,
                       const toml::node& node) {
  key_list names;
  for (auto& def : sections())
    names.push_back(def.name);
  auto name = key.str();
  bool section_like = node.is_table() || node.is_array_of_tables();
  std::string kind = section_like ? "unknown section" : "unknown key";
  auto home = section_like ? std::nullopt : home_of(name, "");
  std::string message;
  if (home)
    message
      = "unknown key at the top level; it belongs in " + std::string{*home};
  else if (auto guess = closest(name, names))
    message
      = kind + "; did you mean " + std::string{section(*guess).header} + "?";
  else
    message = kind + "; valid sections are " + section_headers();
  ctx.fail(position_of(key.source()), std::string{name}, message);
}

void read_document(context& ctx, const toml::table& doc, watch_config& cfg,
                   std::vector<entry>& entries) {
  for (auto&& [key, node] : doc) {
    auto name = key.str();
    if (name == "watcher")
      read_watchers(ctx, node, entries);
    else if (auto def = find_section(name))
      read_section(ctx, *def, node, cfg);
    else
      unknown_top_level(ctx, key, node);
  }
}

// -- problems found by validate -----------------------------------------------

// One watcher of the built configuration and the entry it came from.
struct built_watcher {
  const entry* origin;
  event_site site;
};

using location = std::pair<std::string, position>;

// Where the setting `validate` calls `field` was set: its key, else its
// section, else nowhere (a default is at fault).
location locate_setting(const context& ctx, const std::string& field) {
  for (auto& setting : setting_keys) {
    if (setting.field != field)
      continue;
    auto path = std::string{setting.section} + "." + std::string{setting.key};
    if (auto key = ctx.set_at.find(path); key != ctx.set_at.end())
      return {path, key->second};
    auto sec = ctx.section_at.find(std::string{setting.section});
    return {path, sec != ctx.section_at.end() ? sec->second : position{}};
  }
  return {field, {}};
}

// Where the key (or array element) behind `field`, e.g. `extra_columns[1]`,
// was set for watcher `w`.
location locate_in_watcher(const context& ctx, const built_watcher& w,
                           const std::string& field) {
  auto& e = *w.origin;
  if (field == "event")
    return {w.site.path, w.site.at};
  auto bracket = field.find('[');
  if (bracket != std::string::npos) {
    auto list = e.lists.find(field.substr(0, bracket));
    auto i = std::strtoul(field.c_str() + bracket + 1, nullptr, 10);
    if (list != e.lists.end() && i < list->second.indices.size())
      return {e.path() + "." + list->first + "["
                + std::to_string(list->second.indices[i]) + "]",
              list->second.positions[i]};
    return {e.path() + "." + field, e.header};
  }
  auto path = e.path() + "." + field;
  auto key = ctx.set_at.find(path);
  return {path, key != ctx.set_at.end() ? key->second : e.header};
}

// Reports problems of `validate` unless reading already reported the key.
class problem_mapper {
public:
  explicit problem_mapper(context& ctx)
      : ctx_(ctx), reading_errors_(ctx.errors.size()) {}

  void check(const watch_config& cfg,
             const std::vector<built_watcher>& watchers) {
    for (auto& problem : validate(cfg)) {
      if (problem.watcher == spec_problem::no_watcher)
        report(locate_setting(ctx_, problem.field), problem.message);
      else
        report(
          locate_in_watcher(ctx_, watchers[problem.watcher], problem.field),
          problem.message);
    }
  }

  // Checks a broken entry on its own so its unknown parts cannot clash with
  // other watchers; a placeholder stands in for a label that failed to read.
  void check_alone(const entry& e) {
    auto sites = e.events;
    if (sites.empty())
      sites.push_back({event_kind::updated, e.path() + ".event", e.header});
    for (auto& site : sites) {
      watch_config one;
      one.watchers.push_back(e.spec);
      one.watchers.back().event = site.event;
      if (ctx_.failed(e.path() + ".label", reading_errors_))
        one.watchers.back().label = "placeholder";
      for (auto& problem : validate(one))
        if (problem.watcher != spec_problem::no_watcher)
          report(locate_in_watcher(ctx_, {&e, site}, problem.field),
                 problem.message);
    }
  }

private:
  void report(const location& where, const std::string& message) {
    if (!ctx_.failed(where.first, reading_errors_))
      ctx_.fail(where.second, where.first, message);
  }

  context& ctx_;
  size_t reading_errors_;
};

void check_semantics(context& ctx, const std::vector<entry>& entries,
                     watch_config& cfg) {
  problem_mapper mapper{ctx};
  std::vector<built_watcher> built;
  for (auto& e : entries) {
    if (e.broken)
      continue;
    for (auto& site : e.events) {
      cfg.watchers.push_back(e.spec);
      cfg.watchers.back().event = site.event;
      built.push_back({&e, site});
    }
  }
  mapper.check(cfg, built);
  for (auto& e : entries)
    if (e.broken)
      mapper.check_alone(e);
}

std::vector<config_error> finish(std::vector<config_error> errors) {
  std::set<std::tuple<uint32_t, uint32_t, std::string, std::string>> seen;
  std::vector<config_error> out;
  for (auto& e : errors)
    if (seen.emplace(e.line, e.column, e.path, e.message).second)
      out.push_back(std::move(e));
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return out;
}

load_result unreadable(const std::string& path, std::string reason) {
  load_result result;
  result.errors.push_back({path, 0, 0, "", "cannot read the file: " + reason});
  return result;
}

} // namespace

std::string to_string(const config_error& x) {
  auto out = x.file;
  if (x.line != 0)
    out += ":" + std::to_string(x.line) + ":" + std::to_string(x.column);
  out += ": ";
  if (!x.path.empty())
    out += x.path + ": ";
  out += x.message;
  return out;
}

std::string to_string(const std::vector<config_error>& xs) {
  std::string out;
  for (auto& x : xs) {
    out += to_string(x);
    out += '\n';
  }
  return out;
}

load_result load_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return unreadable(path, "it is a directory");
  errno = 0;
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return unreadable(path,
                      errno != 0 ? std::strerror(errno) : "unknown error");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return unreadable(path, errno != 0 ? std::strerror(errno) : "read error");
  return load_string(text.str(), path);
}

load_result load_string(std::string_view text, std::string source_name) {
  load_result result;
  context ctx{std::move(source_name), {}, {}, {}};
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{ctx.file});
  } catch (const toml::parse_error& e) {
    ctx.fail(position_of(e.source()), "", std::string{e.description()});
    result.errors = std::move(ctx.errors);
    return result;
  }
  std::vector<entry> entries;
  read_document(ctx, doc, result.config, entries);
  check_semantics(ctx, entries, result.config);
  result.errors = finish(std::move(ctx.errors));
  return result;
}

} // namespace libwatch::config
