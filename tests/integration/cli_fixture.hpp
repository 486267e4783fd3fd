// Shared set-up of the CLI's tests: a fresh database, a temporary directory
// for configuration files that point at it, and catalog counts to check what
// the tool left behind.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "integration/cli_process.hpp"
#include "integration/test_database.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/watcher_spec.hpp"

/// CAF_CHECK / CAF_REQUIRE that also print `detail` (a stream expression)
/// when the condition fails: the tool's output explains the failure.
#define CLI_CHECK(cond, detail)                                                \
  do {                                                                         \
    if (!(cond))                                                               \
      CAF_TEST_PRINT_ERROR(detail);                                            \
    CAF_CHECK(cond);                                                           \
  } while (false)

#define CLI_REQUIRE(cond, detail)                                              \
  do {                                                                         \
    if (!(cond))                                                               \
      CAF_TEST_PRINT_ERROR(detail);                                            \
    CAF_REQUIRE(cond);                                                         \
  } while (false)

namespace libwatch::testing {

/// How long a test waits for something that must happen.
constexpr auto cli_must_arrive = std::chrono::seconds(15);

/// A directory under /tmp, removed with everything in it.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// Writes `text` to the file `name` in the directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const;

private:
  std::string path_;
};

/// `text` as a TOML basic string.
std::string toml_string(const std::string& text);

struct cli_fixture {
  test_database db;
  temp_dir dir;

  /// Writes a configuration file: a [database] section for this test's
  /// database followed by `watchers` (TOML); returns its path.
  std::string config(const std::string& watchers,
                     const std::string& name = "libwatch.toml") const;

  /// Same, with `conninfo` instead of this test's database.
  std::string config_for(const std::string& conninfo,
                         const std::string& watchers,
                         const std::string& name = "libwatch.toml") const;

  /// Functions in schema public whose name starts with `lw_`.
  int count_functions();

  /// User triggers (not internal ones) in the database.
  int count_triggers();

  /// Whether a function of that name exists in schema public.
  bool function_exists(const std::string& name);
};

/// Watchers for every event of `items`, carrying `name`.
extern const std::string items_watchers;

/// A CLI fixture whose database has `items (id, name, post_id)`.
struct items_fixture : cli_fixture {
  items_fixture();
};

/// Whether `needle` occurs in `haystack`.
inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Parses `text` as JSON; fails the test with the text if it is not.
nlohmann::json parse_json(const std::string& text);

/// The names libwatch derives for an unlabelled watcher on `table`.
object_names names_of(const std::string& table, event_kind event);

} // namespace libwatch::testing
