#include "config/problem_locations.hpp"

#include <cstdlib>
#include <utility>

#include "config/schema.hpp"

namespace libwatch::config {

namespace {

// One watcher of the built configuration and the entry it came from.
struct built_watcher {
  const watcher_entry* origin;
  event_site site;
};

using location = std::pair<std::string, position>;

// Where the setting `validate` calls `field` was set: its key, else its
// section, else nowhere (a default is at fault).
location locate_setting(const read_context& ctx, const std::string& field) {
  auto source = find_setting(field);
  if (!source)
    return {field, {}};
  auto section = std::string{source->section->name};
  auto path = section + "." + std::string{source->key->name};
  if (auto key = ctx.set_at.find(path); key != ctx.set_at.end())
    return {path, key->second};
  auto sec = ctx.section_at.find(section);
  return {path, sec != ctx.section_at.end() ? sec->second : position{}};
}

// Where the key (or array element) behind `field`, e.g. `extra_columns[1]`,
// was set for watcher `w`.
location locate_in_watcher(const read_context& ctx, const built_watcher& w,
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
  explicit problem_mapper(read_context& ctx)
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

  // Checks a broken entry on its own; a placeholder stands in for a label
  // that failed to read.
  void check_alone(const watcher_entry& e) {
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

  read_context& ctx_;
  size_t reading_errors_;
};

} // namespace

void check_semantics(read_context& ctx,
                     const std::vector<watcher_entry>& entries,
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

} // namespace libwatch::config
