// The WAL source's I/O thread: one `replication=database` connection that
// streams the consumer's slot with pgoutput, decodes every message strictly
// (libwatch/wal/), turns each row change into the payload a row-level
// trigger would have sent (wal/row_payload.hpp) and hands the watcher actors
// one batch per drained burst, exactly like the notification pump. Watchers
// therefore treat both sources alike.
//
// Life of one attempt: connect, wait for the first route (a watcher
// registers after its installation created the publication and the slot),
// START_REPLICATION, then confirm LISTEN-like registration (`listened_atom`)
// for every route. START's failures (the slot in use by another node, lost,
// invalidated) are reported as a lost connection with the reason, so the
// listener retries with backoff and watchers tell subscribers why they wait.
//
// Positions: the server is told `write` = the last walEnd received (a lower
// one brings a keepalive storm) and `flush` = the end of the last
// transaction handed to the watchers or, outside a transaction, the walEnd
// of the last keepalive: the slot keeps advancing while the watched tables
// are quiet and other databases write. A durable watcher (at least once)
// holds `flush` before the oldest transaction it has not processed
// (wal_feedback), so a crash replays it. What comes again after a
// reconnect or a restart of the stream is skipped up to where the stream
// was handed on (`wal_progress`), except for a watcher that asked for a
// replay: no change is handed on twice unless asked for.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/listener.hpp"
#include "actors/pump_thread.hpp"
#include "actors/wal_feedback.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"
#include "libwatch/wal/lsn.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

/// What survives from one connection attempt to the next: how far the
/// stream was handed on, as the commit LSN of the last transaction handed
/// on (in whole or in part) and how many of its row messages went out.
struct wal_progress {
  std::mutex mtx;
  wal::lsn handed_commit;
  uint64_t handed_rows = 0;
};

struct wal_stream_settings {
  /// Replication slot and the publications that may exist for it (those
  /// that do not are left out of START_REPLICATION).
  std::string slot;
  std::vector<std::string> publications;
  caf::timespan status_interval = std::chrono::seconds(10);
  /// Most WAL the slot may retain for durable watchers (bytes).
  uint64_t max_retained = uint64_t{1024} << 20;
  liveness_policy liveness;
  /// The resolved watcher behind a channel, once it is installed.
  std::function<std::optional<resolved_watcher>(const std::string& channel)>
    resolve;
  /// The feedback of a durable watcher behind a channel (null otherwise).
  std::function<std::shared_ptr<wal_feedback>(const std::string& channel)>
    feedback;
  std::shared_ptr<wal_progress> progress = std::make_shared<wal_progress>();
};

/// Returns a factory of replication pumps for `settings`.
pump_factory make_replication_pump_factory(pg::connect_options options,
                                           wal_stream_settings settings);

class replication_pump final : public pump_thread {
public:
  replication_pump(pg::connect_options options, wal_stream_settings settings,
                   listener_actor listener, uint64_t generation);

  ~replication_pump() override;

private:
  class stream;

  void session(pg::connection conn) override;

  wal_stream_settings settings_;
};

/// The libpq settings of a replication connection: `replication=database`
/// and the session settings the payload renderer assumes (ISO dates, UTC).
std::vector<std::pair<std::string, std::string>> replication_overrides();

} // namespace libwatch
