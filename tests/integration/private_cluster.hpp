// A PostgreSQL server of one test's own, for tests that stop, restart or cut
// off the server: they must not disturb the server other tests share.
#pragma once

#include <string>

namespace libwatch::testing {

class private_cluster {
public:
  /// Starts a fresh server (harness/pg_cluster.sh) or aborts the test run.
  private_cluster();
  /// Stops the server and removes its files.
  ~private_cluster();
  private_cluster(const private_cluster&) = delete;
  private_cluster& operator=(const private_cluster&) = delete;

  /// conninfo over its unix socket (database `postgres`).
  const std::string& dsn() const noexcept {
    return dsn_;
  }

  /// Its loopback TCP port.
  int port() const noexcept {
    return port_;
  }

  void pause();
  void resume();
  void restart();

private:
  void run(const std::string& command);

  std::string state_;
  std::string dsn_;
  int port_ = 0;
};

} // namespace libwatch::testing
