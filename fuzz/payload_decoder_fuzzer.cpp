// libFuzzer target: any bytes on a watcher's channel must decode to the
// documented shape or be rejected with an error, never crash, leak or
// produce a change without its key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libwatch/payload_decoder.hpp"

using namespace libwatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  // The first byte picks the watcher's event, the rest is the payload.
  auto event = static_cast<event_kind>(data[0] % 3);
  payload_decoder decoder{event, {"id", "title", "post_id"}};
  std::string_view payload{reinterpret_cast<const char*>(data + 1), size - 1};
  auto res = decoder.decode(payload);
  if (!res)
    return 0;
  auto expected = decoder.last_was_reduced() ? 1u : 3u;
  if (res->size() != expected || res->front().column != "id"
      || res->front().value.is_null())
    __builtin_trap();
  return 0;
}
