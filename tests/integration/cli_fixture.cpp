#include "integration/cli_fixture.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace libwatch::testing {

temp_dir::temp_dir() {
  char templ[] = "/tmp/libwatch-cli-test.XXXXXX";
  if (mkdtemp(templ) == nullptr) {
    std::cerr << "*** cannot create a temporary directory" << std::endl;
    std::abort();
  }
  path_ = templ;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string temp_dir::write(const std::string& name,
                            const std::string& text) const {
  auto path = path_ + "/" + name;
  std::ofstream out{path, std::ios::trunc};
  out << text;
  if (!out) {
    std::cerr << "*** cannot write " << path << std::endl;
    std::abort();
  }
  return path;
}

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string cli_fixture::config(const std::string& watchers,
                                const std::string& name) const {
  return config_for(db.dsn(), watchers, name);
}

std::string cli_fixture::config_for(const std::string& conninfo,
                                    const std::string& watchers,
                                    const std::string& name) const {
  return dir.write(name, "[database]\nconninfo = " + toml_string(conninfo)
                           + "\napplication_name = \"libwatch-cli-test\"\n\n"
                           + watchers);
}

int cli_fixture::count_functions() {
  return std::stoi(
    db.scalar("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
              "p.pronamespace WHERE n.nspname = 'public' AND p.proname LIKE "
              "'lw\\_%'"));
}

int cli_fixture::count_triggers() {
  return std::stoi(
    db.scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
}

bool cli_fixture::function_exists(const std::string& name) {
  return db.scalar("SELECT count(*) FROM pg_proc WHERE proname = '" + name
                   + "'")
         == "1";
}

nlohmann::json parse_json(const std::string& text) {
  auto result = nlohmann::json::parse(text, nullptr, false);
  if (result.is_discarded()) {
    std::cerr << "*** not JSON: " << text << std::endl;
    return nlohmann::json{{"not_json", text}};
  }
  return result;
}

object_names names_of(const std::string& table, event_kind event) {
  return derive_names(watcher_spec::on(table, event));
}

const std::string items_watchers = R"(
[[watcher]]
table = "items"
events = ["inserted", "updated", "deleted"]
extra_columns = ["name"]
)";

items_fixture::items_fixture() {
  db.exec("CREATE TABLE items (id int PRIMARY KEY, name text, post_id int)");
}

} // namespace libwatch::testing
