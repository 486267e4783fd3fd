// libFuzzer target: any file must load into a configuration that passes
// validate(), or be rejected with errors that carry a position; never crash
// or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.hpp"
#include "libwatch/watch_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto res = libwatch::config::load_string(text, "fuzz.toml");
  if (res.ok() && !libwatch::validate(res.config).empty())
    __builtin_trap();
  for (auto& err : res.errors)
    if (err.message.empty())
      __builtin_trap();
  return 0;
}
