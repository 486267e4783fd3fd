#include "cli/resolution.hpp"

#include "libwatch/error.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/pg/catalog.hpp"

namespace libwatch::cli {

caf::expected<std::vector<resolution>>
resolve_watchers(pg::connection& conn, const watch_config& cfg) {
  std::vector<resolution> out;
  for (auto& spec : cfg.watchers) {
    resolution x;
    x.watcher.spec = spec;
    x.watcher.names = derive_names(spec);
    auto table = pg::read_table(conn, spec.schema, spec.table);
    if (!table) {
      if (!is(table.error(), errc::catalog_mismatch))
        return table.error();
      // read_table does not know the watcher; name it like resolve() does.
      x.error = make_error(errc::catalog_mismatch, "watcher "
                                                     + watcher_name(spec) + ": "
                                                     + describe(table.error()));
    } else if (auto resolved = resolve(spec, *table)) {
      x.watcher = std::move(*resolved);
    } else {
      x.error = std::move(resolved.error());
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<resolved_watcher> watchers_of(const std::vector<resolution>& xs) {
  std::vector<resolved_watcher> out;
  for (auto& x : xs)
    out.push_back(x.watcher);
  return out;
}

} // namespace libwatch::cli
