// libwatch's error codes. Inside actors errors travel as `caf::error` values
// of the category "libwatch"; the human-readable text rides in the error's
// context so it survives CAF's network layer.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace libwatch {

/// Category atom of every error libwatch creates.
constexpr caf::atom_value error_category = caf::atom("libwatch");

/// What went wrong, coarsely; the error's text says exactly what and where.
enum class errc : uint8_t {
  /// A watcher description is invalid (see `validate`).
  invalid_spec = 1,
  /// The named watcher does not exist in this instance.
  unknown_watcher,
  /// The requested subscription cannot receive anything (e.g. a primary-key
  /// subscription on an `inserted` watcher) or names an unknown column.
  invalid_subscription,
  /// The database could not be reached or the connection broke.
  connection_failed,
  /// A statement failed; the text carries the SQLSTATE and server message.
  query_failed,
  /// The watched table, or a column named in the spec, does not exist.
  catalog_mismatch,
  /// The server is older than libwatch supports.
  unsupported_server,
  /// A notification payload, or a message of the logical replication
  /// stream (libwatch/wal/), did not have the documented shape.
  malformed_payload,
  /// libwatch was stopped before the request could be answered, or a wait
  /// timed out.
  stopped,
  /// The listener gave up reconnecting (`reconnect.max_attempts`).
  reconnect_limit,
  /// A watcher crashed more often than `restarts` allows.
  restart_limit,
  /// A watcher actor crashed (an exception escaped); it is restarted.
  watcher_crashed,
  /// A statement failed for a reason that may pass: a lock or statement
  /// timeout, a deadlock, the server shutting down or out of connections.
  temporarily_failed,
  /// The role lacks a privilege libwatch needs; the text names the GRANT.
  missing_privilege,
  /// Another running node uses the object (it holds the watcher's node
  /// lock), so it was not dropped.
  in_use,
  /// The WAL source's replication slot was dropped or invalidated behind
  /// libwatch's back: the changes since are lost. libwatch never re-creates
  /// it silently; the text says how to start afresh.
  slot_lost,
};

/// Whether retrying cannot fix `err` (a missing table, an invalid spec, a
/// failing statement): such watchers stay failed instead of restarting.
bool is_permanent(const caf::error& err) noexcept;

/// Returns the name of the enumerator, e.g. `"query_failed"`.
std::string to_string(errc x);

/// Creates an error of category `libwatch` whose context is `text`.
caf::error make_error(errc code, std::string text);

/// Creates an error without text (lets `caf::error err = errc::...` work).
caf::error make_error(errc code);

/// Returns the text of a libwatch error, or CAF's rendering of any other
/// error. Never empty for a non-empty error.
std::string describe(const caf::error& err);

/// Returns whether `err` is the libwatch error `code`.
bool is(const caf::error& err, errc code) noexcept;

} // namespace libwatch
