// What a durable watcher reads from libwatch's change log in one round trip
// (the log worker reads, the watcher publishes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace libwatch {

/// A durable consumer's place in its stream, in the form the consumers
/// table stores it: every batch up to `tick` is finished, and of batch
/// `tick + 1` every entry up to `entry` (0: none yet).
struct log_cursor {
  int64_t tick = 0;
  int64_t entry = 0;

  friend bool operator==(const log_cursor& x, const log_cursor& y) noexcept {
    return x.tick == y.tick && x.entry == y.entry;
  }

  friend bool operator!=(const log_cursor& x, const log_cursor& y) noexcept {
    return !(x == y);
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_cursor& x) {
  return f(caf::meta::type_name("libwatch::log_cursor"), x.tick, x.entry);
}

/// One logged change: its log entry number and row-level payload.
struct log_entry {
  int64_t entry = 0;
  std::string payload;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_entry& x) {
  return f(caf::meta::type_name("libwatch::log_entry"), x.entry, x.payload);
}

/// What one read returned: entries of batch `batch` after the consumer's
/// position, in order; `complete` when the batch has no more.
struct log_batch {
  int64_t batch = 0;
  std::vector<log_entry> entries;
  bool complete = false;
  /// The snapshot ending the batch was taken by this read (not left by an
  /// earlier, interrupted one): a complete fresh batch leaves nothing to
  /// read until the next change commits.
  bool fresh = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_batch& x) {
  return f(caf::meta::type_name("libwatch::log_batch"), x.batch, x.entries,
           x.complete, x.fresh);
}

} // namespace libwatch
