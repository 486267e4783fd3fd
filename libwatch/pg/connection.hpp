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
#include <caf/timespan.hpp>
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

/// Where and how to connect.
struct connect_options {
  /// libpq keyword/value string or URI; empty means libpq's defaults and the
  /// PG* environment variables.
  std::string conninfo;
  /// Used unless `conninfo` sets application_name itself.
  std::string application_name;
  /// Environment variable holding the password, read at connect time;
  /// empty: none (libpq still reads PGPASSWORD / PGPASSFILE).
  std::string password_env;
  /// TCP keepalive idle time and TCP_USER_TIMEOUT for TCP connections;
  /// zero keeps libpq's defaults. Settings in `conninfo` win.
  caf::timespan keepalive_idle{0};
  caf::timespan user_timeout{0};
};

/// An open connection to PostgreSQL.
class connection {
public:
  /// Connects as `options` say. Errors (`errc::connection_failed`) carry
  /// libpq's message, never the password.
  static caf::expected<connection> open(const connect_options& options);

  /// Shorthand for `open({conninfo, application_name})`.
  static caf::expected<connection> open(const std::string& conninfo,
                                        const std::string& application_name);

  /// Like `open`, but waits in poll() on the socket and on `wake_fd` rather
  /// than blocking inside libpq. Whenever `wake_fd` becomes readable it calls
  /// `cancelled()` (which must consume the wake-up); if that returns true it
  /// gives up with `errc::stopped`.
  static caf::expected<connection>
  open_interruptible(const connect_options& options, int wake_fd,
                     const std::function<bool()>& cancelled);

  /// Runs `sql` with text parameters `$1..$n`. Errors carry the SQLSTATE
  /// and the server's message, prefixed with `context`: `query_failed`, or
  /// `temporarily_failed` for SQLSTATEs that may pass (lock and statement
  /// timeouts, deadlocks, serialization failures, server shutdown, too many
  /// connections), `missing_privilege` for SQLSTATE 42501, or
  /// `connection_failed` when the connection broke. With a
  /// `timeout`, a statement without an answer in time counts as a broken
  /// connection (the peer may be gone without FIN/RST) and the connection is
  /// closed.
  caf::expected<result> exec(std::string_view context, const std::string& sql,
                             const std::vector<param>& params = {},
                             caf::timespan timeout = caf::timespan{0});

  /// The timeout `exec` uses when called without one (0: none). Set it on
  /// connections that must not hang on a silently dead peer.
  void set_default_timeout(caf::timespan timeout) noexcept {
    default_timeout_ = timeout;
  }

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

  // Waits (poll) until the statement sent last has its results; closes the
  // connection on timeout. Returns the last result, or null.
  PGresult* await_result(caf::timespan timeout);

  std::unique_ptr<PGconn, connection_deleter> conn_;
  caf::timespan default_timeout_{0};
};

/// libpq's last error message on `conn`, without the trailing newline.
std::string last_error(PGconn* conn);

/// Returns `conninfo` with any password replaced by `********`, for
/// messages and logs.
std::string redact(const std::string& conninfo);

} // namespace libwatch::pg
