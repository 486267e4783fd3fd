#include "cli/status_report.hpp"

#include <algorithm>

#include "libwatch/error.hpp"
#include "libwatch/object_display.hpp"

namespace libwatch::cli {

namespace {

std::string object_state(bool exists, bool marked, bool resolved,
                         bool matches) {
  if (!exists)
    return "missing";
  if (!marked)
    return "foreign";
  if (!resolved)
    return "unverified";
  return matches ? "ok" : "differs";
}

// Prints rows with every column padded to its widest cell.
void print_table(std::ostream& out,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  for (auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

json nullable(const std::string& x) {
  return x.empty() ? json(nullptr) : json(x);
}

json watcher_json(const watcher_report& x) {
  auto& w = x.watcher.watcher;
  auto& st = x.objects;
  json function;
  function["schema"] = w.spec.schema;
  function["name"] = w.names.function;
  function["exists"] = st.function_exists;
  function["marked"] = st.function_marked;
  function["matches"] = st.function_matches;
  function["state"] = function_state(x);
  json trigger;
  trigger["schema"] = w.spec.schema;
  trigger["table"] = w.spec.table;
  trigger["name"] = w.names.trigger;
  trigger["exists"] = st.trigger_exists;
  trigger["marked"] = st.trigger_marked;
  trigger["matches"] = st.trigger_matches;
  trigger["enabled"] = st.trigger_exists
                         ? json(std::string(1, st.trigger_enabled))
                         : json(nullptr);
  trigger["state"] = trigger_state(x);
  json out;
  out["watcher"] = watcher_name(w.spec);
  out["schema"] = w.spec.schema;
  out["table"] = w.spec.table;
  out["event"] = std::string{to_string_view(w.spec.event)};
  out["label"] = nullable(w.spec.label);
  out["state"] = watcher_state(x);
  out["error"]
    = x.watcher.resolved() ? json(nullptr) : json(describe(x.watcher.error));
  out["channel"] = w.names.channel;
  out["function"] = std::move(function);
  out["trigger"] = std::move(trigger);
  out["differences"]
    = x.watcher.resolved() ? json(st.differences) : json::array();
  return out;
}

json orphan_json(const pg::owned_object& x) {
  json out;
  out["kind"] = std::string{to_string_view(x.kind)};
  out["schema"] = x.schema;
  out["table"] = nullable(x.table);
  out["name"] = x.name;
  out["watcher"] = nullable(x.watcher);
  return out;
}

} // namespace

bool status_report::ok() const {
  return orphans.empty()
         && std::all_of(watchers.begin(), watchers.end(),
                        [](auto& x) { return watcher_state(x) == "ok"; });
}

std::string function_state(const watcher_report& x) {
  auto& st = x.objects;
  return object_state(st.function_exists, st.function_marked,
                      x.watcher.resolved(), st.function_matches);
}

std::string trigger_state(const watcher_report& x) {
  auto& st = x.objects;
  auto result = object_state(st.trigger_exists, st.trigger_marked,
                             x.watcher.resolved(), st.trigger_matches);
  if (result == "ok" && !st.trigger_fires())
    return "disabled";
  return result;
}

std::string watcher_state(const watcher_report& x) {
  if (!x.watcher.resolved())
    return "unresolved";
  auto f = function_state(x);
  auto t = trigger_state(x);
  auto fine = [](const std::string& s) { return s == "ok" || s == "missing"; };
  // Something present but wrong matters more than something absent.
  if (!fine(f) || !fine(t))
    return "differs";
  return f == "ok" && t == "ok" ? "ok" : "missing";
}

void print_text(std::ostream& out, const status_report& x) {
  std::vector<std::vector<std::string>> rows{
    {"WATCHER", "TABLE", "EVENT", "FUNCTION", "TRIGGER", "STATE"}};
  for (auto& r : x.watchers) {
    auto& spec = r.watcher.watcher.spec;
    rows.push_back({watcher_name(spec), display_name(spec.schema, spec.table),
                    std::string{to_string_view(spec.event)}, function_state(r),
                    trigger_state(r), watcher_state(r)});
  }
  print_table(out, rows);
  for (auto& r : x.watchers) {
    if (watcher_state(r) == "ok")
      continue;
    auto& w = r.watcher.watcher;
    out << watcher_name(w.spec) << ":\n";
    if (!r.watcher.resolved())
      out << "  " << describe(r.watcher.error) << '\n';
    if (!r.objects.function_exists)
      out << "  " << function_of(w) << " does not exist\n";
    if (!r.objects.trigger_exists)
      out << "  " << trigger_of(w) << " does not exist\n";
    if (r.watcher.resolved())
      for (auto& d : r.objects.differences)
        out << "  " << d << '\n';
    if (trigger_state(r) == "disabled")
      out << "  " << trigger_of(w) << " is disabled (tgenabled '"
          << r.objects.trigger_enabled << "')\n";
  }
  if (!x.orphans.empty()) {
    out << "\nORPHANS (libwatch objects that no configured watcher owns)\n";
    std::vector<std::vector<std::string>> orphan_rows{
      {"KIND", "NAME", "TABLE", "WATCHER"}};
    for (auto& o : x.orphans)
      orphan_rows.push_back(
        {std::string{to_string_view(o.kind)},
         o.kind == pg::object_kind::function ? display_name(o.schema, o.name)
                                             : display_name(o.name),
         o.table.empty() ? "-" : display_name(o.schema, o.table),
         o.watcher.empty() ? "-" : o.watcher});
    print_table(out, orphan_rows);
  }
  auto ok_count
    = std::count_if(x.watchers.begin(), x.watchers.end(),
                    [](auto& r) { return watcher_state(r) == "ok"; });
  out << '\n'
      << ok_count << " of " << x.watchers.size() << " watcher(s) ok, "
      << x.orphans.size() << " orphan(s)\n";
}

json to_json(const status_report& x) {
  json watchers = json::array();
  for (auto& r : x.watchers)
    watchers.push_back(watcher_json(r));
  json orphans = json::array();
  for (auto& o : x.orphans)
    orphans.push_back(orphan_json(o));
  json out;
  out["ok"] = x.ok();
  out["watchers"] = std::move(watchers);
  out["orphans"] = std::move(orphans);
  return out;
}

} // namespace libwatch::cli
