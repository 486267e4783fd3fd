#include "config/read_context.hpp"

#include <algorithm>

namespace libwatch::config {

position position_of(const toml::source_region& src) {
  return {src.begin.line, src.begin.column};
}

position position_of(const toml::node& node) {
  return position_of(node.source());
}

void read_context::fail(position at, std::string path, std::string message) {
  errors.push_back(
    {file, at.line, at.column, std::move(path), std::move(message)});
}

bool read_context::failed(const std::string& path, size_t count) const {
  auto end = errors.begin() + static_cast<ptrdiff_t>(count);
  return std::any_of(errors.begin(), end, [&](const config_error& e) {
    return e.path == path
           || (e.path.size() > path.size() && e.path.rfind(path, 0) == 0
               && (e.path[path.size()] == '[' || e.path[path.size()] == '.'));
  });
}

bool read_context::failed(const std::string& path) const {
  return failed(path, errors.size());
}

} // namespace libwatch::config
