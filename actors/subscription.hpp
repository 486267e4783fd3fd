// What a subscriber asks for: one topic of one watcher. Shared by the local
// `instance` and the remote handle (`remote_instance`), so both accept and
// refuse exactly the same requests with the same errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <caf/group.hpp>
#include <caf/meta/type_name.hpp>

#include "libwatch/event.hpp"
#include "libwatch/value.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// Names a watcher: by label (`"comment_posted"`), by `"table:event"` or
/// `"schema.table:event"` text, or by table and event.
class watcher_ref {
public:
  /// A label or the `[schema.]table:event` form.
  watcher_ref(std::string name);
  watcher_ref(const char* name);
  /// An unlabelled watcher on `table` in `schema` (default `public`).
  watcher_ref(std::string table, event_kind event,
              std::string schema = "public");

  /// The canonical name: label, or `schema.table:event`.
  const std::string& name() const noexcept {
    return name_;
  }

private:
  std::string name_;
};

/// Which topic of a watcher: `all`, `all_batched`, `by_key` or `by_column`.
enum class topic_kind : uint8_t { all, batched, key, column };

/// How a subscriber of a durable watcher (`delivery_mode::at_least_once`)
/// acknowledges changes. The consumer's stored position moves only past
/// changes every acknowledging subscriber has acknowledged, so after a
/// crash the restart delivers everything after the last acknowledged one.
enum class ack_mode : uint8_t {
  /// A change (or batch) is acknowledged when the subscriber's handler for
  /// it returns: CAF destroys the mailbox element then. The default.
  on_return,
  /// The subscriber calls `instance::ack` once it has finished a change,
  /// e.g. after asynchronous work; acknowledging a position acknowledges
  /// everything before it too.
  manual,
  /// A plain view: never holds the position back, bounded like subscribers
  /// of ordinary watchers (`[subscribers] max_queued`, overflow signal).
  none,
};

/// `"on_return"`, `"manual"` or `"none"`.
std::string_view to_string_view(ack_mode x) noexcept;

struct topic_request {
  topic_kind kind = topic_kind::all;
  /// The canonical watcher name (`watcher_ref::name`).
  std::string watcher;
  /// The association column (`column` only).
  std::string column;
  /// The key or column value (`key` and `column` only).
  value x;
  /// `all` and `batched` of durable watchers only; key and column topics
  /// are always `none`.
  ack_mode ack = ack_mode::on_return;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, topic_request& x) {
  return f(caf::meta::type_name("libwatch::topic_request"), x.kind, x.watcher,
           x.column, x.x, x.ack);
}

/// The index of the watcher named `name` (canonical) in `specs`, or
/// `errc::unknown_watcher` listing the watchers there are.
caf::expected<size_t> find_watcher(const std::vector<watcher_spec>& specs,
                                   const std::string& name);

/// The subscribe methods `instance` and `remote_instance` share, each a
/// shorthand for `Derived::subscribe(const topic_request&)`.
template <class Derived>
class subscribe_methods {
public:
  /// The group that receives every change of `watcher`. For a durable
  /// watcher `ack` says how its subscribers acknowledge (see `ack_mode`;
  /// `manual` is an error for other watchers, where every subscriber is
  /// bounded by `[subscribers] max_queued`).
  caf::expected<caf::group> all(const watcher_ref& watcher,
                                ack_mode ack = ack_mode::on_return) const {
    return self().subscribe({topic_kind::all, watcher.name(), {}, {}, ack});
  }

  /// The group that receives every change of `watcher` in `change_batch`
  /// messages: one per burst drained from the connection, same content and
  /// order as `all`, far fewer messages. Signals arrive as usual.
  caf::expected<caf::group> all_batched(const watcher_ref& watcher,
                                        ack_mode ack
                                        = ack_mode::on_return) const {
    return self().subscribe({topic_kind::batched, watcher.name(), {}, {}, ack});
  }

  /// The group that receives the changes of the row whose primary key is
  /// `key`. Error for `inserted` watchers: nobody knows a key before the
  /// insert happens.
  caf::expected<caf::group> by_key(const watcher_ref& watcher,
                                   const value& key) const {
    return self().subscribe({topic_kind::key, watcher.name(), {}, key});
  }

  /// The group that receives the changes whose association column `column`
  /// has `x` (from the old row for `deleted`). Error if `column` is not one
  /// of the watcher's association columns.
  caf::expected<caf::group> by_column(const watcher_ref& watcher,
                                      std::string_view column,
                                      const value& x) const {
    return self().subscribe(
      {topic_kind::column, watcher.name(), std::string{column}, x});
  }

private:
  const Derived& self() const {
    return static_cast<const Derived&>(*this);
  }
};

/// Checks `req` against `specs`: returns the index of its watcher, or
/// `errc::unknown_watcher` / `errc::invalid_subscription` naming the problem.
caf::expected<size_t> check_request(const std::vector<watcher_spec>& specs,
                                    const topic_request& req);

} // namespace libwatch
