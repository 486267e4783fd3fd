// Test helpers for libwatch/wal/: a writer that builds replication-protocol
// messages byte by byte, big-endian, so tests state each field as WAL-NOTES
// §3 and §4 list it; and checks on the error texts of rejected input.
// Include after <caf/test/unit_test.hpp>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "libwatch/error.hpp"

namespace wal_test {

/// The text of a `malformed_payload` error, or "(decoded)" without one.
inline std::string reason(const caf::error& err) {
  if (!err)
    return "(decoded)";
  CAF_CHECK(libwatch::is(err, libwatch::errc::malformed_payload));
  return libwatch::describe(err);
}

template <class T>
std::string reason(const caf::expected<T>& res) {
  return res ? "(decoded)" : reason(res.error());
}

/// Whether `text` contains `needle`; says what it lacks if not.
inline bool contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos)
    return true;
  CAF_MESSAGE("\"" << text << "\" lacks \"" << needle << "\"");
  return false;
}

struct bytes {
  std::string out;

  bytes& u8(uint8_t x) {
    out.push_back(static_cast<char>(x));
    return *this;
  }

  bytes& be(uint64_t x, int n) {
    for (int i = n - 1; i >= 0; --i)
      out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
    return *this;
  }

  bytes& i16(int16_t x) {
    return be(static_cast<uint16_t>(x), 2);
  }

  bytes& u32(uint32_t x) {
    return be(x, 4);
  }

  bytes& i32(int32_t x) {
    return be(static_cast<uint32_t>(x), 4);
  }

  bytes& u64(uint64_t x) {
    return be(x, 8);
  }

  bytes& i64(int64_t x) {
    return be(static_cast<uint64_t>(x), 8);
  }

  // A NUL-terminated string.
  bytes& str(std::string_view x) {
    out.append(x.data(), x.size());
    out.push_back('\0');
    return *this;
  }

  bytes& raw(std::string_view x) {
    out.append(x.data(), x.size());
    return *this;
  }

  // A tuple column of kind 't' (or 'b') with a u32 length.
  bytes& text(std::string_view x, char kind = 't') {
    return u8(static_cast<uint8_t>(kind))
      .u32(static_cast<uint32_t>(x.size()))
      .raw(x);
  }

  operator std::string_view() const {
    return out;
  }
};

} // namespace wal_test
