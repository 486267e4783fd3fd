// A fresh database per test on the server the harness started (or the one in
// LIBWATCH_TEST_DSN), dropped again when the test ends.
#pragma once

#include <string>

#include "libwatch/pg/connection.hpp"

namespace libwatch::testing {

/// DSN of the test server: LIBWATCH_TEST_DSN, else the file named by
/// LIBWATCH_TEST_DSN_FILE (written by harness/pg_cluster.sh). Aborts the test
/// run loudly when neither exists: integration tests never skip silently.
std::string server_dsn();

class test_database {
public:
  test_database();
  ~test_database();
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  /// conninfo of this database.
  const std::string& dsn() const noexcept {
    return dsn_;
  }

  const std::string& name() const noexcept {
    return name_;
  }

  /// Runs `sql` (several statements allowed) on a connection kept for the
  /// test; fails the test with the server's message on error.
  void exec(const std::string& sql);

  /// Runs a query and returns the first column of the first row ("" if none).
  std::string scalar(const std::string& sql);

  /// Opens a new connection to this database.
  pg::connection connect() const;

private:
  std::string name_;
  std::string dsn_;
  pg::connection* conn_ = nullptr;
};

} // namespace libwatch::testing
