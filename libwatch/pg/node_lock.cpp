#include "libwatch/pg/node_lock.hpp"

#include "libwatch/object_names.hpp"
#include "libwatch/pg/inventory.hpp"

namespace libwatch::pg {

int32_t node_lock_id(std::string_view channel) {
  return static_cast<int32_t>(
    static_cast<uint32_t>(fnv1a64(channel) & 0xffffffffULL));
}

std::string hold_node_lock_statement(std::string_view channel) {
  return "SELECT pg_catalog.pg_advisory_lock_shared("
         + std::to_string(node_lock_class) + ", "
         + std::to_string(node_lock_id(channel)) + ")";
}

std::string channel_of(const owned_object& x) {
  std::string_view suffix
    = x.kind == object_kind::trigger ? "_trigger" : "_func";
  std::string_view name = x.name;
  if (name.size() > suffix.size()
      && name.substr(name.size() - suffix.size()) == suffix)
    name.remove_suffix(suffix.size());
  return std::string{name};
}

caf::expected<bool> claim_for_drop(connection& conn, std::string_view context,
                                   std::string_view channel,
                                   caf::timespan timeout) {
  auto res = conn.exec(
    context,
    "SELECT pg_catalog.pg_try_advisory_xact_lock($1::int4, "
    "$2::int4) AS claimed",
    {std::to_string(node_lock_class), std::to_string(node_lock_id(channel))},
    timeout);
  if (!res)
    return res.error();
  return res->rows() == 1 && res->get(0, "claimed") == "t";
}

caf::expected<bool> held_by_other_node(connection& conn,
                                       std::string_view context,
                                       std::string_view channel) {
  auto id = static_cast<uint32_t>(node_lock_id(channel));
  auto res = conn.exec(context, R"sql(
SELECT EXISTS (
  SELECT 1 FROM pg_catalog.pg_locks
   WHERE locktype = 'advisory' AND granted AND objsubid = 2
     AND classid = $1::pg_catalog.oid AND objid = $2::pg_catalog.oid
     AND pid <> pg_catalog.pg_backend_pid()
     AND database = (SELECT oid FROM pg_catalog.pg_database
                      WHERE datname = pg_catalog.current_database()))
    AS held)sql",
                       {std::to_string(node_lock_class), std::to_string(id)});
  if (!res)
    return res.error();
  return res->rows() == 1 && res->get(0, "held") == "t";
}

} // namespace libwatch::pg
