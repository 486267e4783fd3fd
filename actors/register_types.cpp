// Defined above both layers: it registers the public block and the
// internal one.
#include "actors/internal_type_ids.hpp"
#include "libwatch/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include "libwatch/error.hpp"

namespace libwatch {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::libwatch>();
  cfg.add_message_types<caf::id_block::libwatch_internal>();
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value,
                            const caf::message& context) -> std::string {
                           auto text = to_string(static_cast<errc>(code));
                           if (context.size() == 1
                               && context.match_element<std::string>(0))
                             text += ": " + context.get_as<std::string>(0);
                           return "libwatch::" + text;
                         });
}

} // namespace libwatch
