#include "actors/worker_connection.hpp"

namespace libwatch {

caf::expected<pg::connection*> worker_connection::get() {
  if (conn_ && conn_->ok())
    return &*conn_;
  conn_.reset();
  auto fresh = pg::connection::open(options_);
  if (!fresh)
    return fresh.error();
  conn_.emplace(std::move(*fresh));
  // Every statement of the worker, whoever issues it, is bounded.
  conn_->set_default_timeout(timeout_);
  return &*conn_;
}

} // namespace libwatch
