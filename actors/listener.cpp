#include "actors/listener.hpp"

#include <memory>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/notification_pump.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

namespace {

struct listener_state {
  // Destroyed when the actor terminates, which stops and joins the thread
  // (it wakes at once through its eventfd).
  std::unique_ptr<notification_pump> pump;
  uint64_t next_request = 0;
  std::unordered_map<uint64_t, caf::response_promise> pending;
  static inline const char* name = "libwatch.listener";
};

caf::behavior listener(caf::stateful_actor<listener_state>* self,
                       std::string conninfo, std::string application_name) {
  self->state.pump = std::make_unique<notification_pump>(
    std::move(conninfo), std::move(application_name), caf::actor{self});
  return {
    [=](listen_atom, std::string& channel) -> caf::result<void> {
      auto watcher = caf::actor_cast<caf::actor>(self->current_sender());
      auto id = self->state.next_request++;
      auto promise = self->make_response_promise();
      self->state.pending.emplace(id, promise);
      self->state.pump->listen(std::move(channel), std::move(watcher), id);
      return promise;
    },
    [=](listened_atom, uint64_t id, caf::error& err) {
      auto i = self->state.pending.find(id);
      if (i == self->state.pending.end())
        return;
      if (err)
        i->second.deliver(std::move(err));
      else
        i->second.deliver(caf::unit);
      self->state.pending.erase(i);
    },
    [=](lost_atom, caf::error& err) {
      for (auto& kvp : self->state.pending)
        kvp.second.deliver(err);
      self->state.pending.clear();
      self->quit(std::move(err));
    },
  };
}

} // namespace

caf::actor spawn_listener(caf::actor_system& sys, std::string conninfo,
                          std::string application_name) {
  return sys.spawn(listener, std::move(conninfo), std::move(application_name));
}

} // namespace libwatch
