#include "integration/private_cluster.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace libwatch::testing {

namespace {

std::string read_line(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  return line;
}

} // namespace

private_cluster::private_cluster() {
  static std::atomic<int> counter{0};
  state_ = "/tmp/libwatch-private-" + std::to_string(getpid()) + "-"
           + std::to_string(counter++);
  run("start");
  dsn_ = read_line(state_ + "/dsn");
  port_ = std::stoi(read_line(state_ + "/port"));
}

private_cluster::~private_cluster() {
  run("stop");
}

void private_cluster::pause() {
  run("pause");
}

void private_cluster::resume() {
  run("resume");
}

void private_cluster::restart() {
  run("restart");
}

void private_cluster::run(const std::string& command) {
  std::string line = std::string{LIBWATCH_PG_CLUSTER_SCRIPT} + " " + command
                     + " " + state_ + " >/dev/null";
  // The private server is always our own, even when LIBWATCH_TEST_DSN names
  // a shared one.
  line = "env -u LIBWATCH_TEST_DSN " + line;
  if (std::system(line.c_str()) != 0) {
    std::cerr << "*** " << line << " failed" << std::endl;
    std::abort();
  }
}

} // namespace libwatch::testing
