// libwatch's logging: one line per event on stderr, prefixed with the
// component (e.g. the watcher's name). CAF's own logger is compiled out of
// Debian's libcaf, so libwatch cannot use it. The level comes from the
// environment variable LIBWATCH_LOG (error, warning, info, debug; default
// warning); a watcher's `debug` flag enables debug lines for that watcher.
#pragma once

#include <functional>
#include <string_view>

namespace libwatch {

enum class log_level : int { error = 0, warning = 1, info = 2, debug = 3 };

/// Whether lines of `level` are printed (cheap; check before formatting).
bool log_enabled(log_level level) noexcept;

/// Prints `libwatch LEVEL [component] text` to stderr as one write if
/// `level` is enabled, or regardless with `force` (a watcher's own `debug`
/// flag).
void log(log_level level, std::string_view component, std::string_view text,
         bool force = false);

/// Sends every line libwatch prints to `sink` instead of stderr (without the
/// trailing newline), e.g. to route it into the application's logger; an
/// empty function restores stderr. Thread-safe; the sink may be called from
/// any thread and must not call back into libwatch.
void set_log_sink(std::function<void(std::string_view line)> sink);

} // namespace libwatch
