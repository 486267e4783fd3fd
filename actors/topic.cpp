#include "actors/topic.hpp"

#include "actors/delivery_flow.hpp"
#include "actors/watcher_runtime.hpp"

#include <algorithm>

#include <caf/actor_control_block.hpp>
#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

namespace libwatch {

// -- topic --------------------------------------------------------------------

topic::topic(std::shared_ptr<topic_module> module, std::string identifier,
             std::shared_ptr<const status_board> board,
             std::shared_ptr<delivery_flow> flow, ack_mode mode)
    : caf::abstract_group(*module, std::move(identifier),
                          module->system().node()),
      module_(std::move(module)), board_(std::move(board)),
      flow_(std::move(flow)), mode_(mode) {
  // nop
}

namespace {

delivery_slot::kind slot_kind(const caf::strong_actor_ptr& who,
                              const caf::node_id& here, bool durable,
                              ack_mode mode) {
  // A proxy of an actor on another node: its mailbox element ends when the
  // middleman serialized it, so the forwarder reports progress instead.
  if (who->node() != here)
    return delivery_slot::kind::remote;
  if (durable && mode == ack_mode::on_return)
    return delivery_slot::kind::durable;
  if (durable && mode == ack_mode::manual)
    return delivery_slot::kind::durable_manual;
  return delivery_slot::kind::bounded;
}

} // namespace

bool topic::subscribe(caf::strong_actor_ptr who) {
  bool joined = false;
  // Lock order: board, then topic (status_board::set signals under its lock).
  auto join = [&](const caf::message& greeting) {
    std::unique_lock<std::shared_mutex> guard{mtx_};
    // After stop() a subscriber would keep the actor system from shutting
    // down and never receive anything.
    if (stopped_ || !who)
      return;
    if (std::find_if(
          subscribers_.begin(), subscribers_.end(),
          [&](const delivery_slot_ptr& x) { return x->who() == who; })
        != subscribers_.end())
      return;
    // Greeting under the lock: no change published after the join can
    // overtake it.
    if (!greeting.empty())
      who->enqueue(nullptr, caf::make_message_id(), greeting, nullptr);
    auto k = slot_kind(who, module_->system().node(),
                       flow_->tracker() != nullptr, mode_);
    subscribers_.push_back(
      caf::make_counted<delivery_slot>(std::move(who), flow_, k));
    count_ = subscribers_.size();
    joined = true;
  };
  if (board_)
    board_->greet(join);
  else
    join(caf::message{});
  // Outside the locks: this may wake a durable watcher waiting for readers.
  if (joined)
    flow_->joined();
  return joined;
}

void topic::unsubscribe(const caf::actor_control_block* who) {
  delivery_slot_ptr gone;
  {
    std::unique_lock<std::shared_mutex> guard{mtx_};
    auto i = std::find_if(
      subscribers_.begin(), subscribers_.end(),
      [&](const delivery_slot_ptr& x) { return x->who().get() == who; });
    if (i == subscribers_.end())
      return;
    gone = std::move(*i);
    subscribers_.erase(i);
    count_ = subscribers_.size();
  }
  gone->close();
  flow_->left();
}

void topic::enqueue(caf::strong_actor_ptr sender, caf::message_id,
                    caf::message content, caf::execution_unit* host) {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  for (auto& subscriber : subscribers_)
    subscriber->signal(sender, content, host);
}

void topic::publish(const caf::strong_actor_ptr& sender,
                    const caf::message& msg, const delivery_info& info,
                    caf::execution_unit* host) {
  std::vector<delivery_slot_ptr> cut;
  {
    std::shared_lock<std::shared_mutex> guard{mtx_};
    for (auto& subscriber : subscribers_)
      if (!subscriber->deliver(sender, msg, info, host))
        cut.push_back(subscriber);
  }
  // Subscribers the overflow policy cut off leave the topic (they were told).
  for (auto& slot : cut)
    unsubscribe(slot->who().get());
}

void topic::credit(const caf::actor_control_block* who, uint64_t changes) {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  for (auto& subscriber : subscribers_)
    if (subscriber->who().get() == who)
      subscriber->credit(changes);
}

caf::error topic::save(caf::serializer&) const {
  return caf::make_error(caf::sec::runtime_error,
                         "libwatch topics cannot be serialized");
}

void topic::stop() {
  std::vector<delivery_slot_ptr> dropped;
  {
    std::unique_lock<std::shared_mutex> guard{mtx_};
    stopped_ = true;
    dropped.swap(subscribers_);
    count_ = 0;
  }
  for (auto& slot : dropped) {
    slot->close();
    flow_->left();
  }
  // `dropped` releases the references outside the lock: releasing the last
  // one may destroy an actor, which leaves its groups and locks them again.
}

size_t topic::subscriber_count() const {
  std::shared_lock<std::shared_mutex> guard{mtx_};
  return subscribers_.size();
}

// -- topic_module -------------------------------------------------------------

topic_module::topic_module(caf::actor_system& sys)
    : caf::group_module(sys, "libwatch") {
  // nop
}

void topic_module::stop() {
  // nop: each topic_table stops its own topics
}

caf::expected<caf::group> topic_module::get(const std::string&) {
  return caf::make_error(
    caf::sec::no_such_group_module,
    "libwatch topics are obtained from libwatch::instance");
}

caf::error topic_module::load(caf::deserializer&, caf::group&) {
  return caf::make_error(caf::sec::no_such_group_module,
                         "libwatch topics cannot be deserialized");
}

// -- topic_table --------------------------------------------------------------

topic_table::topic_table(std::shared_ptr<topic_module> module,
                         std::string watcher,
                         std::shared_ptr<const status_board> board,
                         std::shared_ptr<delivery_flow> flow)
    : module_(std::move(module)), watcher_(std::move(watcher)),
      board_(std::move(board)), flow_(std::move(flow)) {
  if (!flow_)
    flow_
      = std::make_shared<delivery_flow>(watcher_, subscriber_policy{}, false);
  for (size_t i = 0; i < modes; ++i) {
    auto mode = static_cast<ack_mode>(i);
    auto suffix = mode == ack_mode::on_return
                    ? std::string{}
                    : "|" + std::string{to_string_view(mode)};
    general_[i] = caf::make_counted<topic>(module_, watcher_ + suffix, board_,
                                           flow_, mode);
    batch_[i] = caf::make_counted<topic>(module_, watcher_ + "|batch" + suffix,
                                         board_, flow_, mode);
  }
}

caf::group topic_table::general(ack_mode mode) const {
  return caf::group{general_[static_cast<size_t>(mode)]};
}

caf::group topic_table::batch(ack_mode mode) const {
  return caf::group{batch_[static_cast<size_t>(mode)]};
}

bool topic_table::wants_changes() const noexcept {
  for (auto& t : general_)
    if (!t->empty())
      return true;
  return false;
}

bool topic_table::wants_batches() const noexcept {
  for (auto& t : batch_)
    if (!t->empty())
      return true;
  return false;
}

std::string topic_table::key_of(std::string_view column, const value& x) {
  std::string key{column};
  key += '\x1f';
  // A type mark keeps NULL apart from every string, even "" or "\0".
  if (x.is_null()) {
    key += 'n';
  } else {
    key += 'v';
    key += x.to_text();
  }
  return key;
}

caf::group topic_table::value_topic(std::string_view column, const value& x) {
  auto key = key_of(column, x);
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto i = values_.find(key); i != values_.end())
    return caf::group{i->second};
  if (stopped_) {
    // After stop() a new topic must refuse subscribers too, or an actor
    // joining it concurrently would keep the actor system from ending.
    auto dead = caf::make_counted<topic>(module_, watcher_, board_, flow_);
    dead->stop();
    return caf::group{dead};
  }
  // Sweep before adding: the new topic is held only by the map until we
  // return it, so a sweep afterwards would free it.
  // A count of 1 means only this map holds the topic; nobody can take a new
  // reference without the lock, so it is final.
  sweeper_.before_insert(
    values_,
    [](auto& kvp) {
      return kvp.second->get_reference_count() == 1
             && kvp.second->subscriber_count() == 0;
    },
    [](auto&) {});
  auto id = watcher_;
  id += '|';
  id += column.empty() ? std::string_view{"key"} : column;
  id += '|';
  id += x.to_text();
  auto& slot = values_[key];
  slot = caf::make_counted<topic>(module_, std::move(id), board_, flow_);
  value_topic_count_.store(values_.size(), std::memory_order_relaxed);
  return caf::group{slot};
}

topic_ptr topic_table::find(std::string_view column, const value& x) const {
  auto key = key_of(column, x);
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = values_.find(key);
  return i != values_.end() ? i->second : nullptr;
}

std::vector<topic_ptr> topic_table::snapshot() const {
  std::vector<topic_ptr> all{general_.begin(), general_.end()};
  all.insert(all.end(), batch_.begin(), batch_.end());
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& kvp : values_)
    all.push_back(kvp.second);
  return all;
}

void topic_table::broadcast(const caf::strong_actor_ptr& sender,
                            const caf::message& msg,
                            caf::execution_unit* host) {
  for (auto& t : snapshot())
    t->enqueue(sender, caf::make_message_id(), msg, host);
}

void topic_table::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopped_ = true;
  }
  for (auto& t : snapshot())
    t->stop();
}

size_t topic_table::value_topic_count() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return values_.size();
}

} // namespace libwatch
