// What libwatch has put into a database: whether a watcher's function and
// trigger exist and match what its configuration generates, and every object
// that carries libwatch's ownership marker. Read-only catalog queries. The
// library's install (pg/catalog) uses them to refuse foreign objects and log
// what it replaces, the catalog worker to find orphans, and the command-line
// tool's `install`, `status` and `uninstall` to report on the same objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::pg {

/// The kinds of database objects libwatch creates.
enum class object_kind : uint8_t { function, trigger };

/// Returns `"function"` or `"trigger"`.
std::string_view to_string_view(object_kind x) noexcept;

/// The exact comment `install` puts on a watcher's function:
/// `libwatch:v1 watcher=NAME`.
std::string ownership_comment(const watcher_spec& spec);

/// Returns the watcher name of a comment that starts with the ownership
/// marker and a space (`""` when it names none), or nothing when the comment
/// is not libwatch's.
std::optional<std::string> owner_of(std::string_view comment);

/// A watcher's function and trigger as the catalog has them, compared with
/// what `install` would create for it.
struct object_state {
  /// A function of the derived name without arguments exists in the
  /// watcher's schema.
  bool function_exists = false;
  /// Its comment starts with the ownership marker: the function is
  /// libwatch's, whichever watcher it belongs to.
  bool function_marked = false;
  /// Its stored body (`pg_proc.prosrc`) equals `sql::function_body` and its
  /// comment is exactly `ownership_comment`.
  bool function_matches = false;
  /// A trigger of the derived name exists on the watcher's table.
  bool trigger_exists = false;
  /// It is libwatch's: the function it calls carries the ownership marker
  /// (triggers installed by earlier versions carry it themselves).
  bool trigger_marked = false;
  /// Marked, AFTER, FOR EACH ROW, fires on exactly the watcher's event,
  /// calls the watcher's function, `UPDATE OF` lists exactly the trigger
  /// columns (and has a WHEN condition exactly when there are some), and is
  /// ENABLE ALWAYS when the spec has `enable_always`.
  bool trigger_matches = false;
  /// `pg_trigger.tgenabled`: `O` (fires in ordinary sessions), `D`
  /// (disabled), `R` (replica sessions only), `A` (always); `'\0'` when the
  /// trigger does not exist.
  char trigger_enabled = '\0';
  /// Why an existing object does not match, one sentence each.
  std::vector<std::string> differences;

  /// Whether the trigger fires in ordinary sessions (`O` or `A`).
  bool trigger_fires() const noexcept {
    return trigger_enabled == 'O' || trigger_enabled == 'A';
  }

  /// Whether both objects exist, match and the trigger fires.
  bool ok() const noexcept {
    return function_matches && trigger_matches && trigger_fires();
  }
};

/// Why an existing object of `kind` is not libwatch's, e.g. `its comment
/// lacks the libwatch:v1 marker`.
std::string not_libwatchs(object_kind kind);

/// libwatch never replaces an object it did not create: returns
/// `errc::catalog_mismatch` naming the watcher's function or trigger that
/// exists but is not libwatch's (see `object_state`), or none when `install`
/// may go ahead. The one wording of that refusal, for the library and the
/// command-line tool alike.
caf::error foreign_object_error(const resolved_watcher& w,
                                const object_state& state);

/// Compares the watcher's function and trigger in the database with what
/// its configuration generates. Only `spec` and `names` are needed to find
/// the objects, so a watcher that does not resolve (its table or a column is
/// gone) can still be inspected, given only those two: it then never
/// matches.
caf::expected<object_state> inspect(connection& conn,
                                    const resolved_watcher& w);

/// A function whose comment carries libwatch's ownership marker, or a
/// trigger that calls such a function (or carries the marker itself).
struct owned_object {
  object_kind kind = object_kind::function;
  std::string schema;
  /// The table of a trigger; empty for functions.
  std::string table;
  std::string name;
  /// The watcher named in the comment (`watcher=...`; for a trigger, its
  /// function's comment); may be empty.
  std::string watcher;
};

/// Lists every function whose comment starts with `sql::ownership_marker`
/// followed by a space, and every trigger that calls such a function (or
/// whose own comment starts so, as earlier versions installed them), sorted
/// by kind, schema, table and name. Names play no part: an object without
/// the marker is never listed, whatever it is called. Triggers PostgreSQL
/// cloned onto the partitions of a partitioned table are left out; their
/// parent is listed.
caf::expected<std::vector<owned_object>>
list_libwatch_objects(connection& conn);

/// Returns the objects of `objects` that none of `watchers` would create:
/// neither the function (schema, name) nor the trigger (schema, table,
/// name) of any of them. Only `spec` and `names` of the watchers are used.
std::vector<owned_object>
orphans(const std::vector<owned_object>& objects,
        const std::vector<resolved_watcher>& watchers);

} // namespace libwatch::pg
