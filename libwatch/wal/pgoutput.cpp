#include "libwatch/wal/pgoutput.hpp"

#include <utility>

#include "libwatch/wal/byte_reader.hpp"

namespace libwatch::wal {

namespace {

using result = caf::expected<pgoutput_message>;

// Reads an i16 count that must be non-negative and, at `min_bytes` per
// element, fit into what is left (so reserving it is safe).
caf::error read_count(byte_reader& in, size_t min_bytes, size_t& out,
                      std::string_view what) {
  auto at = in.offset();
  int16_t n = 0;
  if (auto err = in.read_i16(n, what))
    return err;
  if (n < 0)
    return in.fail_at(at, std::string{what} + " is negative ("
                            + std::to_string(n) + ")");
  if (static_cast<size_t>(n) * min_bytes > in.remaining())
    return in.fail_at(at, std::string{what} + " " + std::to_string(n)
                            + " exceeds the " + std::to_string(in.remaining())
                            + " bytes left");
  out = static_cast<size_t>(n);
  return caf::none;
}

caf::error read_tuple(byte_reader& in, tuple_data& out) {
  size_t ncols = 0;
  if (auto err = read_count(in, 1, ncols, "tuple column count"))
    return err;
  out.reserve(ncols);
  for (size_t i = 0; i < ncols; ++i) {
    auto at = in.offset();
    uint8_t kind = 0;
    if (auto err = in.read_u8(kind, "tuple column kind"))
      return err;
    tuple_column col;
    switch (kind) {
      case 'n':
      case 'u':
        col.kind = static_cast<column_kind>(kind);
        break;
      case 't':
      case 'b': {
        col.kind = static_cast<column_kind>(kind);
        std::string_view data;
        if (auto err = in.read_length_prefixed(data, "tuple column value"))
          return err;
        col.data.assign(data.data(), data.size());
        break;
      }
      default:
        return in.fail_at(at, "unknown tuple column kind " + describe_byte(kind)
                                + " for column " + std::to_string(i)
                                + ", expected 'n', 'u', 't' or 'b'");
    }
    out.push_back(std::move(col));
  }
  return caf::none;
}

// Reads the relid and tuples of Insert (`'N' new`), Update (`['K'|'O' old]
// 'N' new`) or Delete (`'K'|'O' old`). `old` is null for a message without
// an old tuple, `new_tuple` null for one without a new tuple.
caf::error read_row_change(byte_reader& in, uint32_t& relid,
                           std::optional<old_tuple>* old, bool old_required,
                           tuple_data* new_tuple) {
  if (auto err = read_fields(in, field(relid, "relid")))
    return err;
  auto at = in.offset();
  uint8_t marker = 0;
  if (auto err = in.read_u8(marker, "tuple marker"))
    return err;
  if (old != nullptr && (marker == 'K' || marker == 'O')) {
    old->emplace();
    (*old)->kind = static_cast<old_tuple_kind>(marker);
    if (auto err = read_tuple(in, (*old)->values))
      return err;
    if (new_tuple == nullptr)
      return caf::none;
    at = in.offset();
    if (auto err = in.read_u8(marker, "new tuple marker"))
      return err;
    if (marker == 'N')
      return read_tuple(in, *new_tuple);
    return in.fail_at(at, "unexpected tuple marker " + describe_byte(marker)
                            + ", expected 'N'");
  }
  if (marker == 'N' && new_tuple != nullptr && !old_required)
    return read_tuple(in, *new_tuple);
  const char* expected = old == nullptr         ? "'N'"
                         : new_tuple == nullptr ? "'K' or 'O'"
                                                : "'K', 'O' or 'N'";
  return in.fail_at(at, "unexpected tuple marker " + describe_byte(marker)
                          + ", expected " + expected);
}

result decode_begin(byte_reader& in) {
  begin_message x;
  if (auto err
      = read_fields(in, field(x.final_lsn, "final_lsn"),
                    field(x.commit_ts, "commit_ts"), field(x.xid, "xid")))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_commit(byte_reader& in) {
  commit_message x;
  if (auto err = read_fields(
        in, field(x.flags, "flags"), field(x.commit_lsn, "commit_lsn"),
        field(x.end_lsn, "end_lsn"), field(x.commit_ts, "commit_ts")))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_origin(byte_reader& in) {
  origin_message x;
  if (auto err = read_fields(in, field(x.origin_lsn, "origin_lsn"),
                             field(x.name, "origin name")))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_relation(byte_reader& in) {
  relation_message x;
  if (auto err
      = read_fields(in, field(x.relid, "relid"), field(x.nspname, "namespace"),
                    field(x.relname, "relation name")))
    return err;
  auto at = in.offset();
  uint8_t ident = 0;
  if (auto err = in.read_u8(ident, "replica identity"))
    return err;
  if (ident != 'd' && ident != 'f' && ident != 'i' && ident != 'n')
    return in.fail_at(at, "unknown replica identity " + describe_byte(ident)
                            + ", expected 'd', 'f', 'i' or 'n'");
  x.identity = static_cast<replica_identity>(ident);
  size_t ncols = 0;
  // A column takes at least flags, an empty name, type oid and typmod.
  if (auto err = read_count(in, 10, ncols, "relation column count"))
    return err;
  x.columns.reserve(ncols);
  for (size_t i = 0; i < ncols; ++i) {
    relation_column col;
    if (auto err = read_fields(in, field(col.flags, "column flags"),
                               field(col.name, "column name"),
                               field(col.type_oid, "column type oid"),
                               field(col.typmod, "column typmod")))
      return err;
    x.columns.push_back(std::move(col));
  }
  return pgoutput_message{std::move(x)};
}

result decode_type(byte_reader& in) {
  type_message x;
  if (auto err
      = read_fields(in, field(x.type_oid, "type oid"),
                    field(x.nspname, "namespace"), field(x.name, "type name")))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_insert(byte_reader& in) {
  insert_message x;
  if (auto err = read_row_change(in, x.relid, nullptr, false, &x.new_tuple))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_update(byte_reader& in) {
  update_message x;
  if (auto err = read_row_change(in, x.relid, &x.old, false, &x.new_tuple))
    return err;
  return pgoutput_message{std::move(x)};
}

result decode_delete(byte_reader& in) {
  delete_message x;
  std::optional<old_tuple> old;
  if (auto err = read_row_change(in, x.relid, &old, true, nullptr))
    return err;
  x.old = std::move(*old);
  return pgoutput_message{std::move(x)};
}

result decode_truncate(byte_reader& in) {
  truncate_message x;
  auto at = in.offset();
  uint32_t nrels = 0;
  if (auto err = read_fields(in, field(nrels, "relation count"),
                             field(x.options, "options")))
    return err;
  if (uint64_t{nrels} * 4 != in.remaining())
    return in.fail_at(
      at, "relation count " + std::to_string(nrels) + " does not match the "
            + std::to_string(in.remaining()) + " bytes of relids that follow");
  x.relids.resize(nrels);
  for (auto& relid : x.relids)
    if (auto err = in.read_u32(relid, "relid"))
      return err;
  return pgoutput_message{std::move(x)};
}

result decode_message(byte_reader& in) {
  logical_message x;
  if (auto err
      = read_fields(in, field(x.flags, "flags"), field(x.message_lsn, "lsn"),
                    field(x.prefix, "prefix")))
    return err;
  std::string_view content;
  if (auto err = in.read_length_prefixed(content, "content"))
    return err;
  x.content.assign(content.data(), content.size());
  return pgoutput_message{std::move(x)};
}

struct message_type {
  char tag;
  const char* name;
  result (*decode)(byte_reader&);
};

constexpr message_type message_types[] = {
  {'B', "Begin", decode_begin},       {'C', "Commit", decode_commit},
  {'O', "Origin", decode_origin},     {'R', "Relation", decode_relation},
  {'Y', "Type", decode_type},         {'I', "Insert", decode_insert},
  {'U', "Update", decode_update},     {'D', "Delete", decode_delete},
  {'T', "Truncate", decode_truncate}, {'M', "Message", decode_message},
};

} // namespace

caf::expected<pgoutput_message> decode_pgoutput(std::string_view bytes) {
  byte_reader in{bytes, "pgoutput"};
  uint8_t tag = 0;
  if (auto err = in.read_u8(tag, "message tag"))
    return err;
  for (auto& type : message_types) {
    if (static_cast<uint8_t>(type.tag) != tag)
      continue;
    in.context(std::string{"pgoutput "} + type.name);
    auto res = type.decode(in);
    if (!res)
      return res;
    if (auto err = in.expect_end(type.name))
      return err;
    return res;
  }
  return in.fail_at(0, "unknown message tag " + describe_byte(tag)
                         + ", expected one of B C O R Y I U D T M");
}

} // namespace libwatch::wal
