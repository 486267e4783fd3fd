#include "libwatch/error.hpp"

#include <caf/deep_to_string.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace libwatch {

std::string to_string(errc x) {
  switch (x) {
    case errc::invalid_spec:
      return "invalid_spec";
    case errc::unknown_watcher:
      return "unknown_watcher";
    case errc::invalid_subscription:
      return "invalid_subscription";
    case errc::connection_failed:
      return "connection_failed";
    case errc::query_failed:
      return "query_failed";
    case errc::catalog_mismatch:
      return "catalog_mismatch";
    case errc::unsupported_server:
      return "unsupported_server";
    case errc::malformed_payload:
      return "malformed_payload";
    case errc::stopped:
      return "stopped";
    case errc::reconnect_limit:
      return "reconnect_limit";
    case errc::restart_limit:
      return "restart_limit";
    case errc::watcher_crashed:
      return "watcher_crashed";
    case errc::temporarily_failed:
      return "temporarily_failed";
    case errc::missing_privilege:
      return "missing_privilege";
    case errc::in_use:
      return "in_use";
    case errc::slot_lost:
      return "slot_lost";
  }
  return "unknown_error";
}

caf::error make_error(errc code, std::string text) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(text))};
}

caf::error make_error(errc code) {
  return caf::error{static_cast<uint8_t>(code), error_category};
}

std::string describe(const caf::error& err) {
  if (!err)
    return {};
  if (err.category() == error_category) {
    auto& ctx = err.context();
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      return ctx.get_as<std::string>(0);
    return to_string(static_cast<errc>(err.code()));
  }
  return caf::to_string(err);
}

bool is_permanent(const caf::error& err) noexcept {
  return is(err, errc::invalid_spec) || is(err, errc::catalog_mismatch)
         || is(err, errc::unsupported_server) || is(err, errc::query_failed)
         || is(err, errc::missing_privilege) || is(err, errc::slot_lost);
}

bool is(const caf::error& err, errc code) noexcept {
  // CAF 0.17 requires a non-empty error before category() may be called.
  return err && err.category() == error_category
         && err.code() == static_cast<uint8_t>(code);
}

} // namespace libwatch
