// Proves an outside project compiles and links against libwatch: it starts an
// actor system with libwatch's types, validates a configuration and spawns an
// instance against a server that does not exist, expecting the clear error.
#include <chrono>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "libwatch.hpp"

int main() {
  caf::actor_system_config cfg;
  libwatch::register_types(cfg);
  caf::actor_system sys{cfg};
  libwatch::watch_config config;
  config.conninfo = "host=/nonexistent-consumer-dir port=1";
  config.reconnect.fail_fast = true;
  config.watchers
    = {libwatch::watcher_spec::on("comments", libwatch::event_kind::inserted)
         .with_association_columns({"post_id"})};
  auto inst = libwatch::spawn_watchers(sys, config);
  if (!inst) {
    std::cerr << "unexpected: " << libwatch::describe(inst.error()) << '\n';
    return 1;
  }
  auto err = inst->await_ready(std::chrono::seconds(30));
  inst->stop();
  if (!libwatch::is(err, libwatch::errc::connection_failed)) {
    std::cerr << "expected a connection error, got: " << libwatch::describe(err)
              << '\n';
    return 1;
  }
  std::cout << "consumer OK: " << libwatch::describe(err) << '\n';
  return 0;
}
