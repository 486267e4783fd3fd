// RAII ownership of a libpq connection: either fully connected or absent.
// Blocking; use it only on threads that may block (never on CAF's scheduler).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <libpq-fe.h>

#include "libwatch/pg/result.hpp"

namespace libwatch::pg {

struct connection_deleter {
  void operator()(PGconn* ptr) const noexcept {
    PQfinish(ptr);
  }
};

/// A parameter of `exec`: text, or nullopt for SQL NULL.
using param = std::optional<std::string_view>;

/// An open connection to PostgreSQL.
class connection {
public:
  /// Connects with libpq's `conninfo` (keyword/value string or URI; empty
  /// means libpq defaults and PG* variables), setting `application_name`
  /// unless `conninfo` sets it. Errors (`errc::connection_failed`) carry
  /// libpq's message, never the password.
  static caf::expected<connection> open(const std::string& conninfo,
                                        const std::string& application_name);

  /// Like `open`, but waits in poll() on the socket and on `wake_fd` rather
  /// than blocking inside libpq. Whenever `wake_fd` becomes readable it calls
  /// `cancelled()` (which must consume the wake-up); if that returns true it
  /// gives up with `errc::stopped`.
  static caf::expected<connection>
  open_interruptible(const std::string& conninfo,
                     const std::string& application_name, int wake_fd,
                     const std::function<bool()>& cancelled);

  /// Runs `sql` with text parameters `$1..$n`. Errors (`errc::query_failed`)
  /// carry the SQLSTATE and the server's message, prefixed with `context`.
  caf::expected<result> exec(std::string_view context, const std::string& sql,
                             const std::vector<param>& params = {});

  /// Whether the connection is still usable.
  bool ok() const noexcept;

  /// `PQserverVersion()`, e.g. 150004.
  int server_version() const noexcept;

  /// The socket to wait on for input.
  int socket() const noexcept;

  PGconn* native() const noexcept {
    return conn_.get();
  }

private:
  explicit connection(PGconn* ptr) noexcept : conn_(ptr) {
    // nop
  }

  std::unique_ptr<PGconn, connection_deleter> conn_;
};

/// libpq's last error message on `conn`, without the trailing newline.
std::string last_error(PGconn* conn);

/// Returns `conninfo` with any password replaced by `********`, for
/// messages and logs.
std::string redact(const std::string& conninfo);

} // namespace libwatch::pg
