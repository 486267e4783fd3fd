// Tests loading watch configurations from TOML: the corpus of bad files with
// their exact expected errors, defaults, a full round trip and the examples.
#define CAF_SUITE config_loader

#include "config/loader.hpp"

#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace libwatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> files_with_extension(const fs::path& dir,
                                           const std::string& extension) {
  std::vector<fs::path> out;
  for (auto& entry : fs::directory_iterator{dir})
    if (entry.path().extension() == extension)
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

config::load_result load(const std::string& text) {
  auto result = config::load_string(text, "test.toml");
  if (!result.ok())
    CAF_MESSAGE("errors:\n" << config::to_string(result.errors));
  return result;
}

const std::string minimal_file = R"([[watcher]]
table = "posts"
event = "inserted"
)";

// Sets every key to a value other than its default.
const std::string full_file = R"(
[database]
conninfo = "host=db.example.com dbname=blog"
password_env = "BLOG_PASSWORD"
application_name = "blog-watch"

[listener]
reconnect_initial = "250ms"
reconnect_max = "2m"
reconnect_jitter = 0.5
liveness_interval = "20s"
liveness_timeout = "3s"
fail_fast = true

[supervision]
max_restarts = 10
restart_window = "1h"
max_reconnect_attempts = 7

[cleanup]
orphans = "drop"

[durable]
consumer = "billing"
poll_interval = "20ms"
retention = "48h"
prune_interval = "5m"
batch_limit = 500

[wal]
slot = "blog"
status_interval = "2s"
max_retained_mb = 64

[[watcher]]
table = "comments"
schema = "blog"
event = "updated"
label = "comment_edits"
primary_key = "comment_id"
extra_columns = ["body", "title"]
trigger_columns = ["body"]
association_columns = ["post_id", "author_id"]
debug = true
enable_always = true
trigger_level = "statement"
delivery = "at_least_once"
wakeup = "poll"

[[watcher]]
table = "posts"
event = "inserted"
source = "wal"
)";

} // namespace

CAF_TEST(every_bad_file_of_the_corpus_gives_exactly_its_expected_errors) {
  fs::path dir = LIBWATCH_SOURCE_DIR "/tests/config_corpus/bad";
  auto files = files_with_extension(dir, ".toml");
  CAF_CHECK(files.size() >= 30);
  for (auto& file : files) {
    auto name = file.filename().string();
    CAF_MESSAGE("corpus file " << name);
    auto expected_file = fs::path{file}.replace_extension(".expected");
    if (!fs::exists(expected_file)) {
      CAF_ERROR("missing " << expected_file.filename().string());
      continue;
    }
    auto result = config::load_string(read_text(file), name);
    CAF_CHECK(!result.ok());
    CAF_CHECK_EQUAL(config::to_string(result.errors), read_text(expected_file));
  }
}

CAF_TEST(loading_a_missing_file_gives_one_error_naming_it) {
  auto result = config::load_file("no/such/libwatch.toml");
  CAF_REQUIRE_EQUAL(result.errors.size(), 1u);
  CAF_CHECK_EQUAL(config::to_string(result.errors[0]),
                  "no/such/libwatch.toml: cannot read the file: No such file "
                  "or directory");
}

CAF_TEST(loading_a_file_names_it_in_errors) {
  auto path
    = LIBWATCH_SOURCE_DIR "/tests/config_corpus/bad/33_orphans_delete.toml";
  auto result = config::load_file(path);
  CAF_REQUIRE_EQUAL(result.errors.size(), 1u);
  CAF_CHECK_EQUAL(result.errors[0].file, path);
  CAF_CHECK_EQUAL(result.errors[0].line, 2u);
  CAF_CHECK_EQUAL(result.errors[0].column, 11u);
  CAF_CHECK_EQUAL(result.errors[0].path, "cleanup.orphans");
}

CAF_TEST(to_string_leaves_out_unknown_positions_and_empty_paths) {
  CAF_CHECK_EQUAL(config::to_string({"a.toml", 3, 7, "x.y", "bad"}),
                  "a.toml:3:7: x.y: bad");
  CAF_CHECK_EQUAL(config::to_string({"a.toml", 0, 0, "x.y", "bad"}),
                  "a.toml: x.y: bad");
  CAF_CHECK_EQUAL(config::to_string({"a.toml", 3, 7, "", "bad"}),
                  "a.toml:3:7: bad");
  CAF_CHECK_EQUAL(config::to_string(std::vector<config::config_error>{
                    {"a.toml", 1, 1, "p", "m"}, {"a.toml", 2, 1, "q", "n"}}),
                  "a.toml:1:1: p: m\na.toml:2:1: q: n\n");
}

CAF_TEST(minimal_file_gives_all_documented_defaults) {
  auto result = load(minimal_file);
  CAF_REQUIRE(result.ok());
  auto& cfg = result.config;
  CAF_CHECK_EQUAL(cfg.conninfo, "");
  CAF_CHECK_EQUAL(cfg.password_env, "");
  CAF_CHECK_EQUAL(cfg.application_name, "libwatch");
  CAF_CHECK_EQUAL(cfg.reconnect.initial, caf::timespan{100ms});
  CAF_CHECK_EQUAL(cfg.reconnect.max, caf::timespan{30s});
  CAF_CHECK_EQUAL(cfg.reconnect.jitter, 0.2);
  CAF_CHECK_EQUAL(cfg.reconnect.max_attempts, 0u);
  CAF_CHECK_EQUAL(cfg.reconnect.fail_fast, false);
  CAF_CHECK_EQUAL(cfg.liveness.interval, caf::timespan{10s});
  CAF_CHECK_EQUAL(cfg.liveness.timeout, caf::timespan{5s});
  CAF_CHECK_EQUAL(cfg.restarts.max_restarts, 5u);
  CAF_CHECK_EQUAL(cfg.restarts.window, caf::timespan{60s});
  CAF_CHECK(cfg.orphans == orphan_policy::warn);
  CAF_REQUIRE_EQUAL(cfg.watchers.size(), 1u);
  auto& w = cfg.watchers[0];
  CAF_CHECK_EQUAL(w.schema, "public");
  CAF_CHECK_EQUAL(w.table, "posts");
  CAF_CHECK_EQUAL(w.event, event_kind::inserted);
  CAF_CHECK_EQUAL(w.label, "");
  CAF_CHECK_EQUAL(w.primary_key, "");
  CAF_CHECK(w.extra_columns.empty());
  CAF_CHECK(w.trigger_columns.empty());
  CAF_CHECK(w.association_columns.empty());
  CAF_CHECK_EQUAL(w.debug, false);
  CAF_CHECK_EQUAL(w.enable_always, false);
  CAF_CHECK_EQUAL(w.level, trigger_level::row);
}

CAF_TEST(every_key_set_in_the_file_reaches_the_configuration) {
  auto result = load(full_file);
  CAF_REQUIRE(result.ok());
  auto& cfg = result.config;
  CAF_CHECK_EQUAL(cfg.conninfo, "host=db.example.com dbname=blog");
  CAF_CHECK_EQUAL(cfg.password_env, "BLOG_PASSWORD");
  CAF_CHECK_EQUAL(cfg.application_name, "blog-watch");
  CAF_CHECK_EQUAL(cfg.reconnect.initial, caf::timespan{250ms});
  CAF_CHECK_EQUAL(cfg.reconnect.max, caf::timespan{2min});
  CAF_CHECK_EQUAL(cfg.reconnect.jitter, 0.5);
  CAF_CHECK_EQUAL(cfg.reconnect.max_attempts, 7u);
  CAF_CHECK_EQUAL(cfg.reconnect.fail_fast, true);
  CAF_CHECK_EQUAL(cfg.liveness.interval, caf::timespan{20s});
  CAF_CHECK_EQUAL(cfg.liveness.timeout, caf::timespan{3s});
  CAF_CHECK_EQUAL(cfg.restarts.max_restarts, 10u);
  CAF_CHECK_EQUAL(cfg.restarts.window, caf::timespan{1h});
  CAF_CHECK(cfg.orphans == orphan_policy::drop);
  CAF_CHECK_EQUAL(cfg.durable.consumer, "billing");
  CAF_CHECK_EQUAL(cfg.durable.poll_interval, caf::timespan{20ms});
  CAF_CHECK_EQUAL(cfg.durable.retention, caf::timespan{48h});
  CAF_CHECK_EQUAL(cfg.durable.prune_interval, caf::timespan{5min});
  CAF_CHECK_EQUAL(cfg.durable.batch_limit, 500u);
  CAF_CHECK_EQUAL(cfg.wal.slot, "blog");
  CAF_CHECK_EQUAL(cfg.wal.status_interval, caf::timespan{2s});
  CAF_CHECK_EQUAL(cfg.wal.max_retained_mb, 64u);
  CAF_REQUIRE_EQUAL(cfg.watchers.size(), 2u);
  CAF_CHECK_EQUAL(cfg.watchers[0].source, watch_source::trigger);
  CAF_CHECK_EQUAL(cfg.watchers[1].source, watch_source::wal);
  auto& w = cfg.watchers[0];
  CAF_CHECK_EQUAL(w.schema, "blog");
  CAF_CHECK_EQUAL(w.table, "comments");
  CAF_CHECK_EQUAL(w.event, event_kind::updated);
  CAF_CHECK_EQUAL(w.label, "comment_edits");
  CAF_CHECK_EQUAL(w.primary_key, "comment_id");
  CAF_CHECK_EQUAL(w.extra_columns, (std::vector<std::string>{"body", "title"}));
  CAF_CHECK_EQUAL(w.trigger_columns, std::vector<std::string>{"body"});
  CAF_CHECK_EQUAL(w.association_columns,
                  (std::vector<std::string>{"post_id", "author_id"}));
  CAF_CHECK_EQUAL(w.debug, true);
  CAF_CHECK_EQUAL(w.enable_always, true);
  CAF_CHECK_EQUAL(w.level, trigger_level::statement);
  CAF_CHECK_EQUAL(w.delivery, delivery_mode::at_least_once);
  CAF_CHECK_EQUAL(w.wakeup, wakeup_mode::poll);
}

CAF_TEST(events_expand_into_one_watcher_per_event_in_listed_order) {
  auto result = load(R"([[watcher]]
table = "posts"
events = ["deleted", "inserted", "updated"]
extra_columns = ["title"]

[[watcher]]
table = "comments"
event = "inserted"
)");
  CAF_REQUIRE(result.ok());
  auto& ws = result.config.watchers;
  CAF_REQUIRE_EQUAL(ws.size(), 4u);
  CAF_CHECK_EQUAL(ws[0].event, event_kind::deleted);
  CAF_CHECK_EQUAL(ws[1].event, event_kind::inserted);
  CAF_CHECK_EQUAL(ws[2].event, event_kind::updated);
  for (size_t i = 0; i < 3; ++i) {
    CAF_CHECK_EQUAL(ws[i].table, "posts");
    CAF_CHECK_EQUAL(ws[i].extra_columns, std::vector<std::string>{"title"});
  }
  CAF_CHECK_EQUAL(ws[3].table, "comments");
  CAF_CHECK_EQUAL(ws[3].event, event_kind::inserted);
}

CAF_TEST(every_example_file_loads_without_errors) {
  auto files = files_with_extension(LIBWATCH_SOURCE_DIR "/examples", ".toml");
  CAF_CHECK(files.size() >= 2);
  for (auto& file : files) {
    CAF_MESSAGE("example " << file.filename().string());
    auto result = config::load_file(file.string());
    CAF_CHECK_EQUAL(config::to_string(result.errors), "");
    CAF_CHECK(!result.config.watchers.empty());
  }
}

CAF_TEST(package_tracking_example_matches_the_watchers_of_its_program) {
  auto result
    = config::load_file(LIBWATCH_SOURCE_DIR "/examples/package_tracking.toml");
  CAF_REQUIRE(result.ok());
  auto& ws = result.config.watchers;
  CAF_REQUIRE_EQUAL(ws.size(), 3u);
  CAF_CHECK_EQUAL(watcher_name(ws[0]), "public.package_events:inserted");
  CAF_CHECK_EQUAL(ws[0].extra_columns,
                  (std::vector<std::string>{"status", "location"}));
  CAF_CHECK_EQUAL(ws[0].association_columns,
                  std::vector<std::string>{"package_id"});
  CAF_CHECK_EQUAL(watcher_name(ws[1]), "public.package_events:deleted");
  CAF_CHECK(ws[1].extra_columns.empty());
  CAF_CHECK_EQUAL(ws[1].association_columns,
                  std::vector<std::string>{"package_id"});
  CAF_CHECK_EQUAL(watcher_name(ws[2]), "public.packages:updated");
  CAF_CHECK_EQUAL(ws[2].extra_columns, std::vector<std::string>{"eta"});
  CAF_CHECK(ws[2].association_columns.empty());
}

CAF_TEST(plain_database_name_as_conninfo_is_accepted_like_psql_does) {
  auto result = load("[database]\nconninfo = \"blog\"\n" + minimal_file);
  CAF_REQUIRE(result.ok());
  CAF_CHECK_EQUAL(result.config.conninfo, "blog");
}

CAF_TEST(errors_never_repeat_a_password_written_into_conninfo) {
  for (auto conninfo :
       {"host=db hunter2", "postgresql://app:hunter2@[::1",
        "postgresql://app:hunter2@db/blog", "password=hunter2 host=db",
        "postgresql://app:hunt%zzer2@db/blog"}) {
    auto text = "[database]\nconninfo = \"" + std::string{conninfo} + "\"\n";
    auto errors = config::to_string(load(text).errors);
    CAF_CHECK_NOT_EQUAL(errors, "");
    CAF_CHECK_EQUAL(errors.find("hunter2"), std::string::npos);
    CAF_CHECK_EQUAL(errors.find("hunt"), std::string::npos);
  }
}

CAF_TEST(integer_jitter_and_inline_watcher_tables_are_accepted) {
  auto result = load(R"(listener = { reconnect_jitter = 1 }
watcher = [{ table = "posts", event = "deleted" }]
)");
  CAF_REQUIRE(result.ok());
  CAF_CHECK_EQUAL(result.config.reconnect.jitter, 1.0);
  CAF_REQUIRE_EQUAL(result.config.watchers.size(), 1u);
  CAF_CHECK_EQUAL(result.config.watchers[0].event, event_kind::deleted);
}

CAF_TEST(file_without_watchers_is_valid) {
  auto result = load("[cleanup]\norphans = \"drop\"\n");
  CAF_REQUIRE(result.ok());
  CAF_CHECK(result.config.watchers.empty());
  CAF_CHECK(result.config.orphans == orphan_policy::drop);
}
