#include "libwatch/wal/copy_message.hpp"

#include "libwatch/wal/byte_reader.hpp"

namespace libwatch::wal {

namespace {

caf::expected<copy_message> decode_xlog_data(byte_reader& in) {
  xlog_data result;
  if (auto err = read_fields(in, field(result.wal_start, "walStart"),
                             field(result.wal_end, "walEnd"),
                             field(result.send_time, "sendTime")))
    return err;
  if (auto err = in.read_bytes(in.remaining(), result.payload, "payload"))
    return err;
  return copy_message{result};
}

caf::expected<copy_message> decode_keepalive(byte_reader& in) {
  primary_keepalive result;
  uint8_t reply = 0;
  if (auto err = read_fields(in, field(result.wal_end, "walEnd"),
                             field(result.send_time, "sendTime")))
    return err;
  auto reply_at = in.offset();
  if (auto err = in.read_u8(reply, "replyRequested"))
    return err;
  if (reply > 1)
    return in.fail_at(reply_at, "replyRequested must be 0 or 1, got "
                                  + describe_byte(reply));
  if (auto err = in.expect_end("keepalive (18 bytes)"))
    return err;
  result.reply_requested = reply == 1;
  return copy_message{result};
}

void put_be(std::string& out, uint64_t x, size_t n) {
  for (size_t i = n; i > 0; --i)
    out.push_back(static_cast<char>((x >> (8 * (i - 1))) & 0xFF));
}

} // namespace

caf::expected<copy_message> decode_copy_message(std::string_view bytes) {
  byte_reader in{bytes, "CopyData"};
  uint8_t tag = 0;
  if (auto err = in.read_u8(tag, "message tag"))
    return err;
  switch (tag) {
    case 'w':
      in.context("CopyData XLogData ('w')");
      return decode_xlog_data(in);
    case 'k':
      in.context("CopyData keepalive ('k')");
      return decode_keepalive(in);
    default:
      return in.fail_at(0, "unknown message tag " + describe_byte(tag)
                             + ", expected 'w' or 'k'");
  }
}

std::string encode_standby_status(lsn write, lsn flush, lsn apply,
                                  caf::timestamp clock, bool reply_requested) {
  std::string out;
  out.reserve(standby_status_size);
  out.push_back('r');
  put_be(out, write.value, 8);
  put_be(out, flush.value, 8);
  put_be(out, apply.value, 8);
  put_be(out, static_cast<uint64_t>(to_pg_time(clock)), 8);
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

} // namespace libwatch::wal
