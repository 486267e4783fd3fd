#include "libwatch/pg/change_log.hpp"

#include <chrono>

#include "libwatch/error.hpp"
#include "libwatch/sql/durable_sql.hpp"

namespace libwatch::pg {

namespace {

constexpr std::string_view reading = "reading the change log";

caf::expected<log_cursor> state_of(connection& conn,
                                   const std::string& consumer,
                                   const std::string& channel) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto res
      = conn.exec(reading, sql::consumer_state_query(), {consumer, channel});
    if (!res)
      return res.error();
    if (res->rows() == 1)
      return log_cursor{std::stoll(std::string{res->get(0, "tick")}),
                        std::stoll(std::string{res->get(0, "entry")})};
    if (auto err = register_consumer(conn, consumer, channel))
      return err;
  }
  return make_error(errc::query_failed, "the durable consumer " + consumer
                                          + " could not be registered");
}

} // namespace

caf::error register_consumer(connection& conn, const std::string& consumer,
                             const std::string& channel) {
  auto res = conn.exec("registering the durable consumer " + consumer,
                       sql::register_consumer_statement(), {consumer, channel});
  return res ? caf::none : res.error();
}

caf::expected<log_batch> read_log(connection& conn, const std::string& consumer,
                                  const std::string& channel,
                                  std::optional<log_cursor> from,
                                  uint32_t limit) {
  auto state = from ? caf::expected<log_cursor>{*from}
                    : state_of(conn, consumer, channel);
  if (!state)
    return state.error();
  log_batch out;
  out.batch = state->tick + 1;
  auto batch = std::to_string(out.batch);
  // Autocommit: the tick's snapshot is taken, and committed, before the
  // read below takes its own, later one.
  auto tick = conn.exec(reading, sql::take_tick_statement(),
                        {consumer, channel, batch});
  if (!tick)
    return tick.error();
  out.fresh = tick->affected_rows() == 1;
  auto rows = conn.exec(reading, sql::read_batch_query(),
                        {consumer, channel, batch, std::to_string(state->entry),
                         std::to_string(limit)});
  if (!rows)
    return rows.error();
  out.entries.reserve(rows->rows());
  for (int r = 0; r < rows->rows(); ++r)
    out.entries.push_back(
      log_entry{std::stoll(std::string{rows->get(r, "entry")}),
                std::string{rows->get(r, "payload")}});
  out.complete = out.entries.size() < limit;
  return out;
}

caf::error advance_log(connection& conn, const std::string& consumer,
                       const std::string& channel, log_cursor at) {
  auto res = conn.exec(
    "advancing the durable consumer " + consumer, sql::advance_statement(),
    {consumer, channel, std::to_string(at.tick), std::to_string(at.entry)});
  return res ? caf::none : res.error();
}

caf::expected<uint64_t> prune_log(connection& conn, const std::string& channel,
                                  caf::timespan retention, uint32_t limit) {
  auto seconds = std::chrono::duration<double>(retention).count();
  auto res
    = conn.exec("pruning the change log", sql::prune_statement(),
                {channel, std::to_string(seconds), std::to_string(limit)});
  if (!res)
    return res.error();
  return res->affected_rows();
}

} // namespace libwatch::pg
