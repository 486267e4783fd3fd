#include "libwatch/status.hpp"

namespace libwatch {

std::string to_string(watcher_state x) {
  switch (x) {
    case watcher_state::starting:
      return "starting";
    case watcher_state::live:
      return "live";
    case watcher_state::down:
      return "down";
    case watcher_state::failed:
      return "failed";
  }
  return "invalid";
}

} // namespace libwatch
