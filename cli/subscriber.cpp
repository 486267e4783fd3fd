#include "cli/subscriber.hpp"

#include <cstdio>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "cli/exit_code.hpp"
#include "cli/json_output.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/change.hpp"
#include "libwatch/error.hpp"
#include "libwatch/signals.hpp"

namespace libwatch::cli {

namespace {

// Writes one line and flushes it, so a reader sees each message at once. A
// closed stdout (the reader went away, e.g. `| head`) ends tail normally.
// For a durable watcher the change is acknowledged when the handler calling
// this returns: after its line was written and flushed.
void emit(const json& x, termination& end) {
  auto line = to_line(x);
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()
      || std::fflush(stdout) != 0)
    end.request(exit_code::ok, "");
}

caf::behavior subscriber(caf::event_based_actor* self,
                         std::vector<caf::group> groups,
                         instance_actor supervisor,
                         std::shared_ptr<termination> end) {
  for (auto& g : groups)
    self->join(g);
  self->monitor(supervisor);
  self->set_down_handler([end](caf::down_msg& msg) {
    // user_shutdown is instance::stop(), which only tail itself calls.
    if (msg.reason != caf::exit_reason::user_shutdown)
      end->request(exit_code::runtime_failure,
                   "libwatch stopped: " + describe(msg.reason));
  });
  // Answered once every watcher was ready, or with the error that keeps one
  // from ever becoming ready (a missing table, an unreachable database with
  // fail-fast). While the database is merely unreachable it stays pending.
  self->request(supervisor, caf::infinite, ready_atom::value)
    .then([] {},
          [end](caf::error& err) {
            end->request(exit_code::runtime_failure, describe(err));
          });
  return {
    [end](const change& x) { emit(to_json(x), *end); },
    [end](const ready_msg& x) { emit(to_json(x), *end); },
    [end](const disconnected_msg& x) { emit(to_json(x), *end); },
    [end](const resumed_msg& x) { emit(to_json(x), *end); },
    [end](const overflow_msg& x) { emit(to_json(x), *end); },
    [end](const truncated_msg& x) { emit(to_json(x), *end); },
  };
}

} // namespace

caf::actor spawn_subscriber(caf::actor_system& sys,
                            std::vector<caf::group> groups,
                            instance_actor supervisor,
                            std::shared_ptr<termination> end) {
  return sys.spawn(subscriber, std::move(groups), std::move(supervisor),
                   std::move(end));
}

} // namespace libwatch::cli
