#include "config/section_reader.hpp"

#include <stdexcept>

#include "config/spelling.hpp"

namespace libwatch::config {

namespace {

template <class Reader, class Target>
void read_keys_into(table_reader& in, const section_def& def, Target& out) {
  if (def.check != nullptr)
    def.check(in);
  for (auto& key : def.keys) {
    auto* read = std::get_if<Reader>(&key.read);
    if (read == nullptr)
      throw std::logic_error("config schema: key " + std::string{key.name}
                             + " of " + def.header()
                             + " does not read into this section's target");
    (*read)(in, key, out);
  }
}

void check_key(table_reader& in, const section_def& def, std::string_view key) {
  if (def.has_key(key))
    return;
  auto names = def.key_names();
  if (auto guess = closest(key, names))
    in.fail_key(key, "unknown key; did you mean " + in_quotes(*guess) + "?");
  else if (auto home = home_of(key, def.name))
    in.fail_key(key, "unknown key in " + def.header() + "; it belongs in "
                       + home->header());
  else
    in.fail_key(key, "unknown key; valid keys in " + def.header() + " are "
                       + join(names));
}

} // namespace

void read_keys(table_reader& in, const section_def& def, watch_config& out) {
  read_keys_into<config_key_reader>(in, def, out);
}

void read_keys(table_reader& in, const section_def& def, watcher_entry& out) {
  read_keys_into<entry_key_reader>(in, def, out);
}

void check_keys(table_reader& in, const section_def& def) {
  for (auto&& [key, node] : in.table())
    if (!in.context().failed(in.path(key.str())))
      check_key(in, def, key.str());
}

} // namespace libwatch::config
