// Helper process for the multi-node tests: one libwatch node that prints, on
// stdout, one line per message its subscriber actor receives, until SIGTERM.
//   libwatch_test_node watch CONFIG.toml WATCHER
//       runs the watchers of CONFIG (publishing its groups when CONFIG has
//       [cluster] listen) and subscribes to every change of WATCHER
//       ("-" for none); prints "port N" (0 without [cluster]), then "ready"
//   libwatch_test_node remote HOST PORT WATCHER
//       subscribes to WATCHER on the watcher node at HOST:PORT
// Lines: "change [arrival µs, with LIBWATCH_NODE_STAMP] <deep_to_string of
// the change>", "ready_msg",
// "disconnected", "resumed", "overflow <deep_to_string of the overflow_msg>",
// "error <text>". The first "ready_msg" means the subscription is in place.
// SIGUSR1 makes a watch node print one line per watcher, "status WATCHER
// received=N published=N queued=N queue_high_water=N overflow_dropped=N
// overflows=N cut_offs=N" (instance::status()), then "status_end".
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "config/loader.hpp"
#include "libwatch.hpp"

namespace {

std::mutex out_mtx;

void say(const std::string& line) {
  std::lock_guard<std::mutex> guard{out_mtx};
  std::cout << line << '\n' << std::flush;
}

// With LIBWATCH_NODE_STAMP set, change lines start with the wall-clock
// microseconds of their arrival (for docs/performance.md's measurements).
const bool stamp = std::getenv("LIBWATCH_NODE_STAMP") != nullptr;

caf::behavior printer(caf::event_based_actor* self, caf::group g) {
  self->join(g);
  return {
    [](const libwatch::change& c) {
      std::string line = "change ";
      if (stamp)
        line += std::to_string(
                  std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count())
                + " ";
      say(line + caf::deep_to_string(c));
    },
    [](const libwatch::ready_msg&) { say("ready_msg"); },
    [](const libwatch::disconnected_msg&) { say("disconnected"); },
    [](const libwatch::resumed_msg&) { say("resumed"); },
    [](const libwatch::truncated_msg&) { say("truncated"); },
    [](const libwatch::overflow_msg& x) {
      say("overflow " + caf::deep_to_string(x));
    },
  };
}

// Prints the counters of every watcher of `inst`.
void print_status(const libwatch::instance& inst) {
  auto st = inst.status();
  for (auto& w : st.watchers)
    say("status " + w.watcher + " received=" + std::to_string(w.received)
        + " published=" + std::to_string(w.published)
        + " queued=" + std::to_string(w.queued)
        + " queue_high_water=" + std::to_string(w.queue_high_water)
        + " overflow_dropped=" + std::to_string(w.overflow_dropped)
        + " overflows=" + std::to_string(w.overflows)
        + " cut_offs=" + std::to_string(w.cut_offs));
  say("status_end");
}

// Waits for SIGTERM or SIGINT; meanwhile prints the status of `inst` (if
// any) on each SIGUSR1.
void wait_for_sigterm(const libwatch::instance* inst = nullptr) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR1)
      return;
    if (inst)
      print_status(*inst);
  }
}

int usage() {
  std::cerr << "usage: libwatch_test_node watch CONFIG WATCHER\n"
               "       libwatch_test_node remote HOST PORT WATCHER\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  // Blocked before CAF starts its threads, so sigwait gets them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (argc < 2)
    return usage();
  std::string mode = argv[1];
  caf::actor_system_config cfg;
  libwatch::register_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  if (mode == "watch" && argc == 4) {
    auto loaded = libwatch::config::load_file(argv[2]);
    if (!loaded.ok()) {
      std::cerr << libwatch::config::to_string(loaded.errors);
      return 2;
    }
    auto inst = libwatch::spawn_watchers(sys, loaded.config);
    if (!inst) {
      say("error " + libwatch::describe(inst.error()));
      return 1;
    }
    say("port " + std::to_string(inst->cluster_port()));
    caf::actor sub;
    if (std::string{argv[3]} != "-") {
      auto g = inst->all(argv[3]);
      if (!g) {
        say("error " + libwatch::describe(g.error()));
        inst->stop();
        return 1;
      }
      sub = sys.spawn(printer, *g);
    }
    if (auto err = inst->await_ready(std::chrono::seconds(60))) {
      say("error " + libwatch::describe(err));
    } else {
      say("ready");
    }
    wait_for_sigterm(&*inst);
    inst->stop();
    if (sub)
      caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
    return 0;
  }
  if (mode == "remote" && argc == 5) {
    auto port = static_cast<uint16_t>(std::stoul(argv[3]));
    auto remote = libwatch::connect_remote(sys, argv[2], port);
    if (!remote) {
      say("error " + libwatch::describe(remote.error()));
      return 1;
    }
    auto g = remote->all(argv[4]);
    if (!g) {
      say("error " + libwatch::describe(g.error()));
      remote->stop();
      return 1;
    }
    // Before the printer exists: its ready_msg must come after this line.
    say("connected");
    auto sub = sys.spawn(printer, *g);
    wait_for_sigterm();
    remote->stop();
    caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
    return 0;
  }
  return usage();
}
