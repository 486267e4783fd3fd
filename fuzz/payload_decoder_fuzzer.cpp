// libFuzzer target: any bytes on a watcher's channel must decode to the
// documented shape or be rejected with an error, never crash, leak or
// produce a change without its key.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "libwatch/payload_decoder.hpp"

using namespace libwatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  // The first byte picks the watcher's event, the rest is the payload.
  auto event = static_cast<event_kind>(data[0] % 3);
  payload_decoder decoder{event, {"id", "title", "post_id"}};
  std::string_view payload{reinterpret_cast<const char*>(data + 1), size - 1};
  std::vector<decoded_row> rows;
  if (decoder.decode(payload, rows)) {
    if (!rows.empty())
      __builtin_trap();
    return 0;
  }
  if (rows.empty())
    __builtin_trap();
  for (auto& row : rows) {
    auto expected = row.reduced ? 1u : 3u;
    if (row.values.size() != expected || row.values.front().column != "id"
        || row.values.front().value.is_null() || row.raw.empty())
      __builtin_trap();
  }
  return 0;
}
