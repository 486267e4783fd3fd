// The connection a worker actor owns: opened on first use, opened again
// after it broke, every statement bounded by the worker's timeout. Used by
// the catalog worker and the log worker, which run on threads of their own
// (detached actors) and so may block in libpq.
#pragma once

#include <optional>
#include <utility>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/result.hpp>
#include <caf/timespan.hpp>

#include "libwatch/pg/connection.hpp"

namespace libwatch {

class worker_connection {
  // A handler's reply from a statement's outcome.
  static caf::result<void> reply(caf::error err) {
    if (err)
      return err;
    return caf::unit;
  }

  template <class T>
  static caf::result<T> reply(caf::expected<T> x) {
    if (!x)
      return x.error();
    return std::move(*x);
  }

public:
  worker_connection() = default;

  worker_connection(pg::connect_options options, caf::timespan timeout)
      : options_(std::move(options)), timeout_(timeout) {
    // nop
  }

  /// The open connection, opening it if needed.
  caf::expected<pg::connection*> get();

  /// The bound on each statement and lock wait (0: none).
  caf::timespan timeout() const noexcept {
    return timeout_;
  }

  /// Runs `work` on the connection; its `caf::error` or `caf::expected<T>`
  /// becomes a handler's reply, as does a failure to connect.
  template <class F>
  auto run(F work) -> decltype(reply(work(std::declval<pg::connection&>()))) {
    auto open = get();
    if (!open)
      return open.error();
    return reply(work(**open));
  }

private:
  pg::connect_options options_;
  caf::timespan timeout_{0};
  std::optional<pg::connection> conn_;
};

} // namespace libwatch
