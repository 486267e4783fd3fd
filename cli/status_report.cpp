#include "cli/status_report.hpp"

#include <algorithm>

#include "cli/replication.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
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

json bytes(int64_t n) {
  return n < 0 ? json(nullptr) : json(n);
}

// The fields every watcher has, whatever its source.
json watcher_common_json(const watcher_report& x) {
  auto& w = x.watcher.watcher;
  json out;
  out["watcher"] = watcher_name(w.spec);
  out["schema"] = w.spec.schema;
  out["table"] = w.spec.table;
  out["event"] = std::string{to_string_view(w.spec.event)};
  out["label"] = nullable(w.spec.label);
  out["source"] = reads_wal(w.spec) ? "wal" : "trigger";
  out["state"] = watcher_state(x);
  out["error"]
    = x.watcher.resolved() ? json(nullptr) : json(describe(x.watcher.error));
  out["channel"] = w.names.channel;
  return out;
}

// A WAL watcher has a publication and a slot instead of function and
// trigger.
void add_wal_objects(const watcher_report& x, json& out) {
  json publication;
  publication["name"] = nullable(x.publication);
  publication["state"] = publication_state(x);
  json slot;
  slot["state"] = x.slot;
  out["function"] = nullptr;
  out["trigger"] = nullptr;
  out["publication"] = std::move(publication);
  out["slot"] = std::move(slot);
  out["differences"] = json::array();
}

json watcher_json(const watcher_report& x) {
  auto& w = x.watcher.watcher;
  auto& st = x.objects;
  auto out = watcher_common_json(x);
  if (reads_wal(w.spec)) {
    add_wal_objects(x, out);
    return out;
  }
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

json orphan_json(const pg::replication_orphan& x) {
  bool slot = x.kind == pg::replication_orphan::kind_t::slot;
  json out;
  out["kind"] = slot ? "slot" : "publication";
  out["schema"] = nullptr;
  out["table"] = nullptr;
  out["name"] = x.name;
  out["watcher"] = nullptr;
  out["consumer"] = x.consumer;
  if (slot) {
    out["active"] = x.active;
    out["retained_bytes"] = bytes(x.retained_bytes);
  }
  return out;
}

json replication_json(const pg::replication_status& x) {
  json publications = json::array();
  for (auto& p : x.publications)
    publications.push_back({{"name", p.name}, {"tables", p.tables}});
  json out;
  out["slot"] = x.slot;
  out["state"] = slot_state(x);
  out["exists"] = x.exists;
  out["active"] = x.active;
  out["active_pid"] = x.active_pid == 0 ? json(nullptr) : json(x.active_pid);
  out["wal_status"] = nullable(x.wal_status);
  out["confirmed_flush_lsn"] = nullable(x.confirmed_flush_lsn);
  out["restart_lsn"] = nullable(x.restart_lsn);
  out["retained_bytes"] = bytes(x.retained_bytes);
  out["lag_bytes"] = bytes(x.flush_lag_bytes);
  out["safe_wal_size"] = bytes(x.safe_wal_size);
  out["publications"] = std::move(publications);
  return out;
}

std::string bytes_text(int64_t n, const char* unknown) {
  return n < 0 ? unknown : std::to_string(n) + " bytes";
}

void print_replication(std::ostream& out, const pg::replication_status& x) {
  out << "\nREPLICATION (slot " << x.slot << ")\n";
  std::string slot = slot_state(x);
  if (x.exists)
    slot += x.active ? ", active (pid " + std::to_string(x.active_pid) + ")"
                     : ", inactive";
  auto or_dash = [](const std::string& s) { return s.empty() ? "-" : s; };
  std::vector<std::vector<std::string>> rows{
    {"  slot", slot},
    {"  wal_status", or_dash(x.wal_status)},
    {"  confirmed_flush_lsn", or_dash(x.confirmed_flush_lsn)},
    {"  restart_lsn", or_dash(x.restart_lsn)},
    {"  retained", bytes_text(x.retained_bytes, "-")},
    {"  lag", bytes_text(x.flush_lag_bytes, "-")},
    {"  safe_wal_size", bytes_text(x.safe_wal_size, "unlimited or unknown")}};
  for (auto& p : x.publications) {
    std::string tables;
    for (auto& t : p.tables)
      tables += (tables.empty() ? "" : ", ") + t;
    rows.push_back(
      {"  publication " + p.name, tables.empty() ? "(no tables)" : tables});
  }
  if (x.publications.empty())
    rows.push_back({"  publications", "none"});
  print_table(out, rows);
}

} // namespace

bool status_report::ok() const {
  return orphans.empty() && replication_orphans.empty()
         && (!replication || slot_state(*replication) == "ok")
         && std::all_of(watchers.begin(), watchers.end(),
                        [](auto& x) { return watcher_state(x) == "ok"; });
}

std::string publication_state(const watcher_report& x) {
  return x.publication.empty() ? "missing" : "ok";
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
  if (reads_wal(x.watcher.watcher.spec)) {
    if (x.slot == "lost")
      return "lost";
    return x.slot == "ok" && publication_state(x) == "ok" ? "ok" : "missing";
  }
  auto f = function_state(x);
  auto t = trigger_state(x);
  auto fine = [](const std::string& s) { return s == "ok" || s == "missing"; };
  // Something present but wrong matters more than something absent.
  if (!fine(f) || !fine(t))
    return "differs";
  return f == "ok" && t == "ok" ? "ok" : "missing";
}

void print_text(std::ostream& out, const status_report& x) {
  // The WAL columns appear only when a watcher reads the WAL, so the table
  // of a trigger-only configuration reads as before.
  bool wal = x.replication.has_value();
  std::vector<std::vector<std::string>> rows{
    {"WATCHER", "TABLE", "EVENT", "FUNCTION", "TRIGGER", "STATE"}};
  if (wal)
    rows[0] = {"WATCHER", "TABLE",       "EVENT", "SOURCE", "FUNCTION",
               "TRIGGER", "PUBLICATION", "SLOT",  "STATE"};
  for (auto& r : x.watchers) {
    auto& spec = r.watcher.watcher.spec;
    std::vector<std::string> row{watcher_name(spec),
                                 display_name(spec.schema, spec.table),
                                 std::string{to_string_view(spec.event)}};
    if (!wal)
      row.insert(row.end(), {function_state(r), trigger_state(r)});
    else if (reads_wal(spec))
      row.insert(row.end(), {"wal", "-", "-", publication_state(r), r.slot});
    else
      row.insert(row.end(),
                 {"trigger", function_state(r), trigger_state(r), "-", "-"});
    row.push_back(watcher_state(r));
    rows.push_back(std::move(row));
  }
  print_table(out, rows);
  for (auto& r : x.watchers) {
    if (watcher_state(r) == "ok")
      continue;
    auto& w = r.watcher.watcher;
    out << watcher_name(w.spec) << ":\n";
    if (!r.watcher.resolved())
      out << "  " << describe(r.watcher.error) << '\n';
    if (reads_wal(w.spec)) {
      auto& slot = x.replication->slot;
      if (r.publication.empty())
        out << "  table " << quote_qualified(w.spec.schema, w.spec.table)
            << " is in no publication of slot " << slot
            << ": run `libwatch install`\n";
      if (r.slot == "missing")
        out << "  replication slot " << slot
            << " does not exist: run `libwatch install`\n";
      if (r.slot == "lost")
        out << "  replication slot " << slot
            << " was lost (dropped or invalidated): run `libwatch install` to "
               "start afresh; changes since the loss are not delivered\n";
      continue;
    }
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
  if (x.replication)
    print_replication(out, *x.replication);
  auto orphan_count = x.orphans.size() + x.replication_orphans.size();
  if (orphan_count > 0) {
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
    for (auto& o : x.replication_orphans) {
      bool slot = o.kind == pg::replication_orphan::kind_t::slot;
      auto owner = "consumer " + o.consumer;
      if (slot)
        owner
          += (o.active ? ", active" : ", inactive")
             + (o.retained_bytes < 0
                  ? std::string{}
                  : ", retains " + std::to_string(o.retained_bytes) + " bytes");
      orphan_rows.push_back(
        {slot ? "slot" : "publication", display_name(o.name), "-", owner});
    }
    print_table(out, orphan_rows);
  }
  auto ok_count
    = std::count_if(x.watchers.begin(), x.watchers.end(),
                    [](auto& r) { return watcher_state(r) == "ok"; });
  out << '\n'
      << ok_count << " of " << x.watchers.size() << " watcher(s) ok, "
      << orphan_count << " orphan(s)\n";
}

json to_json(const status_report& x) {
  json watchers = json::array();
  for (auto& r : x.watchers)
    watchers.push_back(watcher_json(r));
  json orphans = json::array();
  for (auto& o : x.orphans)
    orphans.push_back(orphan_json(o));
  for (auto& o : x.replication_orphans)
    orphans.push_back(orphan_json(o));
  json out;
  out["ok"] = x.ok();
  out["watchers"] = std::move(watchers);
  out["orphans"] = std::move(orphans);
  out["replication"]
    = x.replication ? replication_json(*x.replication) : json(nullptr);
  return out;
}

} // namespace libwatch::cli
