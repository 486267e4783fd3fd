#include "integration/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "libwatch/error.hpp"

namespace libwatch::testing {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::cerr << "*** integration test setup failed: " << what << std::endl;
  std::abort();
}

pg::connection open_or_die(const std::string& dsn) {
  auto conn = pg::connection::open(dsn, "libwatch-tests");
  if (!conn)
    die(describe(conn.error()));
  return std::move(*conn);
}

void exec_or_die(pg::connection& conn, const std::string& sql) {
  auto res = conn.exec("test setup", sql);
  if (!res)
    die(describe(res.error()) + "\n  in: " + sql);
}

} // namespace

std::string server_dsn() {
  if (auto* dsn = std::getenv("LIBWATCH_TEST_DSN"); dsn && *dsn)
    return dsn;
  if (auto* file = std::getenv("LIBWATCH_TEST_DSN_FILE"); file && *file) {
    std::ifstream in{file};
    std::string dsn;
    if (std::getline(in, dsn) && !dsn.empty())
      return dsn;
    die(std::string{"cannot read the DSN from "} + file
        + " (did the postgres.start fixture run?)");
  }
  die("no PostgreSQL for integration tests: run them through ctest (which "
      "starts one) or set LIBWATCH_TEST_DSN");
}

test_database::test_database() {
  static std::atomic<int> counter{0};
  name_
    = "lw_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = open_or_die(server_dsn());
  exec_or_die(admin, "DROP DATABASE IF EXISTS " + name_);
  exec_or_die(admin, "CREATE DATABASE " + name_);
  dsn_ = server_dsn() + " dbname=" + name_;
  conn_ = new pg::connection(open_or_die(dsn_));
}

test_database::~test_database() {
  delete conn_;
  auto admin = open_or_die(server_dsn());
  // Replication slots of the database block DROP DATABASE, even WITH
  // (FORCE). End the walsenders streaming from them first: a slot stays
  // active until its walsender has exited, so retry for a little while.
  for (int attempt = 0; attempt < 50; ++attempt) {
    admin.exec("test teardown",
               "SELECT pg_terminate_backend(active_pid) FROM "
               "pg_replication_slots WHERE database = $1 AND active",
               {name_});
    auto idle = admin.exec("test teardown",
                           "SELECT slot_name FROM pg_replication_slots "
                           "WHERE database = $1 AND NOT active",
                           {name_});
    if (idle)
      for (int r = 0; r < idle->rows(); ++r)
        admin.exec("test teardown", "SELECT pg_drop_replication_slot($1)",
                   {std::string{idle->get(r, "slot_name")}});
    auto left = admin.exec("test teardown",
                           "SELECT count(*) FROM pg_replication_slots "
                           "WHERE database = $1",
                           {name_});
    if (!left || left->get(0, 0) == "0")
      break;
    usleep(100 * 1000);
  }
  // FORCE ends sessions a failed test may have left behind.
  auto res = admin.exec("test teardown",
                        "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  if (!res)
    std::cerr << "*** could not drop " << name_ << ": " << describe(res.error())
              << std::endl;
}

void test_database::exec(const std::string& sql) {
  // Test setup often runs several statements at once: the simple-query path.
  auto res = conn_->exec_script("test setup", sql);
  if (!res)
    throw std::runtime_error("SQL failed: " + describe(res.error())
                             + "  in: " + sql);
}

std::string test_database::scalar(const std::string& sql) {
  auto res = conn_->exec("test query", sql);
  if (!res)
    throw std::runtime_error(describe(res.error()) + "  in: " + sql);
  if (res->rows() == 0 || res->is_null(0, 0))
    return {};
  return std::string{res->get(0, 0)};
}

pg::connection test_database::connect() const {
  return open_or_die(dsn_);
}

} // namespace libwatch::testing
