// Turns a notification payload into typed values. Every payload is untrusted:
// any database user may NOTIFY on a watcher's channel, so anything not of the
// exact documented shape is rejected with a reason, never half-decoded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "libwatch/change.hpp"
#include "libwatch/event.hpp"

namespace libwatch {

/// Decodes payloads of one watcher. Not thread-safe: one per watcher actor
/// (it reuses its parser's buffers between payloads).
class payload_decoder {
public:
  /// `columns` lists the payload's columns, primary key first.
  payload_decoder(event_kind event, std::vector<std::string> columns);
  ~payload_decoder();
  payload_decoder(payload_decoder&&) noexcept;
  payload_decoder& operator=(payload_decoder&&) noexcept;

  /// Returns the values in column order, or `errc::malformed_payload` with
  /// the reason. Accepts exactly `{"type": EVENT, "values": {COLUMN: VALUE,
  /// ...}}` with every column present once and a non-null primary key, or
  /// the reduced form the trigger sends when the full payload would exceed
  /// PostgreSQL's 8000-byte limit: `{"type": EVENT, "values": {KEY: VALUE},
  /// "reduced": true}`, decoded to the primary key alone (see
  /// `last_was_reduced`). A reduced payload without the key (the key itself
  /// was too large) is an error saying so.
  caf::expected<std::vector<field>> decode(std::string_view payload);

  /// Whether the payload decoded last was the reduced form.
  bool last_was_reduced() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace libwatch
