#include "libwatch/wal/relation_cache.hpp"

#include <string>
#include <utility>

#include "libwatch/error.hpp"

namespace libwatch::wal {

void relation_cache::update(relation_message rel) {
  auto relid = rel.relid;
  entries_.insert_or_assign(relid, std::move(rel));
}

caf::expected<const relation_message*>
relation_cache::lookup(uint32_t relid) const {
  auto i = entries_.find(relid);
  if (i == entries_.end())
    return make_error(errc::malformed_payload,
                      "no Relation message received for relid "
                        + std::to_string(relid)
                        + " before a change that refers to it");
  return &i->second;
}

} // namespace libwatch::wal
