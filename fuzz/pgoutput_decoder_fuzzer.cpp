// libFuzzer target: any bytes the replication stream delivers must decode to
// a CopyData message and, for 'w', to a pgoutput message of the documented
// shape, or be rejected with an error; never crash, overread or allocate
// beyond what the input can hold.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "libwatch/error.hpp"
#include "libwatch/wal/copy_message.hpp"
#include "libwatch/wal/lsn.hpp"
#include "libwatch/wal/pgoutput.hpp"
#include "libwatch/wal/relation_cache.hpp"

using namespace libwatch;
using namespace libwatch::wal;

namespace {

void check_rejection(const caf::error& err) {
  if (!is(err, errc::malformed_payload) || describe(err).empty())
    __builtin_trap();
}

// Every decoded byte comes from the input, so no string or vector can be
// larger than it.
void check_message(const pgoutput_message& msg, size_t size) {
  std::visit(
    [size](auto& x) {
      using type = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<type, relation_message>) {
        if (x.columns.size() > size)
          __builtin_trap();
        relation_cache cache;
        cache.update(x);
        if (!cache.lookup(x.relid))
          __builtin_trap();
      } else if constexpr (std::is_same_v<type, insert_message>) {
        if (x.new_tuple.size() > size)
          __builtin_trap();
      } else if constexpr (std::is_same_v<type, truncate_message>) {
        if (x.relids.size() * 4 > size)
          __builtin_trap();
      } else if constexpr (std::is_same_v<type, logical_message>) {
        if (x.content.size() > size)
          __builtin_trap();
      }
    },
    msg);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto msg = decode_copy_message(bytes);
  if (!msg) {
    check_rejection(msg.error());
    return 0;
  }
  if (auto* k = std::get_if<primary_keepalive>(&*msg)) {
    if (size != primary_keepalive_size)
      __builtin_trap();
    auto text = to_string(k->wal_end);
    auto back = parse_lsn(text);
    if (!back || *back != k->wal_end)
      __builtin_trap();
    return 0;
  }
  auto& x = std::get<xlog_data>(*msg);
  if (x.payload.size() != size - xlog_data_header_size)
    __builtin_trap();
  auto decoded = decode_pgoutput(x.payload);
  if (!decoded)
    check_rejection(decoded.error());
  else
    check_message(*decoded, x.payload.size());
  return 0;
}
