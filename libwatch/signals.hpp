// The messages that tell subscribers what state a watcher is in, published to
// every group of the watcher alongside its changes. LISTEN/NOTIFY delivers
// nothing while the connection is down; these messages say exactly when
// changes may have been missed so subscribers can re-read their state.
#pragma once

#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/timestamp.hpp>

namespace libwatch {

/// The watcher's trigger is in place and its LISTEN is confirmed: a change
/// committed after this message is delivered. Sent once when the watcher
/// first comes up, and to every actor that joins one of its groups while it
/// is up.
struct ready_msg {
  std::string watcher;
  caf::timestamp at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ready_msg& x) {
  return f(caf::meta::type_name("libwatch::ready_msg"), x.watcher, x.at);
}

/// The watcher lost its connection (or crashed): changes committed from
/// `since` on may be missed until a `resumed_msg` follows. Also sent to every
/// actor that joins one of its groups while it is down.
struct disconnected_msg {
  std::string watcher;
  std::string reason;
  /// Last moment the connection was known to work.
  caf::timestamp since;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disconnected_msg& x) {
  return f(caf::meta::type_name("libwatch::disconnected_msg"), x.watcher,
           x.reason, x.since);
}

/// The watcher is back: LISTEN confirmed and trigger re-verified. Changes
/// committed between `missed_from` and `missed_until` may have been missed
/// (re-read what you depend on); changes committed after this message are
/// delivered. Implies ready.
struct resumed_msg {
  std::string watcher;
  caf::timestamp missed_from;
  caf::timestamp missed_until;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resumed_msg& x) {
  return f(caf::meta::type_name("libwatch::resumed_msg"), x.watcher,
           x.missed_from, x.missed_until);
}

} // namespace libwatch
