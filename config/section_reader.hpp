// Reads one table (a section or a [[watcher]] entry) key by key as the
// schema declares it, then reports the keys the schema does not know, with
// a suggestion when one is close or belongs in another section.
#pragma once

#include "config/schema.hpp"
#include "config/table_reader.hpp"

namespace libwatch::config {

/// Runs the section's check and the reader of each of its keys, in the
/// schema's order. Throws `std::logic_error` when a key of `def` reads into
/// something else than `out` (a mistake in the schema).
void read_keys(table_reader& in, const section_def& def, watch_config& out);

void read_keys(table_reader& in, const section_def& def, watcher_entry& out);

/// Reports every key of the table that `def` lacks and that has no error
/// yet.
void check_keys(table_reader& in, const section_def& def);

} // namespace libwatch::config
