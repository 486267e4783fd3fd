#include "libwatch/pg/connection.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

#include <libpq-fe.h>

#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch::pg {

void connection_deleter::operator()(PGconn* ptr) const noexcept {
  PQfinish(ptr);
}

namespace {

// libpq's last error message on `conn`, without the trailing newline.
std::string last_error(PGconn* conn) {
  std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  return msg;
}

// libpq prints server notices (e.g. "table does not exist, skipping") to
// stderr by default; a library routes them to its log instead.
void log_notice(void*, const char* message) {
  if (log_enabled(log_level::debug)) {
    std::string text{message};
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    log(log_level::debug, "postgres", text);
  }
}

caf::error connect_failure(PGconn* raw) {
  return make_error(errc::connection_failed,
                    "cannot connect to PostgreSQL: " + last_error(raw));
}

} // namespace

namespace {

// libpq keywords and values for PQconnect*Params. Our defaults come before
// `dbname` (expand_dbname=1 makes it carry the whole conninfo or URI), so
// anything the user's conninfo sets wins.
class connect_params {
public:
  static caf::expected<connect_params> from(const connect_options& opts) {
    connect_params result;
    auto add = [&](const char* key, std::string value) {
      result.keys_.push_back(key);
      result.values_.push_back(std::move(value));
    };
    if (!opts.application_name.empty())
      add("application_name", opts.application_name);
    if (opts.keepalive_idle.count() > 0) {
      using std::chrono::duration_cast;
      using std::chrono::seconds;
      auto idle = std::max<int64_t>(
        1, duration_cast<seconds>(opts.keepalive_idle).count());
      add("keepalives", "1");
      add("keepalives_idle", std::to_string(idle));
      add("keepalives_interval",
          std::to_string(std::max<int64_t>(1, idle / 3)));
      add("keepalives_count", "3");
    }
    if (opts.user_timeout.count() > 0) {
      using std::chrono::duration_cast;
      using std::chrono::milliseconds;
      add(
        "tcp_user_timeout",
        std::to_string(duration_cast<milliseconds>(opts.user_timeout).count()));
    }
    if (!opts.password_env.empty()) {
      auto* password = std::getenv(opts.password_env.c_str());
      if (password == nullptr)
        return make_error(errc::connection_failed,
                          "cannot connect to PostgreSQL: the environment "
                          "variable "
                            + opts.password_env + " (password_env) is not set");
      add("password", password);
    }
    add("dbname", opts.conninfo);
    for (auto& [key, value] : opts.overrides) {
      result.own_keys_.push_back(key);
      add(nullptr, value);
    }
    return result;
  }

  const char* const* keys() {
    ptrs_.clear();
    auto own = own_keys_.begin();
    for (auto* k : keys_)
      ptrs_.push_back(k != nullptr ? k : (own++)->c_str());
    ptrs_.push_back(nullptr);
    return ptrs_.data();
  }

  const char* const* values() {
    vals_.clear();
    for (auto& v : values_)
      vals_.push_back(v.c_str());
    vals_.push_back(nullptr);
    return vals_.data();
  }

private:
  // Null entries of `keys_` stand for the next of `own_keys_` (overrides).
  std::vector<const char*> keys_;
  std::vector<std::string> own_keys_;
  std::vector<std::string> values_;
  std::vector<const char*> ptrs_;
  std::vector<const char*> vals_;
};

} // namespace

caf::expected<connection> connection::open(const connect_options& opts) {
  auto params = connect_params::from(opts);
  if (!params)
    return params.error();
  connection conn{PQconnectdbParams(params->keys(), params->values(), 1)};
  if (!conn.ok())
    return connect_failure(conn.conn_.get());
  PQsetNoticeProcessor(conn.conn_.get(), log_notice, nullptr);
  return conn;
}

caf::expected<connection> connection::open(const std::string& conninfo,
                                           const std::string& app_name) {
  connect_options opts;
  opts.conninfo = conninfo;
  opts.application_name = app_name;
  return open(opts);
}

caf::expected<connection>
connection::open_interruptible(const connect_options& opts, int wake_fd,
                               const std::function<bool()>& cancelled) {
  auto params = connect_params::from(opts);
  if (!params)
    return params.error();
  connection conn{PQconnectStartParams(params->keys(), params->values(), 1)};
  auto* raw = conn.conn_.get();
  if (raw == nullptr || PQstatus(raw) == CONNECTION_BAD)
    return connect_failure(raw);
  auto state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED)
      return connect_failure(raw);
    short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {PQsocket(raw), events, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR)
      return make_error(errc::connection_failed,
                        "poll failed while connecting");
    if ((fds[0].revents & POLLIN) && cancelled())
      return make_error(errc::stopped, "stopped while connecting");
    if (fds[1].revents != 0)
      state = PQconnectPoll(raw);
  }
  PQsetNoticeProcessor(raw, log_notice, nullptr);
  return conn;
}

namespace {

// SQLSTATEs after which the same statement may well succeed later.
bool is_transient(std::string_view state) {
  if (state.size() != 5)
    return false;
  auto cls = state.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || state == "55P03"
         || state == "40001" || state == "40P01";
}

} // namespace

namespace {

// Text parameters for PQsendQueryParams: NUL-terminated copies.
class text_params {
public:
  explicit text_params(const std::vector<param>& params) {
    copies_.reserve(params.size());
    for (auto& p : params) {
      if (p) {
        copies_.emplace_back(*p);
        values_.push_back(copies_.back().c_str());
      } else {
        values_.push_back(nullptr);
      }
    }
  }

  int size() const noexcept {
    return static_cast<int>(values_.size());
  }

  const char* const* values() const noexcept {
    return values_.data();
  }

private:
  std::vector<std::string> copies_;
  std::vector<const char*> values_;
};

bool succeeded(const PGresult* raw) {
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

} // namespace

caf::expected<result> connection::exec(std::string_view context,
                                       const std::string& sql,
                                       const std::vector<param>& params,
                                       caf::timespan timeout) {
  if (!send(sql, params))
    return outcome(context, nullptr);
  return await_result(context, timeout);
}

caf::expected<result> connection::exec_script(std::string_view context,
                                              const std::string& sql,
                                              caf::timespan timeout) {
  if (!send(sql))
    return outcome(context, nullptr);
  return await_result(context, timeout);
}

caf::expected<result> connection::await_result(std::string_view context,
                                               caf::timespan timeout) {
  using clock = std::chrono::steady_clock;
  if (timeout.count() <= 0)
    timeout = default_timeout_;
  bool bounded = timeout.count() > 0;
  auto deadline = clock::now() + timeout;
  for (;;) {
    if (auto done = take_result(context))
      return std::move(*done);
    int wait_ms = -1;
    if (bounded) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - clock::now())
                    .count();
      wait_ms = static_cast<int>(std::max<int64_t>(left, 0));
    }
    pollfd fd{socket(), POLLIN, 0};
    if (bounded && (wait_ms == 0 || poll(&fd, 1, wait_ms) == 0)) {
      pending_.reset();
      conn_.reset();
      return make_error(errc::connection_failed,
                        std::string{context} + ": no answer from the server "
                          + "within the time limit; connection closed");
    }
    if (!bounded)
      poll(&fd, 1, -1);
    if (!consume_input())
      return outcome(context, pending_.release());
  }
}

caf::expected<result> connection::outcome(std::string_view context,
                                          PGresult* raw) {
  result res{raw};
  if (succeeded(raw))
    return res;
  std::string text{context};
  text += ": ";
  auto code = ok() ? errc::query_failed : errc::connection_failed;
  last_sqlstate_.clear();
  if (raw != nullptr) {
    if (auto state = PQresultErrorField(raw, PG_DIAG_SQLSTATE)) {
      last_sqlstate_ = state;
      text += "SQLSTATE ";
      text += state;
      text += ": ";
      if (code == errc::query_failed && is_transient(state))
        code = errc::temporarily_failed;
      else if (code == errc::query_failed && std::string_view{state} == "42501")
        code = errc::missing_privilege;
    }
    if (auto primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY))
      text += primary;
    else
      text += last_error(conn_.get());
  } else {
    text += last_error(conn_.get());
  }
  return make_error(code, std::move(text));
}

bool connection::set_nonblocking() noexcept {
  return PQsetnonblocking(conn_.get(), 1) == 0;
}

bool connection::send(const std::string& sql) {
  return PQsendQuery(conn_.get(), sql.c_str()) == 1;
}

bool connection::send(const std::string& sql,
                      const std::vector<param>& params) {
  text_params values{params};
  return PQsendQueryParams(conn_.get(), sql.c_str(), values.size(), nullptr,
                           values.values(), nullptr, nullptr, 0)
         == 1;
}

connection::flush_state connection::flush() noexcept {
  switch (PQflush(conn_.get())) {
    case 0:
      return flush_state::done;
    case 1:
      return flush_state::pending;
    default:
      return flush_state::failed;
  }
}

bool connection::consume_input() noexcept {
  return PQconsumeInput(conn_.get()) == 1;
}

bool connection::busy() const noexcept {
  return PQisBusy(conn_.get()) == 1;
}

std::optional<caf::expected<result>>
connection::take_result(std::string_view context) {
  while (!busy()) {
    PGresult* next = PQgetResult(conn_.get());
    if (next == nullptr)
      return outcome(context, pending_.release());
    // Keep the first error: what a script ran after it does not matter.
    if (pending_ && !succeeded(pending_.get()))
      PQclear(next);
    else
      pending_.reset(next);
  }
  return std::nullopt;
}

void connection::drain_notifications(
  const std::function<void(const notification&)>& f) {
  struct notify_deleter {
    void operator()(PGnotify* ptr) const noexcept {
      PQfreemem(ptr);
    }
  };
  while (auto raw
         = std::unique_ptr<PGnotify, notify_deleter>{PQnotifies(conn_.get())})
    f(notification{raw->relname, raw->extra,
                   static_cast<int32_t>(raw->be_pid)});
}

bool connection::ok() const noexcept {
  return conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

int connection::server_version() const noexcept {
  return PQserverVersion(conn_.get());
}

int connection::socket() const noexcept {
  return PQsocket(conn_.get());
}

std::string connection::error_message() const {
  return last_error(conn_.get());
}

} // namespace libwatch::pg
