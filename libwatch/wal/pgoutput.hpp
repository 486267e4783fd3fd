// pgoutput protocol version 1 (WAL-NOTES §4): one message of the logical
// replication stream, as carried in the payload of a 'w' CopyData message,
// decoded into a plain struct per message type. Decoding is strict: anything
// not of the documented shape is rejected with the field and offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/expected.hpp>
#include <caf/timestamp.hpp>

#include "libwatch/wal/lsn.hpp"

namespace libwatch::wal {

/// How a tuple carries one column.
enum class column_kind : char {
  null = 'n',
  /// An unchanged TOASTed value the server did not send: the column keeps
  /// its old value. It is not NULL and must never be treated as such.
  unchanged_toast = 'u',
  /// `data` is the value in text form.
  text = 't',
  /// `data` is the value in binary (send) form (`binary 'true'`).
  binary = 'b',
};

/// One column of a tuple; `data` is empty unless `kind` is text or binary.
struct tuple_column {
  column_kind kind = column_kind::null;
  std::string data;
};

/// A row image, columns in the order of the relation's Relation message.
using tuple_data = std::vector<tuple_column>;

/// Which old row image an Update or Delete carries.
enum class old_tuple_kind : char {
  /// 'K': the replica identity's key columns only (others are null).
  key = 'K',
  /// 'O': the whole old row (REPLICA IDENTITY FULL).
  full = 'O',
};

struct old_tuple {
  old_tuple_kind kind = old_tuple_kind::key;
  tuple_data values;
};

/// 'B'. PostgreSQL 15 sends it only with the first published change.
struct begin_message {
  /// LSN of the commit record.
  lsn final_lsn;
  caf::timestamp commit_ts;
  uint32_t xid = 0;
};

/// 'C'. `end_lsn` is what a client confirms once the transaction is done.
struct commit_message {
  uint8_t flags = 0;
  lsn commit_lsn;
  lsn end_lsn;
  caf::timestamp commit_ts;
};

/// 'O', right after Begin of a transaction with a replication origin.
struct origin_message {
  lsn origin_lsn;
  std::string name;
};

/// REPLICA IDENTITY of a relation.
enum class replica_identity : char {
  default_key = 'd',
  full = 'f',
  index = 'i',
  nothing = 'n',
};

struct relation_column {
  /// Bit 0 set: part of the replica identity key.
  uint8_t flags = 0;
  std::string name;
  uint32_t type_oid = 0;
  /// -1 when the type has none.
  int32_t typmod = -1;

  bool is_key() const noexcept {
    return (flags & 1) != 0;
  }
};

/// 'R': a table's shape, sent before its first change in a session and
/// again after DDL; it replaces any earlier one for the same `relid`.
struct relation_message {
  uint32_t relid = 0;
  std::string nspname;
  std::string relname;
  replica_identity identity = replica_identity::default_key;
  std::vector<relation_column> columns;
};

/// 'Y': a user-defined type used by a later Relation.
struct type_message {
  uint32_t type_oid = 0;
  std::string nspname;
  std::string name;
};

/// 'I'.
struct insert_message {
  uint32_t relid = 0;
  tuple_data new_tuple;
};

/// 'U'. No old tuple when the key did not change (default identity).
struct update_message {
  uint32_t relid = 0;
  std::optional<old_tuple> old;
  tuple_data new_tuple;
};

/// 'D'.
struct delete_message {
  uint32_t relid = 0;
  old_tuple old;
};

/// 'T'. One message for every table of one TRUNCATE statement.
struct truncate_message {
  /// Bit 0: CASCADE, bit 1: RESTART IDENTITY.
  uint8_t options = 0;
  std::vector<uint32_t> relids;
};

/// 'M': `pg_logical_emit_message`, only with `messages 'true'`.
struct logical_message {
  /// Bit 0: transactional (else it arrives outside Begin/Commit).
  uint8_t flags = 0;
  lsn message_lsn;
  std::string prefix;
  std::string content;
};

/// One decoded pgoutput message. A variant rather than a tagged struct so
/// that `std::visit` makes every consumer handle every message type.
using pgoutput_message
  = std::variant<begin_message, commit_message, origin_message,
                 relation_message, type_message, insert_message, update_message,
                 delete_message, truncate_message, logical_message>;

/// Decodes one pgoutput v1 message, which must fill `bytes` exactly. The
/// result owns its data. Fails with `errc::malformed_payload` naming the
/// message, field and offset for an unknown message tag or column kind, a
/// bad replica identity, a negative count, a length beyond the input or
/// bytes left over. Lengths are checked before anything is allocated.
caf::expected<pgoutput_message> decode_pgoutput(std::string_view bytes);

} // namespace libwatch::wal
