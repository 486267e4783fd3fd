// A loopback TCP proxy for tests of half-open connections: it forwards bytes
// both ways until `freeze()`, after which the connections it already has stay
// open but carry nothing — like a peer that vanished without FIN or RST.
// Connections accepted after a freeze forward normally.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace libwatch::testing {

class tcp_proxy {
public:
  /// Listens on a free loopback port and forwards to 127.0.0.1:`target`.
  explicit tcp_proxy(int target_port);
  ~tcp_proxy();

  int port() const noexcept {
    return port_;
  }

  /// Stops forwarding on every connection accepted so far.
  void freeze();

private:
  struct link {
    int client;
    int server;
    std::atomic<bool> frozen{false};
  };

  void accept_loop();
  void forward_loop(std::shared_ptr<link> l);

  int target_;
  int listen_fd_;
  int port_;
  int stop_fd_;
  std::mutex mtx_;
  std::vector<std::shared_ptr<link>> links_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

} // namespace libwatch::testing
