// The Relation messages seen so far in a replication session: Insert,
// Update and Delete name their table only by OID, so a decoder needs the
// latest Relation for that OID to know the columns.
#pragma once

#include <cstdint>
#include <unordered_map>

#include <caf/expected.hpp>

#include "libwatch/wal/pgoutput.hpp"

namespace libwatch::wal {

/// Maps relid to the last Relation message received for it. Relation can
/// repeat at any time (after DDL, TRUNCATE, per partition leaf); each one
/// replaces the previous entry whole.
class relation_cache {
public:
  /// Stores `rel`, replacing any earlier entry for `rel.relid`.
  void update(relation_message rel);

  /// Returns the entry for `relid` (never null), or `errc::malformed_payload`
  /// if no Relation for it arrived: the server always sends one first.
  caf::expected<const relation_message*> lookup(uint32_t relid) const;

  size_t size() const noexcept {
    return entries_.size();
  }

  /// Forgets every entry, e.g. when a new session starts.
  void clear() noexcept {
    entries_.clear();
  }

private:
  std::unordered_map<uint32_t, relation_message> entries_;
};

} // namespace libwatch::wal
