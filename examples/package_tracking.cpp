// The package-tracking scenario from the EctoWatch announcement, on libwatch.
//
//   packages (id, tracking_code, destination, eta)
//   package_events (id, package_id -> packages, status, location)
//
// clang-format off
//   PostgreSQL --NOTIFY--> libwatch instance --publish--> topics --> actors
//   (triggers)             (listener, watchers)
//
//   topic                                          subscriber
//   package_events:inserted ------------------+--> eta_recalculator
//                                             +--> delivery_notifier
//
//   package_events:inserted, package_id = 1 --+--> tracker (package 1)
//   packages:updated, key 1 ------------------+
//
//   package_events:deleted ---------------------> eta_recalculator
// clang-format on
//
// - the tracker follows one package: its own events and updates of its row;
// - the delivery notifier reacts to "delivered" events of any package;
// - the ETA recalculator sees every event (and deletions) and recomputes.
// The program creates the tables, starts the watchers and the three actors,
// then writes like an application would and prints what each actor receives;
// at the end it asks the instance's root actor for its status.
//
//   package_tracking [CONNINFO]     (default: libpq defaults / PG* variables)
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "app_database.hpp"
#include "libwatch.hpp"

using namespace std::chrono_literals;
using example::exec;
using example::open_connection;
using libwatch::change;
using libwatch::event_kind;
using libwatch::watcher_spec;

namespace {

// Lines from several actors must not interleave.
void say(const std::string& who, const std::string& what) {
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::cout << "[" << who << "] " << what << std::endl;
}

std::string describe_event(const change& c) {
  return "package " + c.at("package_id").to_text() + " is "
         + c.at("status").to_text() + " at " + c.at("location").to_text()
         + " (event " + c.key().to_text() + ")";
}

caf::behavior tracker(caf::event_based_actor* self,
                      const libwatch::instance& lw, int64_t package) {
  self->join(*lw.by_column("package_events:inserted", "package_id", package));
  self->join(*lw.by_key("packages:updated", package));
  return {
    [=](const libwatch::ready_msg& r) {
      say("tracker " + std::to_string(package), "live on " + r.watcher);
    },
    [=](const libwatch::disconnected_msg& d) {
      say("tracker " + std::to_string(package),
          d.watcher + " is down (" + d.reason + "); changes may be missed");
    },
    [=](const libwatch::resumed_msg& r) {
      say("tracker " + std::to_string(package),
          r.watcher + " is back; re-reading package state");
    },
    [=](const change& c) {
      if (c.table == "package_events")
        say("tracker " + std::to_string(package), describe_event(c));
      else
        say("tracker " + std::to_string(package),
            "package record updated, eta now " + c.at("eta").to_text());
    },
  };
}

caf::behavior delivery_notifier(caf::event_based_actor* self,
                                const libwatch::instance& lw) {
  self->join(*lw.all("package_events:inserted"));
  return {
    // Ignore state signals here; the tracker shows how to use them.
    [](const libwatch::ready_msg&) {},
    [](const libwatch::disconnected_msg&) {},
    [](const libwatch::resumed_msg&) {},
    [=](const change& c) {
      if (c.at("status").as_string() == "delivered")
        say("notifier", "sending 'your package arrived' for package "
                          + c.at("package_id").to_text());
    },
  };
}

struct recalculator_state {
  std::map<int64_t, int> events_per_package;
};

caf::behavior eta_recalculator(caf::stateful_actor<recalculator_state>* self,
                               const libwatch::instance& lw) {
  self->join(*lw.all("package_events:inserted"));
  self->join(*lw.all("package_events:deleted"));
  return {
    [](const libwatch::ready_msg&) {},
    [](const libwatch::disconnected_msg&) {},
    [](const libwatch::resumed_msg&) {},
    [=](const change& c) {
      auto package = c.at("package_id").as_integer().value_or(0);
      auto& count = self->state.events_per_package[package];
      count += c.event == event_kind::inserted ? 1 : -1;
      say("eta", "package " + std::to_string(package) + ": "
                   + std::to_string(count) + " event(s) on record, "
                   + (c.event == event_kind::deleted ? "event removed, " : "")
                   + "recomputing ETA");
    },
  };
}

void run_sql(PGconn& conn, const std::string& sql) {
  say("app", "SQL> " + sql);
  if (auto err = exec(conn, sql)) {
    std::cerr << "the demo's SQL failed: " << *err << std::endl;
    std::exit(1);
  }
  // Give the actors time to print before the next write, for readability.
  std::this_thread::sleep_for(200ms);
}

} // namespace

int main(int argc, char** argv) {
  std::string conninfo = argc > 1 ? argv[1] : "";
  auto conn = open_connection(conninfo, "package-tracking-app");
  if (!conn)
    return 1;
  run_sql(*conn, "DROP TABLE IF EXISTS package_events, packages");
  run_sql(*conn, "CREATE TABLE packages (id bigserial PRIMARY KEY, "
                 "tracking_code text NOT NULL, destination text, eta date)");
  run_sql(*conn, "CREATE TABLE package_events (id bigserial PRIMARY KEY, "
                 "package_id bigint NOT NULL REFERENCES packages, "
                 "status text NOT NULL, location text, "
                 "happened_at timestamptz NOT NULL DEFAULT now())");

  caf::actor_system_config cfg;
  libwatch::register_types(cfg);
  caf::actor_system sys{cfg};
  libwatch::watch_config config;
  config.conninfo = conninfo;
  config.watchers = {
    watcher_spec::on("package_events", event_kind::inserted)
      .with_extra_columns({"status", "location"})
      .with_association_columns({"package_id"}),
    watcher_spec::on("package_events", event_kind::deleted)
      .with_association_columns({"package_id"}),
    watcher_spec::on("packages", event_kind::updated)
      .with_extra_columns({"eta"}),
  };
  auto lw = libwatch::spawn_watchers(sys, config);
  if (!lw) {
    std::cerr << libwatch::describe(lw.error()) << std::endl;
    return 1;
  }
  if (auto err = lw->await_ready(30s)) {
    std::cerr << libwatch::describe(err) << std::endl;
    lw->stop();
    return 1;
  }
  say("app", "libwatch is ready: triggers installed, listening");
  run_sql(*conn, "INSERT INTO packages (tracking_code, destination) VALUES "
                 "('PKG-1', 'Berlin'), ('PKG-2', 'Lisbon')");
  sys.spawn(tracker, *lw, int64_t{1});
  sys.spawn(delivery_notifier, *lw);
  sys.spawn(eta_recalculator, *lw);
  std::this_thread::sleep_for(100ms);
  run_sql(*conn, "INSERT INTO package_events (package_id, status, location) "
                 "VALUES (1, 'picked up', 'Hamburg')");
  run_sql(*conn, "INSERT INTO package_events (package_id, status, location) "
                 "VALUES (2, 'picked up', 'Porto')");
  run_sql(*conn, "UPDATE packages SET eta = '2026-12-01' WHERE id = 1");
  run_sql(*conn, "INSERT INTO package_events (package_id, status, location) "
                 "VALUES (1, 'in transit', 'Hanover')");
  run_sql(*conn, "DELETE FROM package_events WHERE package_id = 2");
  run_sql(*conn, "INSERT INTO package_events (package_id, status, location) "
                 "VALUES (1, 'delivered', 'Berlin'), "
                 "(2, 'delivered', 'Lisbon')");
  std::this_thread::sleep_for(300ms);
  {
    // The instance's root actor answers typed requests (instance_actor), so
    // actors need not call the handle's blocking methods.
    caf::scoped_actor self{sys};
    self->request(lw->supervisor(), 5s, libwatch::status_atom::value)
      .receive(
        [](const libwatch::instance_status& status) {
          for (auto& w : status.watchers)
            say("app", w.watcher + ": " + std::to_string(w.published)
                         + " change(s) published");
        },
        [](const caf::error& err) {
          std::cerr << libwatch::describe(err) << std::endl;
        });
  }
  say("app", "done; stopping libwatch");
  // Stopping releases the subscribers, which lets ~actor_system return.
  lw->stop();
  return 0;
}
