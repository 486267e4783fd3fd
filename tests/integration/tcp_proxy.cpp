#include "integration/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace libwatch::testing {

namespace {

[[noreturn]] void die(const char* what) {
  std::cerr << "*** tcp_proxy: " << what << std::endl;
  std::abort();
}

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

} // namespace

tcp_proxy::tcp_proxy(int target_port)
    : target_(target_port), stop_fd_(eventfd(0, EFD_CLOEXEC)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  if (listen_fd_ < 0
      || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || listen(listen_fd_, 16) != 0)
    die("cannot listen");
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread{[this] { accept_loop(); }};
}

tcp_proxy::~tcp_proxy() {
  uint64_t one = 1;
  [[maybe_unused]] auto res = write(stop_fd_, &one, sizeof(one));
  acceptor_.join();
  for (auto& t : threads_)
    t.join();
  for (auto& l : links_) {
    close(l->client);
    close(l->server);
  }
  close(listen_fd_);
  close(stop_fd_);
}

void tcp_proxy::freeze() {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& l : links_)
    l->frozen = true;
}

void tcp_proxy::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    poll(fds, 2, -1);
    if (fds[0].revents & POLLIN)
      return;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0)
      continue;
    int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto addr = loopback(target_);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
        != 0) {
      close(client);
      close(server);
      continue;
    }
    auto l = std::make_shared<link>();
    l->client = client;
    l->server = server;
    std::lock_guard<std::mutex> guard{mtx_};
    links_.push_back(l);
    threads_.emplace_back([this, l] { forward_loop(l); });
  }
}

void tcp_proxy::forward_loop(std::shared_ptr<link> l) {
  char buf[16384];
  for (;;) {
    pollfd fds[3]
      = {{stop_fd_, POLLIN, 0}, {l->client, POLLIN, 0}, {l->server, POLLIN, 0}};
    // While frozen, read nothing: data piles up in the kernel buffers and
    // nobody answers, but no side sees the connection close.
    if (l->frozen) {
      fds[1].fd = -1;
      fds[2].fd = -1;
    }
    poll(fds, 3, 50);
    if (fds[0].revents & POLLIN)
      return;
    for (int i = 1; i <= 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      int from = i == 1 ? l->client : l->server;
      int to = i == 1 ? l->server : l->client;
      auto n = read(from, buf, sizeof(buf));
      if (n <= 0) {
        shutdown(to, SHUT_WR);
        return;
      }
      for (ssize_t off = 0; off < n;) {
        auto w = write(to, buf + off, static_cast<size_t>(n - off));
        if (w <= 0)
          return;
        off += w;
      }
    }
  }
}

} // namespace libwatch::testing
