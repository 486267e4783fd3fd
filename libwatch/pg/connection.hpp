// RAII ownership of a libpq connection: either fully connected or absent.
// The only code in libwatch that talks to libpq; everything else sees owned
// results, notifications and `caf::error`s. Blocking (except the
// asynchronous calls); use it only on threads that may block (never on CAF's
// scheduler).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "libwatch/pg/notification.hpp"
#include "libwatch/pg/result.hpp"

namespace libwatch::pg {

struct connection_deleter {
  void operator()(PGconn* ptr) const noexcept;
};

struct copy_buffer_deleter {
  void operator()(char* ptr) const noexcept;
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
  /// libpq keywords that win over `conninfo`, e.g. `replication=database`
  /// for the replication stream.
  std::vector<std::pair<std::string, std::string>> overrides;
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

  /// Runs `sql`, which may hold several statements separated by `;`, through
  /// the simple-query protocol (no parameters). PostgreSQL runs them as one
  /// implicit transaction unless `sql` controls transactions itself, and
  /// stops at the first error. Returns the last statement's result or that
  /// error, as `exec` reports it.
  caf::expected<result> exec_script(std::string_view context,
                                    const std::string& sql,
                                    caf::timespan timeout = caf::timespan{0});

  /// The timeout `exec` uses when called without one (0: none). Set it on
  /// connections that must not hang on a silently dead peer.
  void set_default_timeout(caf::timespan timeout) noexcept {
    default_timeout_ = timeout;
  }

  /// Whether the connection is still usable.
  bool ok() const noexcept;

  /// The server's version number, major * 10000 + minor, e.g. 150004;
  /// compare it with the constants in libwatch/pg/server_features.hpp.
  int server_version() const noexcept;

  /// The socket to wait on for input.
  int socket() const noexcept;

  /// libpq's last error message, without the trailing newline.
  std::string error_message() const;

  // -- asynchronous use ------------------------------------------------------
  //
  // For an event loop that waits on `socket()` itself (the LISTEN
  // connection): `send` a statement, `flush` until done (waiting for the
  // socket to become writable in between), then whenever it is readable
  // `consume_input`, `take_result` and `drain_notifications`. `exec` runs on
  // the same calls, waiting in poll() itself. One statement at a time.

  /// Makes `send` and `flush` return instead of waiting for the socket to
  /// accept more data. Returns false if libpq refused.
  bool set_nonblocking() noexcept;

  /// Starts `sql` (several statements allowed) with the simple-query
  /// protocol. Returns false when it could not be sent; see `error_message`.
  bool send(const std::string& sql);

  /// Starts `sql` with text parameters `$1..$n` (extended protocol, one
  /// statement). Returns false when it could not be sent.
  bool send(const std::string& sql, const std::vector<param>& params);

  /// What `flush` achieved.
  enum class flush_state { done, pending, failed };

  /// Sends output libpq still buffers: `pending` means wait until the socket
  /// is writable and call again.
  flush_state flush() noexcept;

  /// Reads whatever input arrived. Returns false when the connection broke.
  bool consume_input() noexcept;

  /// Whether the statement in flight still waits for input.
  bool busy() const noexcept;

  /// Collects the results of the statement in flight that input has
  /// completed. Returns nothing while more are due (call again after
  /// `consume_input`), then the outcome: the last result, or the first
  /// error as `exec` reports it, prefixed with `context`.
  std::optional<caf::expected<result>> take_result(std::string_view context);

  /// Calls `f` with each notification received so far and removes it.
  void drain_notifications(const std::function<void(const notification&)>& f);

  /// SQLSTATE of the last error a statement ended with ("" if none had
  /// one), for callers that react to particular errors.
  const std::string& last_sqlstate() const noexcept {
    return last_sqlstate_;
  }

  // -- COPY BOTH (the replication stream) ------------------------------------
  //
  // After `send("START_REPLICATION ...")` on a `replication=database`
  // connection: `take_copy_start` until it has an answer, then
  // `read_copy` whenever the socket is readable (after `consume_input`),
  // `put_copy` + `flush` to answer. All calls return at once.

  /// Nothing while the answer to START_REPLICATION is incomplete; then no
  /// error once the server streams, or the error as `exec` reports it.
  std::optional<caf::error> take_copy_start(std::string_view context);

  /// What `read_copy` found.
  enum class copy_read {
    /// A whole CopyData message.
    message,
    /// No complete message yet: wait for input.
    none,
    /// The server ended the stream: `copy_end` says why.
    ended,
    /// The connection broke.
    failed,
  };

  /// Takes the next complete CopyData message. `out` views it until the
  /// next call.
  copy_read read_copy(std::string_view& out);

  /// After `read_copy` returned `ended`: the error that ended the stream, as
  /// `exec` reports it, or none for an orderly end.
  caf::error copy_end(std::string_view context);

  /// Queues one CopyData message for `flush`. False when libpq refused it.
  bool put_copy(std::string_view data);

private:
  explicit connection(PGconn* ptr) noexcept : conn_(ptr) {
    // nop
  }

  // Waits (poll) until the statement sent last has all its results; closes
  // the connection when `timeout` (or the default) passes first.
  caf::expected<result> await_result(std::string_view context,
                                     caf::timespan timeout);

  // Turns a finished statement's last result (or null) into its outcome.
  caf::expected<result> outcome(std::string_view context, PGresult* raw);

  std::unique_ptr<PGconn, connection_deleter> conn_;
  // The result kept while the statement in flight may deliver more.
  std::unique_ptr<PGresult, result_deleter> pending_;
  // The CopyData message `read_copy` handed out last.
  std::unique_ptr<char, copy_buffer_deleter> copy_buffer_;
  std::string last_sqlstate_;
  caf::timespan default_timeout_{0};
};

} // namespace libwatch::pg
