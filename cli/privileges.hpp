// Whether the configured role may do what `install` (and libwatch at start)
// does, asked with PostgreSQL's has_*_privilege functions so nothing is
// changed or attempted: CONNECT on the database, TRIGGER on each table,
// CREATE on each schema, and ownership where replacing an object needs it.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch::cli {

/// Problems with the database itself (CONNECT), one sentence each.
caf::expected<std::vector<std::string>>
database_privilege_problems(pg::connection& conn);

/// Problems with the privileges `spec` needs, one sentence each, starting
/// with `watcher NAME: `. Precondition: the table exists.
caf::expected<std::vector<std::string>>
watcher_privilege_problems(pg::connection& conn, const watcher_spec& spec);

} // namespace libwatch::cli
