// The examples' own SQL: an application writes its rows on a libpq
// connection of its own (libwatch's connections are internal to it). Shared
// by the examples so that each of them shows libwatch, not libpq.
#pragma once

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace example {

// Each libpq handle is owned by a unique_ptr whose deleter is the libpq
// function that frees it.
struct pq_finish {
  void operator()(PGconn* conn) const {
    PQfinish(conn);
  }
};
struct pq_clear {
  void operator()(PGresult* res) const {
    PQclear(res);
  }
};
using pq_connection = std::unique_ptr<PGconn, pq_finish>;
using pq_result = std::unique_ptr<PGresult, pq_clear>;

// libpq's messages end with a newline.
inline std::string trimmed(const char* msg) {
  std::string text = msg != nullptr ? msg : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

// Server notices ("table ... does not exist, skipping") would interleave
// with the example's own lines.
inline void ignore_notice(void*, const char*) {}

// Connects with `conninfo` (keywords or URI; "" means libpq's defaults and
// the PG* variables, as with psql). Null after printing why it failed.
inline pq_connection open_connection(const std::string& conninfo,
                                     const char* app_name) {
  // expand_dbname = 1: `dbname` carries the whole conninfo, which may
  // override the application name given before it.
  const char* keys[] = {"application_name", "dbname", nullptr};
  const char* values[] = {app_name, conninfo.c_str(), nullptr};
  pq_connection conn{PQconnectdbParams(keys, values, 1)};
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::cerr << "cannot connect to PostgreSQL: "
              << (conn ? trimmed(PQerrorMessage(conn.get())) : "out of memory")
              << std::endl;
    return nullptr;
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  return conn;
}

// Runs one statement, values passed as text parameters ($1, $2, ...), never
// pasted into the SQL. Returns what went wrong, or nothing.
inline std::optional<std::string> exec(PGconn& conn, const std::string& sql,
                                       const std::vector<std::string>& params
                                       = {}) {
  std::vector<const char*> values;
  for (auto& x : params)
    values.push_back(x.c_str());
  pq_result res{PQexecParams(&conn, sql.c_str(),
                             static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0)};
  auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return std::nullopt;
  const char* primary
    = res ? PQresultErrorField(res.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary == nullptr) // no answer from the server: the connection's error
    return trimmed(PQerrorMessage(&conn));
  const char* sqlstate = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
  return std::string{primary} + " (SQLSTATE " + (sqlstate ? sqlstate : "?")
         + ")";
}

} // namespace example
