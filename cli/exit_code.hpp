// The exit codes of every `libwatch` subcommand, so scripts can tell "the
// database needs attention" from "the command line is wrong" from "the
// database could not be asked at all".
#pragma once

namespace libwatch::cli {

enum exit_code : int {
  /// Everything is as it should be; the command did what it was asked.
  ok = 0,
  /// The command ran and found problems (missing columns or privileges,
  /// objects that differ, orphans, objects it refused to touch).
  problems_found = 1,
  /// Wrong command line, or a configuration file that does not load.
  usage_error = 2,
  /// The database is unreachable or failed in a way unrelated to the
  /// configuration's content.
  runtime_failure = 3,
};

} // namespace libwatch::cli
