// Helper process for the concurrent start-up test: starts libwatch with one
// watcher per event on table `race` of the database DSN, waits until it is
// ready, stops it and exits 0 (1 with the error on stderr).
//   libwatch_install_once DSN
#include <chrono>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "libwatch.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: libwatch_install_once DSN\n";
    return 2;
  }
  caf::actor_system_config cfg;
  libwatch::register_types(cfg);
  caf::actor_system sys{cfg};
  libwatch::watch_config config;
  config.conninfo = argv[1];
  using libwatch::event_kind;
  using libwatch::watcher_spec;
  config.watchers
    = {watcher_spec::on("race", event_kind::inserted),
       watcher_spec::on("race", event_kind::updated),
       watcher_spec::on("race", event_kind::deleted).with_extra_columns({"v"})};
  auto inst = libwatch::spawn_watchers(sys, config);
  if (!inst) {
    std::cerr << libwatch::describe(inst.error()) << '\n';
    return 1;
  }
  auto err = inst->await_ready(std::chrono::seconds(60));
  inst->stop();
  if (err) {
    std::cerr << libwatch::describe(err) << '\n';
    return 1;
  }
  return 0;
}
