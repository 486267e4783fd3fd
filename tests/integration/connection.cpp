// Tests pg::connection against the real server: results read by column name,
// scripts through the simple-query path, and the asynchronous calls the
// notification pump uses.
#define CAF_SUITE connection
#include <caf/test/unit_test.hpp>

#include <poll.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/test_database.hpp"
#include "libwatch/error.hpp"

using namespace libwatch;

namespace {

struct fixture {
  testing::test_database db;
  pg::connection conn = db.connect();
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(connection_tests, fixture)

CAF_TEST(result_columns_are_read_by_the_name_the_query_gives_them) {
  auto res = conn.exec("test", "SELECT 'x' AS first, NULL::text AS second");
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->get(0, "first"), "x");
  CAF_CHECK(!res->is_null(0, "first"));
  CAF_CHECK(res->is_null(0, "second"));
}

CAF_TEST(reading_a_column_the_result_lacks_is_a_clear_error) {
  auto res = conn.exec("test", "SELECT 1 AS one");
  CAF_REQUIRE(res);
  try {
    res->get(0, "two");
    CAF_FAIL("no exception for a missing column");
  } catch (const std::logic_error& e) {
    CAF_CHECK_EQUAL(std::string{e.what()},
                    "query result has no column \"two\"");
  }
}

CAF_TEST(a_script_runs_every_statement_and_returns_the_last_result) {
  auto res = conn.exec_script("test", "CREATE TABLE t (x int); "
                                      "INSERT INTO t VALUES (1), (2); "
                                      "SELECT count(*) AS n FROM t");
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->get(0, "n"), "2");
}

CAF_TEST(a_failing_script_reports_the_error_and_keeps_nothing) {
  auto res = conn.exec_script("test", "CREATE TABLE t (x int); "
                                      "SELECT * FROM missing_table; "
                                      "SELECT 1");
  CAF_REQUIRE(!res);
  CAF_CHECK(is(res.error(), errc::query_failed));
  CAF_CHECK(describe(res.error()).find("SQLSTATE 42P01") != std::string::npos);
  // One implicit transaction: the CREATE TABLE was rolled back.
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_class WHERE relname = "
                            "'t'"),
                  "0");
}

CAF_TEST(notifications_arrive_through_the_asynchronous_calls) {
  CAF_REQUIRE(conn.set_nonblocking());
  CAF_REQUIRE(conn.send("LISTEN \"ch\""));
  while (conn.flush() == pg::connection::flush_state::pending) {
    pollfd fd{conn.socket(), POLLOUT, 0};
    poll(&fd, 1, 1000);
  }
  std::optional<caf::expected<pg::result>> outcome;
  while (!(outcome = conn.take_result("listening"))) {
    pollfd fd{conn.socket(), POLLIN, 0};
    poll(&fd, 1, 1000);
    CAF_REQUIRE(conn.consume_input());
  }
  CAF_REQUIRE(*outcome);
  db.exec("NOTIFY ch, 'hello'");
  struct owned {
    std::string channel;
    std::string payload;
    int32_t backend_pid;
  };
  std::vector<owned> received;
  for (int i = 0; i < 50 && received.empty(); ++i) {
    pollfd fd{conn.socket(), POLLIN, 0};
    poll(&fd, 1, 100);
    CAF_REQUIRE(conn.consume_input());
    conn.drain_notifications([&](const pg::notification& note) {
      received.push_back({std::string{note.channel}, std::string{note.payload},
                          note.backend_pid});
    });
  }
  CAF_REQUIRE_EQUAL(received.size(), 1u);
  CAF_CHECK_EQUAL(received[0].channel, "ch");
  CAF_CHECK_EQUAL(received[0].payload, "hello");
  CAF_CHECK_NOT_EQUAL(received[0].backend_pid, 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
