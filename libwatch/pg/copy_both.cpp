// The COPY BOTH part of pg::connection: what the replication stream needs
// (START_REPLICATION's answer, CopyData both ways, the stream's end).
#include "libwatch/pg/connection.hpp"

#include <libpq-fe.h>

#include "libwatch/error.hpp"

namespace libwatch::pg {

void copy_buffer_deleter::operator()(char* ptr) const noexcept {
  PQfreemem(ptr);
}

std::optional<caf::error>
connection::take_copy_start(std::string_view context) {
  while (!busy()) {
    PGresult* next = PQgetResult(conn_.get());
    if (next == nullptr) {
      // Every result came and none started the stream.
      auto done = outcome(context, pending_.release());
      if (!done)
        return done.error();
      return make_error(errc::query_failed,
                        std::string{context}
                          + ": the server answered without streaming");
    }
    if (PQresultStatus(next) == PGRES_COPY_BOTH) {
      // In COPY BOTH, PQgetResult would return this state again: stop here.
      PQclear(next);
      pending_.reset();
      return caf::error{};
    }
    if (pending_ && PQresultStatus(pending_.get()) == PGRES_FATAL_ERROR)
      PQclear(next);
    else
      pending_.reset(next);
  }
  return std::nullopt;
}

connection::copy_read connection::read_copy(std::string_view& out) {
  copy_buffer_.reset();
  char* buffer = nullptr;
  auto n = PQgetCopyData(conn_.get(), &buffer, 1);
  if (n > 0) {
    copy_buffer_.reset(buffer);
    out = std::string_view{buffer, static_cast<size_t>(n)};
    return copy_read::message;
  }
  if (n == 0)
    return copy_read::none;
  return n == -1 ? copy_read::ended : copy_read::failed;
}

caf::error connection::copy_end(std::string_view context) {
  auto done = take_result(context);
  if (!done)
    return make_error(errc::connection_failed,
                      std::string{context}
                        + ": the stream ended: " + error_message());
  if (!*done)
    return done->error();
  return caf::error{};
}

bool connection::put_copy(std::string_view data) {
  return PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size()))
         == 1;
}

} // namespace libwatch::pg
