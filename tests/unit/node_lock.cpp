// Tests the per-watcher node lock keys: every object of a watcher maps to the
// watcher's channel, and the key is the one the pump's statement takes.
#define CAF_SUITE node_lock

#include "libwatch/pg/node_lock.hpp"

#include <caf/test/unit_test.hpp>

#include "libwatch/object_names.hpp"
#include "libwatch/pg/inventory.hpp"

using namespace libwatch;

namespace {

pg::owned_object object(pg::object_kind kind, std::string name) {
  pg::owned_object x;
  x.kind = kind;
  x.schema = "public";
  x.table = kind == pg::object_kind::trigger ? "items" : "";
  x.name = std::move(name);
  return x;
}

} // namespace

CAF_TEST(function_and_trigger_of_a_watcher_map_to_its_channel) {
  for (auto spec : {watcher_spec::on("items", event_kind::inserted),
                    watcher_spec::on("items", event_kind::updated)
                      .labelled("item_edits")}) {
    auto names = derive_names(spec);
    CAF_CHECK_EQUAL(
      pg::channel_of(object(pg::object_kind::function, names.function)),
      names.channel);
    CAF_CHECK_EQUAL(
      pg::channel_of(object(pg::object_kind::trigger, names.trigger)),
      names.channel);
  }
}

CAF_TEST(the_lock_id_is_the_low_half_of_fnv1a_of_the_channel) {
  auto id = pg::node_lock_id("lw_item_edits");
  CAF_CHECK_EQUAL(static_cast<uint32_t>(id),
                  static_cast<uint32_t>(fnv1a64("lw_item_edits")));
  CAF_CHECK_NOT_EQUAL(id, pg::node_lock_id("lw_item_edit"));
}

CAF_TEST(the_pump_statement_takes_the_shared_lock_of_that_key) {
  auto id = pg::node_lock_id("lw_x");
  CAF_CHECK_EQUAL(pg::hold_node_lock_statement("lw_x"),
                  "SELECT pg_catalog.pg_advisory_lock_shared(27767, "
                    + std::to_string(id) + ")");
}
