#include "config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "config/document_reader.hpp"
#include "config/problem_locations.hpp"
#include "config/read_context.hpp"

namespace libwatch::config {

namespace {

// Drops repeated problems and orders them by position; problems at one
// position keep the order they were found in.
std::vector<config_error> finish(std::vector<config_error> errors) {
  std::set<std::tuple<uint32_t, uint32_t, std::string, std::string>> seen;
  std::vector<config_error> out;
  for (auto& e : errors)
    if (seen.emplace(e.line, e.column, e.path, e.message).second)
      out.push_back(std::move(e));
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return out;
}

load_result unreadable(const std::string& path, std::string reason) {
  load_result result;
  result.errors.push_back({path, 0, 0, "", "cannot read the file: " + reason});
  return result;
}

} // namespace

std::string to_string(const config_error& x) {
  auto out = x.file;
  if (x.line != 0)
    out += ":" + std::to_string(x.line) + ":" + std::to_string(x.column);
  out += ": ";
  if (!x.path.empty())
    out += x.path + ": ";
  out += x.message;
  return out;
}

std::string to_string(const std::vector<config_error>& xs) {
  std::string out;
  for (auto& x : xs) {
    out += to_string(x);
    out += '\n';
  }
  return out;
}

load_result load_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return unreadable(path, "it is a directory");
  errno = 0;
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return unreadable(path,
                      errno != 0 ? std::strerror(errno) : "unknown error");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return unreadable(path, errno != 0 ? std::strerror(errno) : "read error");
  return load_string(text.str(), path);
}

load_result load_string(std::string_view text, std::string source_name) {
  load_result result;
  read_context ctx{std::move(source_name), {}, {}, {}};
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{ctx.file});
  } catch (const toml::parse_error& e) {
    ctx.fail(position_of(e.source()), "", std::string{e.description()});
    result.errors = std::move(ctx.errors);
    return result;
  }
  std::vector<watcher_entry> entries;
  read_document(ctx, doc, result.config, entries);
  check_semantics(ctx, entries, result.config);
  result.errors = finish(std::move(ctx.errors));
  return result;
}

} // namespace libwatch::config
