#include "cli/json_output.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace libwatch::cli {

std::string iso8601(caf::timestamp x) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<microseconds>(x.time_since_epoch());
  auto secs = duration_cast<seconds>(since_epoch);
  auto micros = since_epoch - secs;
  // Floor division, so instants before 1970 still print correctly.
  if (micros.count() < 0) {
    secs -= seconds{1};
    micros += seconds{1};
  }
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<long long>(micros.count()));
  return buf;
}

json to_json(const value& x) {
  switch (x.type()) {
    case value::kind::null:
      return nullptr;
    case value::kind::boolean:
      return *x.as_bool();
    case value::kind::integer:
      return *x.as_integer();
    case value::kind::floating:
      return *x.as_double();
    case value::kind::string:
      return std::string{*x.as_string()};
    case value::kind::json: {
      auto text = *x.as_json();
      // The decoder only produces valid JSON; keep the text if it is not.
      auto parsed = json::parse(text, nullptr, false);
      return parsed.is_discarded() ? json(std::string{text}) : parsed;
    }
  }
  return nullptr;
}

json to_json(const change& x) {
  json values = json::object();
  for (auto& f : x.values)
    values[f.column] = to_json(f.value);
  json out;
  out["type"] = "change";
  out["watcher"] = x.watcher;
  out["event"] = std::string{to_string_view(x.event)};
  out["schema"] = x.schema;
  out["table"] = x.table;
  out["values"] = std::move(values);
  if (x.source != value_source::notification)
    out["source"] = to_string(x.source);
  // Durable watchers: lets a consumer of the lines drop repeats.
  if (x.position.batch != 0)
    out["position"]
      = {{"batch", x.position.batch}, {"entry", x.position.entry}};
  return out;
}

json to_json(const ready_msg& x) {
  json out;
  out["type"] = "ready";
  out["watcher"] = x.watcher;
  out["at"] = iso8601(x.at);
  return out;
}

json to_json(const disconnected_msg& x) {
  json out;
  out["type"] = "disconnected";
  out["watcher"] = x.watcher;
  out["reason"] = x.reason;
  out["since"] = iso8601(x.since);
  return out;
}

json to_json(const resumed_msg& x) {
  json out;
  out["type"] = "resumed";
  out["watcher"] = x.watcher;
  out["missed_from"] = iso8601(x.missed_from);
  out["missed_until"] = iso8601(x.missed_until);
  return out;
}

json to_json(const overflow_msg& x) {
  json out;
  out["type"] = "overflow";
  out["watcher"] = x.watcher;
  out["missed"] = x.missed;
  out["missed_from"] = iso8601(x.missed_from);
  out["missed_until"] = iso8601(x.missed_until);
  out["cut_off"] = x.cut_off;
  return out;
}

json to_json(const truncated_msg& x) {
  json out;
  out["type"] = "truncated";
  out["watcher"] = x.watcher;
  out["schema"] = x.schema;
  out["table"] = x.table;
  out["at"] = iso8601(x.at);
  return out;
}

std::string to_line(const json& x) {
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace libwatch::cli
