#include "libwatch/wal/byte_reader.hpp"

#include <cstdio>

#include "libwatch/error.hpp"

namespace libwatch::wal {

std::string describe_byte(uint8_t x) {
  char buf[16];
  if (x >= 0x20 && x < 0x7F)
    std::snprintf(buf, sizeof(buf), "0x%02X ('%c')", x, x);
  else
    std::snprintf(buf, sizeof(buf), "0x%02X", x);
  return buf;
}

caf::error byte_reader::fail_at(size_t offset, std::string_view text) const {
  std::string msg;
  if (!context_.empty()) {
    msg += context_;
    msg += ": ";
  }
  msg += text;
  msg += " at offset ";
  msg += std::to_string(offset);
  return make_error(errc::malformed_payload, std::move(msg));
}

caf::error byte_reader::fail(std::string_view text) const {
  return fail_at(offset(), text);
}

caf::error byte_reader::need(size_t n, std::string_view what) const {
  if (remaining() >= n)
    return caf::none;
  return fail("truncated reading " + std::string{what} + " (needs "
              + std::to_string(n) + " bytes, " + std::to_string(remaining())
              + " left)");
}

caf::error byte_reader::read_be(size_t n, uint64_t& out,
                                std::string_view what) {
  if (auto err = need(n, what))
    return err;
  uint64_t result = 0;
  for (size_t i = 0; i < n; ++i)
    result = (result << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
  pos_ += n;
  out = result;
  return caf::none;
}

caf::error byte_reader::read_cstring(std::string_view& out,
                                     std::string_view what) {
  auto rest = bytes_.substr(pos_);
  auto nul = rest.find('\0');
  if (nul == std::string_view::npos)
    return fail("no NUL terminator for " + std::string{what} + " ("
                + std::to_string(rest.size()) + " bytes left)");
  out = rest.substr(0, nul);
  pos_ += nul + 1;
  return caf::none;
}

caf::error byte_reader::read_bytes(size_t n, std::string_view& out,
                                   std::string_view what) {
  if (auto err = need(n, what))
    return err;
  out = bytes_.substr(pos_, n);
  pos_ += n;
  return caf::none;
}

caf::error byte_reader::read_length_prefixed(std::string_view& out,
                                             std::string_view what) {
  auto start = offset();
  uint32_t len = 0;
  if (auto err = read_u32(len, std::string{what} + " length"))
    return err;
  if (len > remaining())
    return fail_at(start, std::string{what} + " length " + std::to_string(len)
                            + " exceeds the " + std::to_string(remaining())
                            + " bytes left");
  return read_bytes(len, out, what);
}

caf::error byte_reader::expect_end(std::string_view what) const {
  if (at_end())
    return caf::none;
  return fail(std::to_string(remaining()) + " trailing bytes after a complete "
              + std::string{what});
}

caf::error read_field(byte_reader& in, field_ref<uint8_t> f) {
  return in.read_u8(f.out, f.what);
}

caf::error read_field(byte_reader& in, field_ref<uint32_t> f) {
  return in.read_u32(f.out, f.what);
}

caf::error read_field(byte_reader& in, field_ref<int32_t> f) {
  return in.read_i32(f.out, f.what);
}

caf::error read_field(byte_reader& in, field_ref<lsn> f) {
  return in.read_u64(f.out.value, f.what);
}

caf::error read_field(byte_reader& in, field_ref<caf::timestamp> f) {
  int64_t x = 0;
  if (auto err = in.read_i64(x, f.what))
    return err;
  f.out = from_pg_time(x);
  return caf::none;
}

caf::error read_field(byte_reader& in, field_ref<std::string> f) {
  std::string_view view;
  if (auto err = in.read_cstring(view, f.what))
    return err;
  f.out.assign(view.data(), view.size());
  return caf::none;
}

} // namespace libwatch::wal
