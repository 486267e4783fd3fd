// Installing triggers is idempotent, safe when several processes start at
// once, and reports an unreachable database clearly.
#define CAF_SUITE installation
#include <caf/test/unit_test.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include "integration/watch_fixture.hpp"

extern char** environ;

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE race (id int PRIMARY KEY, v int)");
  }

  std::string count_functions() {
    return db.scalar(
      "SELECT count(*) FROM pg_proc WHERE proname LIKE 'lw\\_%'");
  }

  std::string count_triggers() {
    return db.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                     "'race'::regclass AND NOT tgisinternal");
  }
};

std::vector<watcher_spec> race_watchers() {
  return {watcher_spec::on("race", event_kind::inserted),
          watcher_spec::on("race", event_kind::updated),
          watcher_spec::on("race", event_kind::deleted)};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(installation_tests, fixture)

CAF_TEST(
  starting_the_same_watchers_twice_leaves_one_function_and_trigger_each) {
  auto first = start(race_watchers());
  auto second = start(race_watchers());
  CAF_CHECK_EQUAL(count_functions(), "3");
  CAF_CHECK_EQUAL(count_triggers(), "3");
  // Both instances deliver: each listens on its own connection.
  caf::scoped_actor a{sys};
  caf::scoped_actor b{sys};
  join(a, first.all("race:inserted"));
  join(b, second.all("race:inserted"));
  db.exec("INSERT INTO race VALUES (1, 1)");
  CAF_CHECK(next_change(a));
  CAF_CHECK(next_change(b));
  CAF_CHECK(nothing_arrives(a));
}

CAF_TEST(four_processes_starting_at_once_leave_one_function_and_trigger_each) {
  std::string helper = LIBWATCH_TEST_BINARY_DIR "/libwatch_install_once";
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid;
    std::string dsn = db.dsn();
    char* argv[] = {helper.data(), dsn.data(), nullptr};
    CAF_REQUIRE_EQUAL(
      posix_spawn(&pid, helper.c_str(), nullptr, nullptr, argv, environ), 0);
    pids.push_back(pid);
  }
  for (auto pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    CAF_CHECK(WIFEXITED(status));
    CAF_CHECK_EQUAL(WEXITSTATUS(status), 0);
  }
  CAF_CHECK_EQUAL(count_functions(), "3");
  CAF_CHECK_EQUAL(count_triggers(), "3");
}

CAF_TEST(a_changed_spec_replaces_the_trigger_function) {
  start({watcher_spec::on("race", event_kind::updated)});
  auto inst = start(
    {watcher_spec::on("race", event_kind::updated).with_extra_columns({"v"})});
  CAF_CHECK_EQUAL(count_functions(), "1");
  caf::scoped_actor self{sys};
  join(self, inst.all("race:updated"));
  db.exec("INSERT INTO race VALUES (1, 1); UPDATE race SET v = 2");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("v").as_integer(), 2);
}

CAF_TEST(functions_carry_the_ownership_marker_and_triggers_use_them) {
  start(race_watchers());
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_proc p WHERE "
                            "obj_description(p.oid, 'pg_proc') LIKE "
                            "'libwatch:v1 watcher=%'"),
                  "3");
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_trigger t WHERE "
                            "t.tgrelid = 'race'::regclass AND "
                            "obj_description(t.tgfoid, 'pg_proc') LIKE "
                            "'libwatch:v1 watcher=%'"),
                  "3");
}

CAF_TEST_FIXTURE_SCOPE_END()
