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
