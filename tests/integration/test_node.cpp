#include "integration/test_node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <thread>

namespace libwatch::testing {

namespace {

const std::string node_path = LIBWATCH_TEST_BINARY_DIR "/libwatch_test_node";

} // namespace

std::unique_ptr<cli_process> start_watch_node(const std::string& config,
                                              const std::string& watcher) {
  return std::make_unique<cli_process>(
    node_path, std::vector<std::string>{"watch", config, watcher});
}

std::unique_ptr<cli_process> start_remote_node(uint16_t port,
                                               const std::string& watcher) {
  return std::make_unique<cli_process>(
    node_path, std::vector<std::string>{"remote", "127.0.0.1",
                                        std::to_string(port), watcher});
}

std::optional<std::string> wait_for_line(cli_process& p,
                                         const std::string& token) {
  auto deadline = std::chrono::steady_clock::now() + node_must_arrive;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto line = p.next_line(left);
    if (!line)
      return std::nullopt;
    if (line->compare(0, token.size(), token) == 0
        && (line->size() == token.size() || (*line)[token.size()] == ' '))
      return line;
  }
}

bool wait_for_stderr(cli_process& p, const std::string& needle) {
  auto deadline = std::chrono::steady_clock::now() + node_must_arrive;
  while (p.err().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    // Reading stdout also waits for and collects stderr.
    p.next_line(std::chrono::milliseconds(50));
  }
  return true;
}

std::vector<std::string> collect_changes(cli_process& p, size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  while (out.size() < n) {
    auto line = wait_for_line(p, "change");
    if (!line)
      break;
    out.push_back(std::move(*line));
  }
  return out;
}

int64_t id_of(const std::string& change_line) {
  static const std::regex id{R"(field\("id", (-?\d+)\))"};
  std::smatch m;
  if (!std::regex_search(change_line, m, id))
    return -1;
  return std::stoll(m[1].str());
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

} // namespace libwatch::testing
