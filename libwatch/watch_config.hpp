// Everything one libwatch instance needs: where the database is and which
// watchers to run. Built in code or loaded from TOML (config/), one structure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/timespan.hpp>

#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// How the listener reconnects after losing its connection: exponential
/// backoff from `initial` doubling up to `max`, each delay varied by up to
/// +/- `jitter` (a fraction) so restarted nodes do not reconnect in lockstep.
struct reconnect_policy {
  caf::timespan initial = std::chrono::milliseconds(100);
  caf::timespan max = std::chrono::seconds(30);
  double jitter = 0.2;
  /// 0: retry forever (reporting state). Otherwise the supervisor gives up
  /// after this many failed attempts in a row and exits with
  /// `errc::reconnect_limit`.
  uint32_t max_attempts = 0;
  /// Whether a database that is unreachable at start is an error right away
  /// (instead of retrying until it comes up).
  bool fail_fast = false;
};

/// How a silently dead connection (peer gone without FIN/RST) is detected:
/// TCP keepalives with these settings, plus an application-level query after
/// `interval` without traffic that must answer within `timeout`.
struct liveness_policy {
  caf::timespan interval = std::chrono::seconds(10);
  caf::timespan timeout = std::chrono::seconds(5);
};

/// How often a crashing watcher actor is restarted: at most `max_restarts`
/// within `window`; beyond that the supervisor exits with
/// `errc::restart_limit`.
struct restart_policy {
  uint32_t max_restarts = 5;
  caf::timespan window = std::chrono::seconds(60);
};

/// What to do with libwatch triggers in the database that no configured
/// watcher owns.
enum class orphan_policy : uint8_t { warn, drop };

/// Every orphan policy, in declaration order.
inline constexpr orphan_policy all_orphan_policies[]
  = {orphan_policy::warn, orphan_policy::drop};

/// `"warn"` or `"drop"`: the spelling in configuration files.
std::string_view to_string_view(orphan_policy x) noexcept;

/// Same as `to_string_view`; lets CAF print the value.
std::string to_string(orphan_policy x);

/// Parses the spelling produced by `to_string_view`; nothing else.
std::optional<orphan_policy> parse_orphan_policy(std::string_view) noexcept;

/// How durable watchers (`delivery_mode::at_least_once`) consume the change
/// log.
struct durable_policy {
  /// Name of this application's consumer; its position in the log is kept in
  /// the database under this name, per watcher. Every process that must see
  /// every change uses its own name; two processes running at once under one
  /// name is not supported. Required when any watcher is durable.
  std::string consumer;
  /// How often a `wakeup_mode::poll` watcher reads the log.
  caf::timespan poll_interval = std::chrono::milliseconds(100);
  /// Log entries older than this are pruned even if some consumer has not
  /// read them yet (a consumer gone for good must not grow the log forever).
  caf::timespan retention = std::chrono::hours(24 * 7);
  /// Most log entries read and published per round trip (and deleted per
  /// pruning step).
  uint32_t batch_limit = 10'000;
  /// How often each durable watcher prunes the log.
  caf::timespan prune_interval = std::chrono::seconds(60);
  /// Most changes a durable watcher keeps read from the log but not yet
  /// acknowledged by every durable subscriber. A slow subscriber slows
  /// reading instead of growing memory; the consumer's stored position
  /// moves only past acknowledged changes.
  uint32_t max_in_flight = 10'000;
};

/// The WAL source (watchers with `source = wal`): one replication slot and
/// publication per consumer.
struct wal_policy {
  /// Names the replication slot and the publications (`lw_<slot>`,
  /// `lw_<slot>_ins`). Every process that must see every change uses its
  /// own name; processes that share one take turns (one reads, the others
  /// wait to take over). Required when any watcher reads the WAL.
  std::string slot;
  /// How often libwatch confirms its position to the server when nothing
  /// else makes it answer (the slot keeps advancing while the watched tables
  /// are quiet).
  caf::timespan status_interval = std::chrono::seconds(10);
  /// Most WAL (in MiB) the slot may retain because a durable WAL watcher
  /// has not processed it (nobody subscribes, or its subscribers are
  /// behind). Beyond it libwatch stops holding the slot for that watcher and
  /// signals a gap to its subscribers rather than fill the server's disk.
  uint32_t max_retained_mb = 1024;
};

/// What to do with a subscriber that has `max_queued` changes waiting.
enum class overflow_policy : uint8_t {
  /// Drop further changes for it until it has worked off half its queue,
  /// then tell it what it missed (`overflow_msg`).
  drop,
  /// Remove it from the group and tell it so (`overflow_msg::cut_off`).
  disconnect,
};

/// Every overflow policy, in declaration order.
inline constexpr overflow_policy all_overflow_policies[]
  = {overflow_policy::drop, overflow_policy::disconnect};

/// `"drop"` or `"disconnect"`: the spelling in configuration files.
std::string_view to_string_view(overflow_policy x) noexcept;

/// Same as `to_string_view`; lets CAF print the value.
std::string to_string(overflow_policy x);

/// Parses the spelling produced by `to_string_view`; nothing else.
std::optional<overflow_policy> parse_overflow_policy(std::string_view) noexcept;

/// How much libwatch holds for subscribers that are slower than the
/// database. libwatch keeps draining the LISTEN connection whatever
/// subscribers do (PostgreSQL's notification queue is shared by the whole
/// cluster), so the bound is on what waits for each subscriber: per
/// subscriber and group, changes sent but not yet processed (a batch counts
/// its changes). Durable subscriptions are bounded by
/// `durable_policy::max_in_flight` instead and never overflow.
struct subscriber_policy {
  /// The default holds a whole 100,000-row burst (the benchmark kit's W1)
  /// for a subscriber that falls behind during it: about 150 MB at worst
  /// per subscriber and group (README, "Slow subscribers").
  uint32_t max_queued = 100'000;
  overflow_policy overflow = overflow_policy::drop;
};

/// Where a watcher node publishes its groups for subscriber nodes
/// (`connect_remote`) over CAF's network layer (caf::io). caf::io has no
/// authentication or encryption: anyone who can reach the port can subscribe
/// to every watcher, so bind loopback or a private interface and firewall it.
struct cluster_policy {
  /// Whether to publish at all (`[cluster] listen` is set).
  bool enabled = false;
  /// Address to bind; loopback unless configured otherwise.
  std::string host = "127.0.0.1";
  /// TCP port; 0 picks a free one (`instance::cluster_port` tells which).
  uint16_t port = 0;
};

/// Configuration of one libwatch instance.
struct watch_config {
  /// libpq connection string or URI. Empty: libpq's defaults and the `PG*`
  /// environment variables apply, exactly as with psql.
  std::string conninfo;
  /// Name of an environment variable holding the password, read when
  /// connecting, so the password need not be in any file. Empty: none (libpq
  /// still reads PGPASSWORD and PGPASSFILE).
  std::string password_env;
  /// `application_name` of libwatch's connections (shown in
  /// pg_stat_activity).
  std::string application_name = "libwatch";
  reconnect_policy reconnect;
  liveness_policy liveness;
  restart_policy restarts;
  orphan_policy orphans = orphan_policy::warn;
  durable_policy durable;
  wal_policy wal;
  subscriber_policy subscribers;
  /// Publishing this node's groups to other nodes (off by default).
  cluster_policy cluster;
  /// The watchers to run; each gets its own actor, trigger and channel.
  std::vector<watcher_spec> watchers;
};

/// One problem found by `validate`.
struct spec_problem {
  /// Marks a problem that concerns no single watcher.
  static constexpr size_t no_watcher = static_cast<size_t>(-1);
  /// Index into `watch_config::watchers`, or `no_watcher`.
  size_t watcher;
  /// The offending field, e.g. `"label"` or `"extra_columns"`; for problems
  /// of no watcher, the setting, e.g. `"reconnect.initial"`.
  std::string field;
  /// What is wrong and what would be valid.
  std::string message;
};

/// Checks everything that can be checked without a database: identifiers,
/// labels, name lengths, option combinations, duplicates and the ranges of
/// the policies. Returns every problem, not just the first.
std::vector<spec_problem> validate(const watch_config& cfg);

/// Renders problems one per line as `watcher N (NAME): FIELD: MESSAGE`, or
/// `FIELD: MESSAGE` for problems of no watcher.
std::string to_string(const std::vector<spec_problem>& problems,
                      const watch_config& cfg);

} // namespace libwatch
