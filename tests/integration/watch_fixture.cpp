#include "integration/watch_fixture.hpp"

#include <thread>

#include <iostream>

namespace libwatch::testing {

watch_fixture::~watch_fixture() {
  for (auto& inst : instances)
    inst.stop();
}

watch_config watch_fixture::config_of(std::vector<watcher_spec> specs) const {
  watch_config result;
  result.conninfo = db.dsn();
  result.application_name = "libwatch-under-test";
  result.watchers = std::move(specs);
  return result;
}

instance watch_fixture::start(std::vector<watcher_spec> specs) {
  return start(config_of(std::move(specs)));
}

instance watch_fixture::start(watch_config config) {
  auto inst = spawn_watchers(sys, std::move(config));
  if (!inst) {
    std::cerr << "*** spawn_watchers failed: " << describe(inst.error())
              << std::endl;
    std::abort();
  }
  instances.push_back(*inst);
  if (auto err = inst->await_ready(must_arrive)) {
    std::cerr << "*** libwatch did not become ready: " << describe(err)
              << std::endl;
    std::abort();
  }
  return *inst;
}

caf::error watch_fixture::start_error(std::vector<watcher_spec> specs) {
  auto inst = spawn_watchers(sys, config_of(std::move(specs)));
  if (!inst)
    return inst.error();
  instances.push_back(*inst);
  return inst->await_ready(must_arrive);
}

std::optional<change> next_change(caf::scoped_actor& self,
                                  caf::timespan timeout) {
  std::optional<change> result;
  self->receive([&](change& x) { result = std::move(x); },
                caf::after(timeout) >> [] {});
  return result;
}

std::vector<change> changes(caf::scoped_actor& self, size_t n,
                            caf::timespan timeout) {
  std::vector<change> result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (result.size() < n) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= caf::timespan{0})
      break;
    auto x = next_change(self, std::chrono::duration_cast<caf::timespan>(left));
    if (!x)
      break;
    result.push_back(std::move(*x));
  }
  return result;
}

bool nothing_arrives(caf::scoped_actor& self) {
  return !next_change(self, quiet_period).has_value();
}

void join(caf::scoped_actor& self, const caf::expected<caf::group>& group) {
  if (!group) {
    std::cerr << "*** cannot subscribe: " << describe(group.error())
              << std::endl;
    std::abort();
  }
  self->join(*group);
}

std::string text_of(size_t bytes) {
  std::string out;
  while (out.size() + 2 <= bytes)
    out += "\xc3\xa9"; // é
  return out;
}

bool eventually(const std::function<bool()>& condition, caf::timespan timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

} // namespace libwatch::testing
