// Tests the invariants of the configuration schema (config/schema.hpp) that
// the loader's messages rely on: every key declared once and read into what
// its section holds, every setting of validate() tied to one key, and a
// section the code names but the schema lacks reported as a programming
// mistake rather than read as some other section.
#define CAF_SUITE config_schema

#include "config/schema.hpp"

#include <caf/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

using namespace libwatch;
using namespace libwatch::config;
using namespace std::chrono_literals;

CAF_TEST(a_section_the_schema_lacks_is_a_logic_error_for_the_code) {
  bool thrown = false;
  try {
    section("no_such_section");
  } catch (const std::logic_error& e) {
    thrown = true;
    CAF_CHECK_EQUAL(std::string{e.what()},
                    "config schema: no section named \"no_such_section\"");
  }
  CAF_CHECK(thrown);
}

CAF_TEST(a_section_the_schema_lacks_is_not_found_for_a_file) {
  CAF_CHECK(find_section("no_such_section") == nullptr);
  CAF_CHECK(find_section("") == nullptr);
  CAF_CHECK(find_section("[cleanup]") == nullptr);
  CAF_REQUIRE(find_section("cleanup") != nullptr);
  CAF_CHECK_EQUAL(find_section("cleanup")->header(), "[cleanup]");
  CAF_CHECK_EQUAL(section("watcher").header(), "[[watcher]]");
}

CAF_TEST(every_key_reads_into_what_its_section_holds) {
  for (auto& def : sections())
    for (auto& key : def.keys) {
      CAF_MESSAGE(def.header() << " " << key.name);
      if (def.repeated)
        CAF_CHECK(std::holds_alternative<entry_key_reader>(key.read));
      else
        CAF_CHECK(std::holds_alternative<config_key_reader>(key.read));
    }
}

CAF_TEST(every_key_is_declared_in_one_section_only) {
  // "it belongs in [x]" names one home; a key in two sections has none.
  std::map<std::string_view, std::string_view> home;
  for (auto& def : sections())
    for (auto& key : def.keys) {
      auto [pos, added] = home.emplace(key.name, def.name);
      if (!added)
        CAF_FAIL(key.name << " is declared in [" << pos->second << "] and "
                          << def.header());
    }
  CAF_CHECK(home.size() > 30);
}

CAF_TEST(every_setting_names_one_key) {
  std::set<std::string_view> settings;
  for (auto& def : sections())
    for (auto& key : def.keys)
      if (!key.setting.empty() && !settings.insert(key.setting).second)
        CAF_FAIL("setting " << key.setting << " is named twice");
  auto source = find_setting("reconnect.initial");
  CAF_REQUIRE(source.has_value());
  CAF_CHECK_EQUAL(source->section->name, "listener");
  CAF_CHECK_EQUAL(source->key->name, "reconnect_initial");
  CAF_CHECK(!find_setting("no.such_setting"));
}

CAF_TEST(every_setting_validate_reports_points_at_a_key) {
  // Every policy out of range, so validate() names every setting it checks.
  watch_config cfg;
  cfg.application_name = std::string(60, 'a');
  cfg.reconnect.initial = 0ms;
  cfg.reconnect.max = 0ms;
  cfg.reconnect.jitter = 2.0;
  cfg.liveness.interval = 0ms;
  cfg.liveness.timeout = 0ms;
  cfg.restarts.max_restarts = 1001;
  cfg.restarts.window = 0ms;
  cfg.durable.consumer = std::string(64, 'c');
  cfg.durable.poll_interval = 0ms;
  cfg.durable.retention = 0ms;
  cfg.durable.batch_limit = 0;
  cfg.durable.prune_interval = 0ms;
  cfg.durable.max_in_flight = 0;
  cfg.subscribers.max_queued = 0;
  size_t settings = 0;
  for (auto& problem : validate(cfg))
    if (problem.watcher == spec_problem::no_watcher) {
      ++settings;
      CAF_MESSAGE(problem.field << ": " << problem.message);
      CAF_CHECK(find_setting(problem.field).has_value());
    }
  CAF_CHECK(settings >= 15);
}
