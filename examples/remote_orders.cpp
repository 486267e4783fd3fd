// Shape 2 of a multi-node deployment: one watcher node holds the database
// connection and publishes its libwatch groups over CAF's network layer;
// subscriber nodes without database access join them through
// `connect_remote` and receive the same typed messages.
//
//   watcher node (database)                 subscriber node (no database)
//   +-----------------------------+         +-----------------------------+
//   | libwatch instance           |  caf::io| relay (reconnects)          |
//   |  orders:inserted topic ---> gateway <---- forwarder (one per topic)  |
//   |  [cluster] listen 127.0.0.1 |  BASP   |  local topic --> printer    |
//   +-----------------------------+         +-----------------------------+
//
//   remote_orders watch CONNINFO PORT   creates table `orders`, publishes
//                                       its watcher on 127.0.0.1:PORT and
//                                       inserts an order every second
//   remote_orders subscribe HOST PORT   prints what arrives; stop or restart
//                                       the watcher node to see
//                                       disconnected/resumed
// Both run until Ctrl-C.
#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "app_database.hpp"
#include "libwatch.hpp"

using example::exec;
using example::open_connection;

namespace {

volatile sig_atomic_t running = 1;

void on_signal(int) {
  running = 0;
}

// Any event-based actor can subscribe; this one prints.
caf::behavior printer(caf::event_based_actor* self, caf::group orders) {
  self->join(orders);
  return {
    [](const libwatch::change& c) {
      std::cout << "order " << c.key().to_text() << " for "
                << c.at("customer").to_text() << std::endl;
    },
    [](const libwatch::ready_msg& x) {
      std::cout << "ready: " << x.watcher << std::endl;
    },
    [](const libwatch::disconnected_msg& x) {
      std::cout << "disconnected: " << x.reason << std::endl;
    },
    [](const libwatch::resumed_msg& x) {
      std::cout << "resumed: " << x.watcher
                << " (changes in the gap may be missed; re-read)" << std::endl;
    },
  };
}

int watch(caf::actor_system& sys, const std::string& conninfo, uint16_t port) {
  auto conn = open_connection(conninfo, "remote-orders-app");
  if (!conn)
    return 1;
  // A failure here is reported and not fatal: the table may exist already,
  // and if it does not, libwatch names the problem when it starts.
  if (auto err = exec(*conn, "CREATE TABLE IF NOT EXISTS orders (id serial "
                             "PRIMARY KEY, customer text NOT NULL)"))
    std::cerr << "cannot create table orders: " << *err << std::endl;
  libwatch::watch_config cfg;
  cfg.conninfo = conninfo;
  cfg.cluster.enabled = true; // [cluster] listen = "127.0.0.1:PORT"
  cfg.cluster.port = port;
  cfg.watchers.push_back(
    libwatch::watcher_spec::on("orders", libwatch::event_kind::inserted)
      .with_extra_columns({"customer"}));
  auto lw = libwatch::spawn_watchers(sys, cfg);
  if (!lw) {
    std::cerr << libwatch::describe(lw.error()) << std::endl;
    return 1;
  }
  if (auto err = lw->await_ready(std::chrono::seconds(10))) {
    std::cerr << libwatch::describe(err) << std::endl;
    lw->stop();
    return 1;
  }
  std::cout << "publishing on 127.0.0.1:" << lw->cluster_port() << std::endl;
  for (int i = 1; running; ++i) {
    if (auto err = exec(*conn, "INSERT INTO orders (customer) VALUES ($1)",
                        {"customer " + std::to_string(i)}))
      std::cerr << "cannot insert order " << i << ": " << *err << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  lw->stop();
  return 0;
}

int subscribe(caf::actor_system& sys, const std::string& host, uint16_t port) {
  auto remote = libwatch::connect_remote(sys, host, port);
  if (!remote) {
    std::cerr << libwatch::describe(remote.error()) << std::endl;
    return 1;
  }
  auto orders = remote->all("orders:inserted");
  if (!orders) {
    std::cerr << libwatch::describe(orders.error()) << std::endl;
    remote->stop();
    return 1;
  }
  auto p = sys.spawn(printer, *orders);
  while (running)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Stop what holds subscribers before the actor system ends.
  remote->stop();
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: remote_orders watch CONNINFO PORT\n"
                 "       remote_orders subscribe HOST PORT\n";
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  caf::actor_system_config cfg;
  // Both sides: the same message types, and CAF's network layer.
  libwatch::register_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  std::string mode = argv[1];
  auto port = static_cast<uint16_t>(std::stoul(argv[3]));
  if (mode == "watch")
    return watch(sys, argv[2], port);
  return subscribe(sys, argv[2], port);
}
