#include "cli/subscriptions.hpp"

#include <algorithm>

#include "cli/database.hpp"
#include "libwatch/pg/catalog.hpp"

namespace libwatch::cli {

subscriptions::subscriptions(const instance& inst) : inst_(inst) {
  // nop
}

caf::expected<caf::group> subscriptions::group_for(const watch_target& t) {
  // all() first: it gives the library's "No watcher found" for bad targets.
  auto general = inst_.all(t.target);
  if (!general || !t.column)
    return general;
  watcher_ref ref{t.target};
  auto& specs = inst_.config().watchers;
  auto spec = std::find_if(specs.begin(), specs.end(), [&](auto& s) {
    return watcher_name(s) == ref.name();
  });
  auto& column = *t.column;
  auto& assoc = spec->association_columns;
  if (std::find(assoc.begin(), assoc.end(), column) != assoc.end())
    return inst_.by_column(ref, column, value{t.value});
  auto pk = primary_key_of(*spec);
  if (!pk)
    return pk.error();
  if (*pk && **pk == column)
    return inst_.by_key(ref, value{t.value});
  // Neither: the library explains which columns would do.
  return inst_.by_column(ref, column, value{t.value});
}

caf::expected<std::vector<caf::group>> subscriptions::all_watchers() {
  std::vector<caf::group> out;
  for (auto& spec : inst_.config().watchers) {
    auto g = inst_.all(watcher_name(spec));
    if (!g)
      return g.error();
    out.push_back(std::move(*g));
  }
  return out;
}

caf::expected<std::optional<std::string>>
subscriptions::primary_key_of(const watcher_spec& spec) {
  if (!spec.primary_key.empty())
    return std::optional<std::string>{spec.primary_key};
  if (!conn_) {
    auto conn = connect(inst_.config());
    if (!conn)
      return conn.error();
    conn_.emplace(std::move(*conn));
  }
  auto table = pg::read_table(*conn_, spec.schema, spec.table);
  if (!table)
    return table.error();
  // No or a composite key: no column can be "the" primary key.
  if (table->primary_key.size() != 1)
    return std::optional<std::string>{};
  return std::optional<std::string>{table->primary_key.front()};
}

} // namespace libwatch::cli
