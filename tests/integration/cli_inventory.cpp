// libwatch/pg/inventory, which `status` and `uninstall` are built on, tested
// through its API: the ownership comment is recognised only exactly, orphans
// are compared by kind, schema, table and name, and `inspect` notices a
// trigger that is not what install would create. (Suite `cli`: the tool is
// its first user.)
#define CAF_SUITE cli
#include <caf/test/unit_test.hpp>

#include "integration/cli_fixture.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/inventory.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

resolved_watcher named(const watcher_spec& spec) {
  resolved_watcher w;
  w.spec = spec;
  w.names = derive_names(spec);
  return w;
}

pg::owned_object object(pg::object_kind kind, std::string schema,
                        std::string table, std::string name) {
  pg::owned_object x;
  x.kind = kind;
  x.schema = std::move(schema);
  x.table = std::move(table);
  x.name = std::move(name);
  return x;
}

} // namespace

CAF_TEST(inventory_recognises_only_the_exact_ownership_marker) {
  CAF_CHECK_EQUAL(pg::owner_of("libwatch:v1 watcher=posts_feed"),
                  std::optional<std::string>{"posts_feed"});
  CAF_CHECK_EQUAL(pg::owner_of("libwatch:v1 watcher=public.a b:inserted"),
                  std::optional<std::string>{"public.a b:inserted"});
  CAF_CHECK_EQUAL(pg::owner_of("libwatch:v1 something else"),
                  std::optional<std::string>{""});
  for (auto* comment :
       {"libwatch:v1", "libwatch:v10 watcher=x", "Libwatch:v1 watcher=x",
        " libwatch:v1 watcher=x", "libwatch:v2 watcher=x", ""})
    CAF_CHECK(!pg::owner_of(comment));
  auto spec = watcher_spec::on("posts", event_kind::updated);
  CAF_CHECK_EQUAL(pg::ownership_comment(spec),
                  "libwatch:v1 watcher=public.posts:updated");
}

CAF_TEST(inventory_orphans_are_objects_no_watcher_derives) {
  auto posts = named(watcher_spec::on("posts", event_kind::inserted));
  auto other
    = named(watcher_spec::on("posts", event_kind::inserted).in_schema("other"));
  using pg::object_kind;
  std::vector<pg::owned_object> objects{
    object(object_kind::function, "public", "", posts.names.function),
    object(object_kind::trigger, "public", "posts", posts.names.trigger),
    // Same name, another table or schema: not what the watcher creates.
    object(object_kind::trigger, "public", "comments", posts.names.trigger),
    object(object_kind::function, "other", "", posts.names.function),
    // A trigger named like the function is still a different object.
    object(object_kind::trigger, "public", "posts", posts.names.function),
    // What the watcher in schema `other` creates.
    object(object_kind::function, "other", "", other.names.function),
  };
  auto result = pg::orphans(objects, {posts});
  CAF_REQUIRE_EQUAL(result.size(), 4u);
  CAF_CHECK_EQUAL(result[0].table, "comments");
  CAF_CHECK_EQUAL(result[1].schema, "other");
  CAF_CHECK_EQUAL(result[1].name, posts.names.function);
  CAF_CHECK(result[2].kind == object_kind::trigger);
  CAF_CHECK_EQUAL(result[3].name, other.names.function);
  auto both = pg::orphans(objects, {posts, other});
  CAF_REQUIRE_EQUAL(both.size(), 3u);
  CAF_CHECK_EQUAL(both[1].name, posts.names.function);
}

CAF_TEST(inventory_inspect_notices_a_marked_trigger_that_is_not_as_installed) {
  cli_fixture f;
  f.db.exec("CREATE TABLE posts (id int PRIMARY KEY, title text)");
  auto conn = f.db.connect();
  auto spec = watcher_spec::on("posts", event_kind::inserted);
  auto w = pg::install(conn, spec);
  CAF_REQUIRE(w);
  auto fine = pg::inspect(conn, *w);
  CAF_REQUIRE(fine);
  CAF_CHECK(fine->ok());
  CAF_CHECK(fine->differences.empty());
  // Same name, function and comment, but BEFORE and also on UPDATE.
  f.db.exec("DROP TRIGGER " + w->names.trigger + " ON posts; CREATE TRIGGER "
            + w->names.trigger
            + " BEFORE INSERT OR UPDATE ON posts FOR EACH ROW EXECUTE "
              "FUNCTION "
            + w->names.function + "(); COMMENT ON TRIGGER " + w->names.trigger
            + " ON posts IS '" + pg::ownership_comment(spec) + "'");
  auto changed = pg::inspect(conn, *w);
  CAF_REQUIRE(changed);
  CAF_CHECK(changed->trigger_exists);
  CAF_CHECK(changed->trigger_marked);
  CAF_CHECK(!changed->trigger_matches);
  CAF_CHECK(changed->function_matches);
  CAF_CHECK(!changed->ok());
  CAF_REQUIRE_EQUAL(changed->differences.size(), 1u);
  CLI_CHECK(changed->differences[0].find("is not AFTER INSERT FOR EACH ROW")
              != std::string::npos,
            changed->differences[0]);
  auto listed = pg::list_libwatch_objects(conn);
  CAF_REQUIRE(listed);
  CAF_CHECK_EQUAL(listed->size(), 2u);
  CAF_CHECK(pg::orphans(*listed, {*w}).empty());
}
