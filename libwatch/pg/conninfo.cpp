#include "libwatch/pg/conninfo.hpp"

#include <memory>

#include <libpq-fe.h>

namespace libwatch::pg {

namespace {

struct conninfo_deleter {
  void operator()(PQconninfoOption* ptr) const noexcept {
    PQconninfoFree(ptr);
  }
};

struct pq_memory_deleter {
  void operator()(char* ptr) const noexcept {
    PQfreemem(ptr);
  }
};

} // namespace

parsed_conninfo parse_conninfo(const std::string& conninfo) {
  parsed_conninfo out;
  char* raw_message = nullptr;
  std::unique_ptr<PQconninfoOption, conninfo_deleter> options{
    PQconninfoParse(conninfo.c_str(), &raw_message)};
  std::unique_ptr<char, pq_memory_deleter> message{raw_message};
  if (!options) {
    out.error = message ? std::string{message.get()} : "out of memory";
    return out;
  }
  for (auto* opt = options.get(); opt->keyword != nullptr; ++opt)
    if (opt->val != nullptr)
      out.settings.emplace_back(opt->keyword, opt->val);
  return out;
}

} // namespace libwatch::pg
