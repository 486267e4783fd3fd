#include "actors/replication_pump.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <limits>
#include <list>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include <caf/send.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/log.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/wal/copy_message.hpp"
#include "libwatch/wal/pgoutput.hpp"
#include "libwatch/wal/relation_cache.hpp"
#include "libwatch/wal/row_payload.hpp"

namespace libwatch {

namespace {

using clock = std::chrono::steady_clock;

// Confirmations of progress go out at most this often (besides the ones the
// server asks for), so a stream of small transactions costs few replies.
constexpr auto confirm_delay = std::chrono::milliseconds(100);

// A watcher the stream feeds.
struct route {
  std::string channel;
  listener_client_actor client;
  std::optional<resolved_watcher> watcher;
  std::optional<wal::row_payload_builder> builder;
  notification_batch pending;
  bool touched = false;
  // Set when this route cannot be served (its table lost a column it
  // needs); its client was told.
  bool broken = false;
  // A durable watcher's feedback (null for others).
  std::shared_ptr<wal_feedback> feedback;
  // A replay in progress: repeats from here on go to this watcher.
  std::optional<stream_position> replay_from;
  // The last transaction in which this watcher got a row.
  wal::lsn last_commit;
};

// A row or truncation counted past what `wal_progress` says was handed on.
constexpr uint64_t every_row = std::numeric_limits<uint64_t>::max();

std::string seconds_text(caf::timespan x) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(x).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100)
         + " s";
}

// What START_REPLICATION's failure means for the user, by SQLSTATE
// (WAL-NOTES §6).
std::string explain_start_failure(const std::string& sqlstate,
                                  const std::string& slot) {
  if (sqlstate == "55006")
    return "replication slot " + slot
           + " is in use by another process (another libwatch node with "
             "the same [wal] slot?); waiting to take over";
  if (sqlstate == "42704")
    return "replication slot " + slot
           + " does not exist: it was dropped behind libwatch's back, and "
             "the changes since are lost; run `libwatch install` to create "
             "it again";
  if (sqlstate == "55000")
    return "replication slot " + slot
           + " cannot be read (invalidated, e.g. by max_slot_wal_keep_size, "
             "or made in another database): the changes since are lost; "
             "run `libwatch install` to create it again";
  return "cannot start streaming from replication slot " + slot;
}

} // namespace

std::vector<std::pair<std::string, std::string>> replication_overrides() {
  // The payload renderer relies on these (libwatch/wal/row_payload.hpp).
  return {{"replication", "database"},
          {"options", "-c datestyle=ISO -c timezone=UTC -c "
                      "intervalstyle=postgres -c extra_float_digits=1 "
                      "-c bytea_output=hex"}};
}

pump_factory make_replication_pump_factory(pg::connect_options options,
                                           wal_stream_settings settings) {
  options.overrides = replication_overrides();
  return [options, settings](listener_actor listener, uint64_t generation) {
    return std::unique_ptr<pump_handle>{
      new replication_pump(options, settings, std::move(listener), generation)};
  };
}

// One connected attempt: the replication protocol, the routes and the
// positions.
class replication_pump::stream {
public:
  stream(replication_pump& owner, pg::connection conn)
      : owner_(owner), settings_(owner.settings_), conn_(std::move(conn)),
        last_traffic_(clock::now()) {
    conn_.set_nonblocking();
  }

  ~stream() {
    for (auto& r : routes_)
      if (r.feedback)
        r.feedback->attach(nullptr);
  }

  void run() {
    take_requests();
    // Until a watcher is installed the slot may not exist yet.
    while (routes_.empty()) {
      pollfd fd{owner_.wake_fd(), POLLIN, 0};
      poll(&fd, 1, -1);
      if (owner_.consume_wakeup())
        return;
      take_requests();
    }
    // Replays asked for before: announced now, served by the start.
    if (!serve_replays())
      return;
    if (!start())
      return;
    streaming_ = true;
    for (auto& r : routes_)
      confirm_route(r);
    // Registered while starting (waiting for the server consumed their
    // wake-ups).
    take_requests();
    if (!serve_replays())
      return;
    // What arrived with START's answer already sits in libpq's buffer: the
    // socket would not wake us for it.
    if (!drain())
      return;
    for (;;) {
      pollfd fds[2]
        = {{owner_.wake_fd(), POLLIN, 0}, {conn_.socket(), POLLIN, 0}};
      if (flush_pending_)
        fds[1].events |= POLLOUT;
      if (poll(fds, 2, poll_timeout_ms()) < 0 && errno != EINTR) {
        lost("poll failed");
        return;
      }
      if (fds[0].revents & POLLIN) {
        if (owner_.consume_wakeup())
          return;
        take_requests();
        if (!serve_replays())
          return;
      }
      if (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) {
        if (!conn_.consume_input()) {
          lost("the replication connection broke");
          return;
        }
        if (!drain())
          return;
      }
      if (flush_pending_ && (fds[1].revents & POLLOUT))
        if (!flush())
          return;
      if (!keep_alive())
        return;
      update_confirmed();
      if (!report_position(false))
        return;
    }
  }

private:
  // -- setup ------------------------------------------------------------------

  void take_requests() {
    for (auto& req : owner_.take_requests()) {
      // A restarted watcher registers its channel again: it takes over the
      // route (and what the route holds back for it).
      auto known
        = std::find_if(routes_.begin(), routes_.end(), [&](const route& x) {
            return x.channel == req.channel;
          });
      auto& r = known != routes_.end() ? *known : routes_.emplace_back();
      r.client = std::move(req.client);
      if (known == routes_.end()) {
        r.channel = std::move(req.channel);
        if (settings_.feedback)
          r.feedback = settings_.feedback(r.channel);
        if (r.feedback)
          r.feedback->attach([owner = &owner_] { owner->wake(); });
      }
      resolve(r);
      if (streaming_)
        confirm_route(r);
    }
  }

  // Serves the replays durable watchers asked for: each is told where its
  // replay starts, then the stream starts again from the slot's confirmed
  // position (which such a watcher held back), and repeats go to it alone.
  bool serve_replays() {
    bool restart = false;
    for (auto& r : routes_) {
      if (!r.feedback)
        continue;
      bool fresh = false;
      auto from = r.feedback->replay_wanted(fresh);
      if (!from)
        continue;
      r.replay_from = from;
      replaying_ = true;
      if (!fresh)
        continue;
      hand_on_to(r);
      caf::anon_send(r.client, replay_atom::value, *from);
      restart = true;
    }
    if (!restart || !streaming_)
      return true;
    if (!restart_stream())
      return false;
    // Reconnecting consumed wake-ups: look again. What came with START's
    // answer sits in libpq's buffer already.
    take_requests();
    return serve_replays() && drain();
  }

  // Starts the stream again from the slot's confirmed position, on a new
  // connection: PostgreSQL 15's walsender does not stream a logical slot
  // twice on one connection (a second START_REPLICATION ends at once). The
  // old walsender releases the slot as it exits; until then START fails
  // with 55006 and is tried again.
  bool restart_stream() {
    hand_on();
    auto fresh = owner_.reopen();
    if (!fresh) {
      if (!is(fresh.error(), errc::stopped))
        lost_with(fresh.error());
      return false;
    }
    conn_ = std::move(*fresh);
    conn_.set_nonblocking();
    flush_pending_ = false;
    // A transaction received in part comes again whole; what was handed on
    // of it is recorded.
    in_txn_ = false;
    txn_commit_ = wal::lsn{};
    restart_deadline_ = clock::now() + settings_.liveness.timeout;
    auto started = start();
    restart_deadline_.reset();
    return started;
  }

  // Binds `r` to its watcher and to the relation, once known.
  void resolve(route& r) {
    if (!r.watcher) {
      r.watcher = settings_.resolve(r.channel);
      if (!r.watcher)
        return;
      r.builder.emplace(*r.watcher);
    }
    for (auto& [relid, targets] : by_relid_)
      if (auto rel = relations_.lookup(relid); rel && matches(r, **rel))
        attach(r, **rel);
  }

  static bool matches(const route& r, const wal::relation_message& rel) {
    return r.watcher && r.watcher->spec.schema == rel.nspname
           && r.watcher->spec.table == rel.relname;
  }

  void attach(route& r, const wal::relation_message& rel) {
    if (r.broken)
      return;
    if (auto err = r.builder->bind(rel)) {
      give_up(r, describe(err));
      return;
    }
    auto& targets = by_relid_[rel.relid];
    if (std::find(targets.begin(), targets.end(), &r) == targets.end())
      targets.push_back(&r);
  }

  // The stream cannot serve `r` any more (its table changed under it):
  // nothing more goes to it on this connection, and it tells its
  // subscribers why, as a gap. The next connection tries again.
  void give_up(route& r, std::string why) {
    r.broken = true;
    // What it got before goes out first.
    hand_on_to(r);
    log(log_level::error, r.channel, why);
    caf::anon_send(r.client, disconnected_atom::value,
                   make_error(errc::catalog_mismatch, std::move(why)),
                   caf::make_timestamp());
  }

  void confirm_route(route& r) {
    caf::anon_send(owner_.listener(), listened_atom::value, owner_.generation(),
                   r.channel, caf::error{});
  }

  // Runs one simple-query statement and waits for its outcome (bounded by
  // the liveness timeout); false after reporting the connection lost.
  std::optional<pg::result> query(const std::string& sql,
                                  std::string_view context) {
    if (!conn_.send(sql)) {
      lost("sending to the server failed");
      return std::nullopt;
    }
    auto deadline = clock::now() + settings_.liveness.timeout;
    for (;;) {
      if (!flush())
        return std::nullopt;
      if (auto done = conn_.take_result(context)) {
        if (!*done) {
          lost_with(done->error());
          return std::nullopt;
        }
        return std::move(**done);
      }
      if (!wait_for_input(deadline))
        return std::nullopt;
    }
  }

  bool wait_for_input(clock::time_point deadline) {
    pollfd fds[2]
      = {{owner_.wake_fd(), POLLIN, 0}, {conn_.socket(), POLLIN, 0}};
    if (flush_pending_)
      fds[1].events |= POLLOUT;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - clock::now())
                  .count();
    if (left <= 0) {
      lost("the server did not answer within "
           + seconds_text(settings_.liveness.timeout));
      return false;
    }
    if (poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) {
      lost("poll failed");
      return false;
    }
    if ((fds[0].revents & POLLIN) && owner_.consume_wakeup())
      return false; // stopping: nothing to report
    if (fds[1].revents & (POLLIN | POLLERR | POLLHUP))
      if (!conn_.consume_input()) {
        lost("the replication connection broke");
        return false;
      }
    return true;
  }

  bool start() {
    // Only publications that exist may be named: pgoutput fails at the
    // first change otherwise.
    std::string names;
    for (auto& p : settings_.publications)
      names += (names.empty() ? "" : ",") + quote_identifier(p);
    auto found
      = query("SELECT pubname FROM pg_catalog.pg_publication WHERE pubname "
              "= ANY ("
                + quote_literal("{" + names + "}") + "::name[])",
              "reading the publications");
    if (!found)
      return false;
    std::string publications;
    for (int row = 0; row < found->rows(); ++row) {
      auto name = std::string{found->get(row, 0)};
      publications += (publications.empty() ? "" : ",") + name;
    }
    // Where the server will start: the first transaction it sends begins
    // after it (a durable watcher's hold needs to know).
    auto position = query("SELECT confirmed_flush_lsn FROM "
                          "pg_catalog.pg_replication_slots WHERE slot_name = "
                            + quote_literal(settings_.slot),
                          "reading the slot's position");
    if (!position)
      return false;
    if (position->rows() == 1 && !position->is_null(0, 0))
      if (auto at = wal::parse_lsn(position->get(0, 0)))
        pass_end_ = *at;
    if (publications.empty()) {
      lost_with(
        make_error(errc::query_failed, "no publication of replication slot "
                                         + settings_.slot
                                         + " exists; run `libwatch install`"));
      return false;
    }
    auto sql = "START_REPLICATION SLOT " + quote_identifier(settings_.slot)
               + " LOGICAL 0/0 (proto_version '1', publication_names "
               + quote_literal(publications) + ")";
    if (!conn_.send(sql)) {
      lost("sending to the server failed");
      return false;
    }
    auto deadline = clock::now() + settings_.liveness.timeout;
    for (;;) {
      if (!flush())
        return false;
      if (auto err = conn_.take_copy_start("START_REPLICATION failed")) {
        if (!*err)
          break;
        if (restart_deadline_ && conn_.last_sqlstate() == "55006"
            && clock::now() < *restart_deadline_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          if (!conn_.send(sql))
            return lost("sending to the server failed");
          continue;
        }
        auto why = explain_start_failure(conn_.last_sqlstate(), settings_.slot);
        lost_with(make_error(errc::connection_failed,
                             why + " (" + describe(*err) + ")"));
        return false;
      }
      if (!wait_for_input(deadline))
        return false;
    }
    alive();
    return true;
  }

  // -- streaming --------------------------------------------------------------

  // Handles every complete message, then hands on what they produced.
  bool drain() {
    std::string_view bytes;
    for (;;) {
      switch (conn_.read_copy(bytes)) {
        case pg::connection::copy_read::message:
          alive();
          if (!handle(bytes))
            return false;
          continue;
        case pg::connection::copy_read::none:
          hand_on();
          return true;
        case pg::connection::copy_read::ended: {
          hand_on();
          auto err = conn_.copy_end("the replication stream ended");
          if (!err)
            err = make_error(errc::connection_failed,
                             "the server ended the replication stream");
          lost_with(make_error(errc::connection_failed,
                               explain_stream_end(conn_.last_sqlstate())
                                 + describe(err)));
          return false;
        }
        case pg::connection::copy_read::failed:
          return lost("the replication connection broke");
      }
    }
  }

  std::string explain_stream_end(const std::string& sqlstate) const {
    if (sqlstate == "55000" || sqlstate == "42704")
      return explain_start_failure(sqlstate, settings_.slot) + ": ";
    return {};
  }

  bool handle(std::string_view bytes) {
    auto msg = wal::decode_copy_message(bytes);
    if (!msg)
      return lost_with(msg.error());
    if (auto* k = std::get_if<wal::primary_keepalive>(&*msg)) {
      received_ = std::max(received_, k->wal_end);
      // Inside a transaction its walEnd precedes the commit: confirming it
      // would make a reconnect skip the rest of the transaction.
      if (!in_txn_) {
        drained_flush_ = std::max(drained_flush_, k->wal_end);
        pass_end_ = std::max(pass_end_, k->wal_end);
      }
      if (k->reply_requested)
        reply_now_ = true;
      return true;
    }
    auto& data = std::get<wal::xlog_data>(*msg);
    received_ = std::max(received_, data.wal_end);
    auto decoded = wal::decode_pgoutput(data.payload);
    if (!decoded)
      return lost_with(decoded.error());
    return std::visit([this](auto& m) { return on(m); }, *decoded);
  }

  bool on(wal::begin_message& b) {
    in_txn_ = true;
    txn_commit_ = b.final_lsn;
    txn_time_ = b.commit_ts;
    txn_rows_ = 0;
    txn_begins_after_ = pass_end_;
    std::lock_guard<std::mutex> guard{settings_.progress->mtx};
    auto& handed = *settings_.progress;
    if (b.final_lsn < handed.handed_commit)
      skip_rows_ = every_row;
    else if (b.final_lsn == handed.handed_commit)
      skip_rows_ = handed.handed_rows;
    else
      skip_rows_ = 0;
    // Past everything handed on before: replays are over.
    if (replaying_ && b.final_lsn > handed.handed_commit) {
      replaying_ = false;
      for (auto& r : routes_)
        if (r.replay_from) {
          r.replay_from.reset();
          r.feedback->replayed();
        }
    }
    return true;
  }

  bool on(wal::commit_message& c) {
    in_txn_ = false;
    drained_flush_ = std::max(drained_flush_, c.end_lsn);
    pass_end_ = c.end_lsn;
    // Durable watchers learn that the transaction is complete: they may
    // then report it processed (also one whose replay starts in it and
    // brought nothing: its earlier rows were processed).
    auto commit = static_cast<int64_t>(txn_commit_.value);
    for (auto& r : routes_)
      if (r.feedback
          && (r.last_commit == txn_commit_
              || (r.replay_from && r.replay_from->batch == commit))) {
        r.pending.complete_through = commit;
        touch(r);
      }
    return true;
  }

  bool on(wal::origin_message&) {
    return true;
  }

  bool on(wal::type_message&) {
    return true;
  }

  bool on(wal::logical_message&) {
    return true;
  }

  bool on(wal::relation_message& rel) {
    auto relid = rel.relid;
    by_relid_[relid].clear();
    relations_.update(std::move(rel));
    auto stored = relations_.lookup(relid);
    for (auto& r : routes_) {
      if (!r.watcher)
        resolve(r);
      if (matches(r, **stored))
        attach(r, **stored);
    }
    return true;
  }

  bool on(wal::insert_message& m) {
    return row(m.relid, event_kind::inserted, [&](route& r) {
      return r.builder->build(m.new_tuple, payload_);
    });
  }

  bool on(wal::update_message& m) {
    return row(
      m.relid, event_kind::updated,
      [&](route& r) { return r.builder->build(m.new_tuple, payload_); },
      [&](route& r) { return r.builder->fires(m.old, m.new_tuple); });
  }

  bool on(wal::delete_message& m) {
    return row(m.relid, event_kind::deleted,
               [&](route& r) { return r.builder->build(m.old, payload_); });
  }

  bool on(wal::truncate_message& t) {
    // Counted like a row change: a resumed transaction skips it too.
    bool repeat = ++txn_rows_ <= skip_rows_;
    if (repeat && !replaying_)
      return true;
    hand_on();
    for (auto relid : t.relids)
      for (auto* r : targets(relid))
        if (!r->broken && wants(*r, repeat))
          caf::anon_send(r->client, truncated_atom::value, txn_time_);
    return true;
  }

  stream_position position() const {
    return {static_cast<int64_t>(txn_commit_.value),
            static_cast<int64_t>(txn_rows_)};
  }

  // Whether `r` takes the current row: a repeat only in its replay.
  bool wants(const route& r, bool repeat) const {
    return !repeat || (r.replay_from && !(position() < *r.replay_from));
  }

  const std::vector<route*>& targets(uint32_t relid) {
    static const std::vector<route*> none;
    auto i = by_relid_.find(relid);
    return i != by_relid_.end() ? i->second : none;
  }

  // One row change: counted (for resuming a transaction handed on in
  // part), then rendered by `build` into `payload_` for every watcher of its
  // table and event for which `fires` (trigger columns) holds.
  template <class Build, class Fires = std::nullptr_t>
  bool row(uint32_t relid, event_kind event, Build build,
           Fires fires = nullptr) {
    bool repeat = ++txn_rows_ <= skip_rows_;
    if (repeat && !replaying_)
      return true;
    for (auto* r : targets(relid)) {
      if (r->broken || r->watcher->spec.event != event || !wants(*r, repeat))
        continue;
      if constexpr (!std::is_same_v<Fires, std::nullptr_t>) {
        auto fired = fires(*r);
        if (!fired) {
          give_up(*r, "cannot tell whether the trigger columns changed: "
                        + describe(fired.error()));
          continue;
        }
        if (!*fired)
          continue;
      }
      if (auto err = build(*r)) {
        give_up(*r, "cannot render a row change: " + describe(err));
        continue;
      }
      touch(*r);
      r->pending.add(payload_, position());
      if (r->last_commit != txn_commit_) {
        r->last_commit = txn_commit_;
        if (r->feedback)
          r->feedback->handed(txn_commit_, txn_begins_after_);
      }
    }
    return true;
  }

  void touch(route& r) {
    if (r.touched)
      return;
    r.touched = true;
    touched_.push_back(&r);
  }

  // Sends each watcher its share of the drained messages, then records how
  // far the stream is handed on.
  void hand_on() {
    for (auto* r : touched_)
      send_pending(*r);
    touched_.clear();
    {
      std::lock_guard<std::mutex> guard{settings_.progress->mtx};
      auto& handed = *settings_.progress;
      if (txn_commit_ >= handed.handed_commit) {
        handed.handed_commit = txn_commit_;
        handed.handed_rows
          = in_txn_ ? std::max(txn_rows_, skip_rows_) : every_row;
      }
    }
    update_confirmed();
  }

  // Hands `r` what it got so far ahead of the others.
  void hand_on_to(route& r) {
    if (!r.touched)
      return;
    send_pending(r);
    touched_.erase(std::remove(touched_.begin(), touched_.end(), &r),
                   touched_.end());
  }

  void send_pending(route& r) {
    caf::anon_send(r.client, std::move(r.pending));
    r.pending = notification_batch{};
    r.touched = false;
  }

  // What the slot may be confirmed to: what was handed on, but not past a
  // transaction a durable watcher has not processed yet.
  void update_confirmed() {
    auto target = drained_flush_;
    for (auto& r : routes_) {
      if (!r.feedback)
        continue;
      auto bound = r.feedback->confirmable();
      if (!bound)
        continue;
      if (received_ > *bound
          && received_.value - bound->value > settings_.max_retained) {
        release(r, received_.value - bound->value);
        continue;
      }
      target = std::min(target, *bound);
    }
    if (target > confirmed_)
      confirmed_ = target;
  }

  // The slot would retain `held` bytes for `r`, more than allowed: it stops
  // holding them, and the watcher tells its subscribers of the gap rather
  // than the server fill its disk.
  void release(route& r, uint64_t held) {
    log(log_level::warning, r.channel,
        "the replication slot would retain " + std::to_string(held >> 20)
          + " MiB of WAL for changes this durable watcher's subscribers "
            "have not processed, more than [wal] max_retained_mb ("
          + std::to_string(settings_.max_retained >> 20)
          + "): no longer holding them");
    hand_on_to(r);
    r.feedback->release();
    r.replay_from.reset();
    caf::anon_send(r.client, released_atom::value, held);
  }

  // -- positions and liveness -------------------------------------------------

  // Sends a status update when the server asked, when progress waits to be
  // confirmed, every status interval, or as a ping (`ping`).
  bool report_position(bool ping) {
    auto now = clock::now();
    bool due
      = reply_now_ || ping
        || (confirmed_ > reported_ && now - last_status_ >= confirm_delay)
        || now - last_status_ >= settings_.status_interval;
    if (!due)
      return true;
    reply_now_ = false;
    auto write = std::max(received_, confirmed_);
    auto msg = wal::encode_standby_status(write, confirmed_, confirmed_,
                                          caf::make_timestamp(), ping);
    if (!conn_.put_copy(msg))
      return lost("sending a status update failed");
    last_status_ = now;
    reported_ = confirmed_;
    return flush();
  }

  // After `liveness.interval` of silence a ping must be answered within
  // `liveness.timeout`.
  bool keep_alive() {
    auto now = clock::now();
    if (ping_deadline_) {
      if (now >= *ping_deadline_) {
        lost("the server did not answer within "
             + seconds_text(settings_.liveness.timeout));
        return false;
      }
      return true;
    }
    if (now - last_traffic_ < settings_.liveness.interval)
      return true;
    ping_deadline_ = now + settings_.liveness.timeout;
    return report_position(true);
  }

  int poll_timeout_ms() const {
    auto next = last_status_ + settings_.status_interval;
    if (confirmed_ > reported_)
      next = std::min(next, last_status_ + confirm_delay);
    next = std::min(next, ping_deadline_
                            ? *ping_deadline_
                            : last_traffic_ + settings_.liveness.interval);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  next - clock::now())
                  .count();
    return static_cast<int>(std::clamp<int64_t>(left + 1, 0, 3600 * 1000));
  }

  bool flush() {
    auto state = conn_.flush();
    if (state == pg::connection::flush_state::failed)
      return lost("sending to the server failed");
    flush_pending_ = state == pg::connection::flush_state::pending;
    return true;
  }

  void alive() {
    last_traffic_ = clock::now();
    last_alive_ = caf::make_timestamp();
    ping_deadline_.reset();
  }

  bool lost(std::string what) {
    auto detail = conn_.error_message();
    if (!detail.empty())
      what += ": " + detail;
    return lost_with(make_error(errc::connection_failed, std::move(what)));
  }

  bool lost_with(caf::error err) {
    owner_.report_lost(std::move(err), last_alive_);
    return false;
  }

  replication_pump& owner_;
  const wal_stream_settings& settings_;
  pg::connection conn_;
  // A list: routes are referenced from `by_relid_` and `touched_`.
  std::list<route> routes_;
  std::unordered_map<uint32_t, std::vector<route*>> by_relid_;
  std::vector<route*> touched_;
  wal::relation_cache relations_;
  std::string payload_;
  bool streaming_ = false;
  // Restarting the stream: the slot may still be busy until then.
  std::optional<clock::time_point> restart_deadline_;
  // Some route's replay is in progress.
  bool replaying_ = false;
  // The transaction being received.
  bool in_txn_ = false;
  wal::lsn txn_commit_;
  // Where the stream stood when it began: the slot may be confirmed up to
  // there while the transaction is unprocessed.
  wal::lsn txn_begins_after_;
  caf::timestamp txn_time_;
  uint64_t txn_rows_ = 0;
  uint64_t skip_rows_ = 0;
  // Positions: the highest walEnd received, what the messages drained so
  // far allow to confirm, what is confirmed, and what the server was told.
  wal::lsn received_;
  wal::lsn drained_flush_;
  // Where this pass of the stream stands (the end of its last transaction
  // or keepalive between transactions). A replay's pass starts again from
  // the slot's confirmed position, behind `drained_flush_`.
  wal::lsn pass_end_;
  wal::lsn confirmed_;
  wal::lsn reported_;
  bool reply_now_ = false;
  bool flush_pending_ = false;
  clock::time_point last_traffic_;
  clock::time_point last_status_ = clock::now();
  std::optional<clock::time_point> ping_deadline_;
  caf::timestamp last_alive_ = caf::make_timestamp();
};

replication_pump::replication_pump(pg::connect_options options,
                                   wal_stream_settings settings,
                                   listener_actor listener, uint64_t generation)
    : pump_thread(std::move(options), std::move(listener), generation),
      settings_(std::move(settings)) {
  start();
}

replication_pump::~replication_pump() {
  stop();
}

void replication_pump::session(pg::connection conn) {
  stream{*this, std::move(conn)}.run();
}

} // namespace libwatch
