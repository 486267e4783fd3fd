// The messages that tell subscribers what state a watcher is in, published to
// every group of the watcher alongside its changes. LISTEN/NOTIFY delivers
// nothing while the connection is down; these messages say exactly when
// changes may have been missed so subscribers can re-read their state.
#pragma once

#include <cstdint>
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

/// This subscriber fell behind: it had more than `[subscribers] max_queued`
/// changes of this group waiting, so libwatch dropped `missed` changes for
/// it instead of holding them (memory stays bounded, and libwatch keeps
/// draining PostgreSQL's notification queue whatever subscribers do). The
/// dropped changes were received by libwatch between `missed_from` and
/// `missed_until` (shortly after their commits): re-read what you depend on.
/// Arrives after the changes delivered before the drop and before any
/// change delivered after it. With `overflow = "disconnect"`, `cut_off` is
/// set: the subscriber was removed from the group at `missed_from` and
/// receives nothing more until it joins again (`missed` counts only the
/// change that did not fit). Durable subscriptions never overflow: a slow
/// durable subscriber slows reading from the change log instead.
struct overflow_msg {
  std::string watcher;
  uint64_t missed = 0;
  caf::timestamp missed_from;
  caf::timestamp missed_until;
  bool cut_off = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, overflow_msg& x) {
  return f(caf::meta::type_name("libwatch::overflow_msg"), x.watcher, x.missed,
           x.missed_from, x.missed_until, x.cut_off);
}

/// Watchers with `source = "wal"`: the watched table was emptied by TRUNCATE
/// (in a transaction that committed at `at`). TRUNCATE removes rows without
/// row changes, so no `change` follows for them: re-read what you depend on.
/// Trigger watchers fire only for row changes and never send it.
struct truncated_msg {
  std::string watcher;
  std::string schema;
  std::string table;
  caf::timestamp at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, truncated_msg& x) {
  return f(caf::meta::type_name("libwatch::truncated_msg"), x.watcher, x.schema,
           x.table, x.at);
}

} // namespace libwatch
