// Readers for the keys of sections whose values need more than a type
// check: the connection settings of [database] and [cluster] listen. The
// schema (config/schema.cpp) names them; keys that set a field as they are
// use config/field_readers.hpp instead.
#pragma once

#include "config/schema.hpp"

namespace libwatch::config {

/// Rejects a `password` key in [database]: it is no key of the schema, so
/// it would be reported as unknown, but it deserves advice.
void reject_password(table_reader& in);

/// A connection string that libpq can parse and that holds no password.
void read_conninfo(table_reader& in, const key_def& key, watch_config& out);

/// The name of an environment variable.
void read_password_env(table_reader& in, const key_def& key, watch_config& out);

/// Any text without a NUL byte.
void read_application_name(table_reader& in, const key_def& key,
                           watch_config& out);

/// `HOST:PORT`, `[IPV6]:PORT`, `:PORT` or `PORT` (host: loopback); setting
/// it enables the cluster.
void read_listen(table_reader& in, const key_def& key, watch_config& out);

} // namespace libwatch::config
