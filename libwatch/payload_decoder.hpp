// Turns a notification payload into typed values. Every payload is untrusted:
// any database user may NOTIFY on a watcher's channel, so anything not of the
// exact documented shape is rejected with a reason, never half-decoded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/change.hpp"
#include "libwatch/event.hpp"

namespace libwatch {

/// One row's change as decoded from a payload.
struct decoded_row {
  /// The values in column order, primary key first.
  std::vector<field> values;
  /// The row's payload in the row-level form, byte for byte what a row-level
  /// trigger sends for it: the payload itself, or for a row of a chunk
  /// `{"type" : EVENT, "values" : ROW}`.
  std::string raw;
  /// The trigger sent the primary key alone (the row was too large).
  bool reduced = false;
};

/// Decodes payloads of one watcher. Not thread-safe: one per watcher actor
/// (it reuses its parser's buffers between payloads).
class payload_decoder {
public:
  /// `columns` lists the payload's columns, primary key first: 1 to 64 of
  /// them (a watcher has at most `max_payload_columns`); otherwise throws
  /// `std::invalid_argument`.
  payload_decoder(event_kind event, std::vector<std::string> columns);
  ~payload_decoder();
  payload_decoder(payload_decoder&&) noexcept;
  payload_decoder& operator=(payload_decoder&&) noexcept;

  /// Decodes a payload of any form into `out` (cleared first), one entry
  /// per row in payload order. Accepts exactly:
  /// - a row: `{"type": EVENT, "values": {COLUMN: VALUE, ...}}` with every
  ///   column present once and a non-null primary key;
  /// - a reduced row, sent when the full payload would exceed PostgreSQL's
  ///   8000-byte limit: `{"type": EVENT, "values": {KEY: VALUE}, "reduced":
  ///   true}`, decoded to the primary key alone. Without the key (the key
  ///   itself was too large) it is an error saying so;
  /// - a chunk from a statement-level trigger: `{"type": EVENT, "rows":
  ///   [ROW, ...]}`, each ROW an object as "values" above, at least one.
  /// On error `out` is empty and the error (`errc::malformed_payload`) says
  /// why; no row of a malformed chunk is delivered.
  caf::error decode(std::string_view payload, std::vector<decoded_row>& out);

  /// Decodes a payload that must carry exactly one row.
  caf::expected<decoded_row> decode_one(std::string_view payload);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace libwatch
