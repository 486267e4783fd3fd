#include "libwatch/pg/connection.hpp"

#include <poll.h>

#include <cerrno>

#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch::pg {

std::string last_error(PGconn* conn) {
  std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  return msg;
}

namespace {

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

caf::expected<connection> connection::open(const std::string& conninfo,
                                           const std::string& app_name) {
  // expand_dbname=1 lets `dbname` carry a full conninfo or URI; later
  // keywords win, so a user-given application_name overrides ours.
  const char* keys[] = {"application_name", "dbname", nullptr};
  const char* values[] = {app_name.c_str(), conninfo.c_str(), nullptr};
  connection conn{PQconnectdbParams(keys, values, 1)};
  if (!conn.ok())
    return connect_failure(conn.native());
  PQsetNoticeProcessor(conn.native(), log_notice, nullptr);
  return conn;
}

caf::expected<connection>
connection::open_interruptible(const std::string& conninfo,
                               const std::string& app_name, int wake_fd,
                               const std::function<bool()>& cancelled) {
  const char* keys[] = {"application_name", "dbname", nullptr};
  const char* values[] = {app_name.c_str(), conninfo.c_str(), nullptr};
  connection conn{PQconnectStartParams(keys, values, 1)};
  auto* raw = conn.native();
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

caf::expected<result> connection::exec(std::string_view context,
                                       const std::string& sql,
                                       const std::vector<param>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<std::string> copies; // PQexecParams needs NUL-terminated text
  copies.reserve(params.size());
  for (auto& p : params) {
    if (p) {
      copies.emplace_back(*p);
      values.push_back(copies.back().c_str());
    } else {
      values.push_back(nullptr);
    }
  }
  PGresult* raw
    = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()),
                   nullptr, values.data(), nullptr, nullptr, 0);
  result res{raw};
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;
  std::string text{context};
  text += ": ";
  if (raw != nullptr) {
    if (auto state = PQresultErrorField(raw, PG_DIAG_SQLSTATE)) {
      text += "SQLSTATE ";
      text += state;
      text += ": ";
    }
    if (auto primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY))
      text += primary;
    else
      text += last_error(conn_.get());
  } else {
    text += last_error(conn_.get());
  }
  auto code = ok() ? errc::query_failed : errc::connection_failed;
  return make_error(code, std::move(text));
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

std::string redact(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr)
    PQfreemem(err);
  if (opts == nullptr)
    return "(unparsable connection string)";
  std::string out;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr)
      continue;
    if (!out.empty())
      out += ' ';
    out += o->keyword;
    out += '=';
    out += std::string_view{o->keyword} == "password" ? "********" : o->val;
  }
  PQconninfoFree(opts);
  return out;
}

} // namespace libwatch::pg
