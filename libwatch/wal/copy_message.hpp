// The CopyData framing of a logical replication stream (WAL-NOTES §3): what
// the server sends inside COPY BOTH ('w' XLogData, 'k' keepalive) and the
// standby status update ('r') the client answers with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <caf/expected.hpp>
#include <caf/timestamp.hpp>

#include "libwatch/wal/lsn.hpp"

namespace libwatch::wal {

/// 'w': one pgoutput message and where it sits in the WAL. In logical
/// replication `wal_start == wal_end`; it is 0/0 for Relation and Type.
struct xlog_data {
  lsn wal_start;
  lsn wal_end;
  caf::timestamp send_time;
  /// The pgoutput message (see `decode_pgoutput`): a view into the bytes
  /// given to `decode_copy_message`, valid as long as they are.
  std::string_view payload;
};

/// 'k': the server's heartbeat. `reply_requested` asks for a status update
/// at once (the server disconnects after `wal_sender_timeout` without one).
struct primary_keepalive {
  lsn wal_end;
  caf::timestamp send_time;
  bool reply_requested = false;
};

/// One message the server sends inside COPY BOTH.
using copy_message = std::variant<xlog_data, primary_keepalive>;

/// Offset of the pgoutput payload in a 'w' message (tag + 3 × 8 bytes).
constexpr size_t xlog_data_header_size = 25;

/// Size of a 'k' message, tag included.
constexpr size_t primary_keepalive_size = 18;

/// Size of an 'r' message, tag included.
constexpr size_t standby_status_size = 34;

/// Decodes one CopyData message. Fails with `errc::malformed_payload` for
/// an empty message, a tag other than 'w' or 'k' (naming it), a truncated
/// header, a keepalive that is not exactly 18 bytes or whose replyRequested
/// is neither 0 nor 1.
caf::expected<copy_message> decode_copy_message(std::string_view bytes);

/// Encodes the 34-byte standby status update `'r' write flush apply clock
/// replyRequested`. The server confirms the slot up to `flush` (0/0 is
/// ignored); report `write` ≥ the last walEnd received, or the server
/// answers with keepalives at once (WAL-NOTES §8).
std::string encode_standby_status(lsn write, lsn flush, lsn apply,
                                  caf::timestamp clock, bool reply_requested);

} // namespace libwatch::wal
