// Shared set-up of integration tests: an actor system, a fresh database, and
// helpers to start libwatch and to receive changes with timeouts.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include <caf/all.hpp>

#include "integration/test_database.hpp"
#include "libwatch.hpp"

namespace libwatch::testing {

using namespace std::chrono_literals;

struct test_config : caf::actor_system_config {
  test_config() {
    libwatch::register_types(*this);
  }
};

/// How long a test waits for something that must happen. Generous: the
/// machine is small and shared; waiting never makes a passing test slower.
constexpr auto must_arrive = std::chrono::seconds(15);

/// How long a test waits to be confident that nothing arrives. Changes arrive
/// within milliseconds here; a stray one would show up well within this.
constexpr auto quiet_period = std::chrono::milliseconds(500);

struct watch_fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  test_database db;
  std::vector<instance> instances;

  ~watch_fixture();

  watch_config config_of(std::vector<watcher_spec> specs) const;

  /// Spawns libwatch with `specs` and waits until it is ready; fails the
  /// test (abort) when it does not become ready.
  instance start(std::vector<watcher_spec> specs);

  /// Same, with a complete configuration.
  instance start(watch_config config);

  /// Spawns libwatch with `specs` and returns the error that keeps it from
  /// becoming ready (or the spawn error); none if it became ready.
  caf::error start_error(std::vector<watcher_spec> specs);
};

/// Waits for the next change; nullopt after `timeout`.
std::optional<change> next_change(caf::scoped_actor& self,
                                  caf::timespan timeout = must_arrive);

/// Waits for `n` changes; returns fewer only on timeout.
std::vector<change> changes(caf::scoped_actor& self, size_t n,
                            caf::timespan timeout = must_arrive);

/// Whether no change arrives within `quiet_period`.
bool nothing_arrives(caf::scoped_actor& self);

/// Waits for the next message of type T (other messages stay queued).
template <class T>
std::optional<T> next_of(caf::scoped_actor& self,
                         caf::timespan timeout = must_arrive) {
  std::optional<T> result;
  self->receive([&](T& x) { result = std::move(x); },
                caf::after(timeout) >> [] {});
  return result;
}

/// Polls `condition` every 20 ms until it holds or `timeout` passed;
/// returns its last value. For state that settles a moment after the event
/// a test waited for (counters, logs, the server's view of connections).
bool eventually(const std::function<bool()>& condition,
                caf::timespan timeout = must_arrive);

/// `bytes` bytes of two-byte UTF-8 characters (é), for payload-size tests.
std::string text_of(size_t bytes);

/// Joins `group`, failing the test if it is an error.
void join(caf::scoped_actor& self, const caf::expected<caf::group>& group);

} // namespace libwatch::testing
