// A bounds-checked reader over the big-endian bytes of the replication
// protocol. Every read either succeeds or returns an error naming the field
// and the offset; none reads past the end, and none allocates from a length
// field before checking it against the bytes that are left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <caf/error.hpp>
#include <caf/timestamp.hpp>

#include "libwatch/wal/lsn.hpp"

namespace libwatch::wal {

/// Reads fields from a byte view front to back. The reader does not own the
/// bytes: views it returns live as long as the input. Errors are
/// `errc::malformed_payload` with a text like `pgoutput Insert: truncated at
/// offset 5 reading relid (needs 4 bytes, 2 left)`.
class byte_reader {
public:
  /// `context` prefixes every error text (e.g. `"pgoutput Insert"`);
  /// `base_offset` is added to reported offsets, for a view that starts
  /// inside a larger message.
  explicit byte_reader(std::string_view bytes, std::string context = {},
                       size_t base_offset = 0)
      : bytes_(bytes), context_(std::move(context)), base_(base_offset) {
    // nop
  }

  /// Offset of the next unread byte, as reported in errors.
  size_t offset() const noexcept {
    return base_ + pos_;
  }

  size_t remaining() const noexcept {
    return bytes_.size() - pos_;
  }

  bool at_end() const noexcept {
    return pos_ == bytes_.size();
  }

  /// Replaces the error prefix, e.g. once the message type is known.
  void context(std::string text) {
    context_ = std::move(text);
  }

  /// Big-endian integers; signed ones are two's complement.
  caf::error read_u8(uint8_t& out, std::string_view what) {
    return read_int(out, what);
  }

  caf::error read_i16(int16_t& out, std::string_view what) {
    return read_int(out, what);
  }

  caf::error read_u32(uint32_t& out, std::string_view what) {
    return read_int(out, what);
  }

  caf::error read_i32(int32_t& out, std::string_view what) {
    return read_int(out, what);
  }

  caf::error read_u64(uint64_t& out, std::string_view what) {
    return read_int(out, what);
  }

  caf::error read_i64(int64_t& out, std::string_view what) {
    return read_int(out, what);
  }

  /// Reads a NUL-terminated string (without its NUL); fails if no NUL
  /// follows before the end.
  caf::error read_cstring(std::string_view& out, std::string_view what);

  /// Reads exactly `n` bytes.
  caf::error read_bytes(size_t n, std::string_view& out, std::string_view what);

  /// Reads a u32 length followed by that many bytes.
  caf::error read_length_prefixed(std::string_view& out, std::string_view what);

  /// Fails unless every byte has been read (`what` names the message).
  caf::error expect_end(std::string_view what) const;

  /// An error at the current offset: `CONTEXT: TEXT at offset N`.
  caf::error fail(std::string_view text) const;

  /// An error at `offset` (as returned by `offset()`).
  caf::error fail_at(size_t offset, std::string_view text) const;

private:
  // Checks that `n` bytes are left before reading `what`.
  caf::error need(size_t n, std::string_view what) const;

  // Reads an unsigned big-endian integer of `n` bytes (n <= 8).
  caf::error read_be(size_t n, uint64_t& out, std::string_view what);

  template <class T>
  caf::error read_int(T& out, std::string_view what) {
    uint64_t x = 0;
    if (auto err = read_be(sizeof(T), x, what))
      return err;
    // Modular conversion: the bits of a two's complement value.
    out = static_cast<T>(x);
    return caf::none;
  }

  std::string_view bytes_;
  std::string context_;
  size_t base_;
  size_t pos_ = 0;
};

/// One fixed field of a message: where to store it and its name for errors.
template <class T>
struct field_ref {
  T& out;
  std::string_view what;
};

template <class T>
field_ref<T> field(T& out, std::string_view what) {
  return {out, what};
}

caf::error read_field(byte_reader& in, field_ref<uint8_t> f);
caf::error read_field(byte_reader& in, field_ref<uint32_t> f);
caf::error read_field(byte_reader& in, field_ref<int32_t> f);
/// A u64 WAL position.
caf::error read_field(byte_reader& in, field_ref<lsn> f);
/// An i64 protocol time (see `from_pg_time`).
caf::error read_field(byte_reader& in, field_ref<caf::timestamp> f);
/// A NUL-terminated string, copied.
caf::error read_field(byte_reader& in, field_ref<std::string> f);

/// Reads `fields` in order and stops at the first error, so a message's
/// fixed part reads as its layout: `read_fields(in, field(x.xid, "xid"),
/// ...)`.
template <class... Ts>
caf::error read_fields(byte_reader& in, field_ref<Ts>... fields) {
  caf::error err;
  static_cast<void>(((err = read_field(in, fields), !err) && ...));
  return err;
}

/// Renders a byte for error texts: `0x41 ('A')`, or `0x00` if unprintable.
std::string describe_byte(uint8_t x);

} // namespace libwatch::wal
