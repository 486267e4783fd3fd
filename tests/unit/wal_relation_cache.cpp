// The relid -> Relation map a replication session keeps.
#define CAF_SUITE wal.relation_cache
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/relation_cache.hpp"

#include "libwatch/error.hpp"

using namespace libwatch;
using namespace libwatch::wal;

namespace {

relation_message relation(uint32_t relid, size_t ncols) {
  relation_message rel;
  rel.relid = relid;
  rel.nspname = "public";
  rel.relname = "t" + std::to_string(relid);
  rel.columns.resize(ncols);
  return rel;
}

} // namespace

CAF_TEST(lookup_of_an_unknown_relid_is_an_error_naming_it) {
  relation_cache cache;
  auto res = cache.lookup(16385);
  CAF_REQUIRE(!res);
  CAF_CHECK(is(res.error(), errc::malformed_payload));
  CAF_CHECK(describe(res.error()).find("relid 16385") != std::string::npos);
}

CAF_TEST(lookup_finds_the_stored_relation) {
  relation_cache cache;
  cache.update(relation(1, 2));
  cache.update(relation(2, 3));
  auto res = cache.lookup(2);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL((*res)->relname, "t2");
  CAF_CHECK_EQUAL((*res)->columns.size(), 3u);
  CAF_CHECK_EQUAL(cache.size(), 2u);
}

CAF_TEST(a_new_relation_replaces_the_old_one_whole) {
  relation_cache cache;
  cache.update(relation(1, 2));
  auto added = relation(1, 3);
  added.relname = "renamed";
  cache.update(added);
  auto res = cache.lookup(1);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL((*res)->relname, "renamed");
  CAF_CHECK_EQUAL((*res)->columns.size(), 3u);
  CAF_CHECK_EQUAL(cache.size(), 1u);
}

CAF_TEST(clear_forgets_every_relation) {
  relation_cache cache;
  cache.update(relation(1, 1));
  cache.clear();
  CAF_CHECK(!cache.lookup(1));
}
