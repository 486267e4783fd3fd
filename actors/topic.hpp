// libwatch's own CAF groups ("topics"). A watcher publishes every change to
// its general topic and to the topics of the change's primary key and
// association values. Unlike CAF's local groups, a value topic exists only
// while someone holds it, so a million distinct keys flowing past do not
// leave a million groups behind, and publishing to a key nobody watches is a
// single hash lookup.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/abstract_group.hpp>
#include <caf/group.hpp>
#include <caf/group_module.hpp>
#include <caf/intrusive_ptr.hpp>
#include <caf/message.hpp>

#include "actors/delivery_slot.hpp"
#include "actors/subscription.hpp"
#include "actors/topic_sweeper.hpp"
#include "libwatch/value.hpp"

namespace libwatch {

class topic_module;
class status_board;
class delivery_flow;

/// One topic: a set of subscribers that each get every message sent to it,
/// each with a bound on what it may have waiting (actors/delivery_slot.hpp).
class topic final : public caf::abstract_group {
public:
  /// `board` (may be null) supplies the greeting a new subscriber gets;
  /// `flow` the bound, the counters and, for durable watchers, the
  /// acknowledgement tracker; `mode` how subscribers of this topic
  /// acknowledge (only durable watchers' topics tell the modes apart).
  topic(std::shared_ptr<topic_module> module, std::string identifier,
        std::shared_ptr<const status_board> board,
        std::shared_ptr<delivery_flow> flow, ack_mode mode = ack_mode::none);

  bool subscribe(caf::strong_actor_ptr who) override;
  void unsubscribe(const caf::actor_control_block* who) override;
  /// Sends a signal (or anything not a change) to every subscriber,
  /// uncounted and never dropped.
  void enqueue(caf::strong_actor_ptr sender, caf::message_id mid,
               caf::message content, caf::execution_unit* host) override;
  /// Sends a change or change batch to every subscriber within its bound.
  void publish(const caf::strong_actor_ptr& sender, const caf::message& msg,
               const delivery_info& info, caf::execution_unit* host);
  /// A remote subscriber processed `changes` more (see delivery_slot).
  void credit(const caf::actor_control_block* who, uint64_t changes);
  caf::error save(caf::serializer& sink) const override;
  /// Drops every subscriber (and the strong references it held) and refuses
  /// new ones.
  void stop() override;

  size_t subscriber_count() const;

  /// Whether nobody subscribes (lock-free; publishers skip building messages
  /// nobody would receive).
  bool empty() const noexcept {
    return count_.load(std::memory_order_relaxed) == 0;
  }

private:
  // Keeps the module (referenced by abstract_group) alive as long as we are.
  std::shared_ptr<topic_module> module_;
  std::shared_ptr<const status_board> board_;
  std::shared_ptr<delivery_flow> flow_;
  ack_mode mode_;
  mutable std::shared_mutex mtx_;
  std::vector<delivery_slot_ptr> subscribers_;
  std::atomic<size_t> count_{0};
  bool stopped_ = false;
};

using topic_ptr = caf::intrusive_ptr<topic>;

/// The CAF group module of libwatch topics. Not registered in CAF's group
/// manager: topics are handed out by `topic_table`, not looked up by name.
class topic_module final : public caf::group_module {
public:
  explicit topic_module(caf::actor_system& sys);
  void stop() override;
  caf::expected<caf::group> get(const std::string& group_name) override;
  caf::error load(caf::deserializer& source, caf::group& storage) override;
};

/// The topics of one watcher: its general topic plus value topics created on
/// demand. Thread-safe: subscribers create topics from any thread while the
/// watcher actor publishes.
class topic_table {
public:
  /// Number of acknowledgement modes, i.e. of general (and batch) topics.
  static constexpr size_t modes = 3;

  /// `board` (may be null) supplies the greeting each new subscriber of any
  /// of these topics gets: the watcher's current ready/down state. `flow`
  /// is shared by every topic of the watcher (null: a plain watcher's with
  /// the default bound).
  topic_table(std::shared_ptr<topic_module> module, std::string watcher,
              std::shared_ptr<const status_board> board = nullptr,
              std::shared_ptr<delivery_flow> flow = nullptr);

  /// The topic that gets every change, for subscribers acknowledging in
  /// `mode`.
  caf::group general(ack_mode mode = ack_mode::on_return) const;

  /// The general topic of `ack_mode::on_return` subscribers.
  const topic_ptr& general_topic() const noexcept {
    return general_[0];
  }

  /// The general topics, one per mode, for publishing.
  const std::array<topic_ptr, modes>& general_topics() const noexcept {
    return general_;
  }

  /// The topic that gets every change in `change_batch` messages, one per
  /// drained burst.
  caf::group batch(ack_mode mode = ack_mode::on_return) const;

  const topic_ptr& batch_topic() const noexcept {
    return batch_[0];
  }

  const std::array<topic_ptr, modes>& batch_topics() const noexcept {
    return batch_;
  }

  /// Whether any general (or batch) topic has a subscriber.
  bool wants_changes() const noexcept;
  bool wants_batches() const noexcept;

  /// The topic of changes whose `column` has value `x`; `column` is empty for
  /// the primary key. Returns the same group while anyone holds it.
  caf::group value_topic(std::string_view column, const value& x);

  /// Returns the existing topic for `column` = `x`, or null. Never creates.
  topic_ptr find(std::string_view column, const value& x) const;

  /// Whether any value topic may exist (cheap check before building keys).
  bool has_value_topics() const noexcept {
    return value_topic_count_.load(std::memory_order_relaxed) > 0;
  }

  /// Sends `msg` to the general topic and every value topic.
  void broadcast(const caf::strong_actor_ptr& sender, const caf::message& msg,
                 caf::execution_unit* host);

  /// Drops every subscriber of every topic of this watcher; topics handed
  /// out afterwards refuse subscribers.
  void stop();

  /// How many value topics are currently held (for tests and status).
  size_t value_topic_count() const;

  /// Key of a value topic: column, unit separator, then `n` for NULL or `v`
  /// and the value text, so NULL never matches any string.
  static std::string key_of(std::string_view column, const value& x);

private:
  std::vector<topic_ptr> snapshot() const;

  std::shared_ptr<topic_module> module_;
  std::string watcher_;
  std::shared_ptr<const status_board> board_;
  std::shared_ptr<delivery_flow> flow_;
  std::array<topic_ptr, modes> general_;
  std::array<topic_ptr, modes> batch_;
  mutable std::mutex mtx_;
  std::unordered_map<std::string, topic_ptr> values_;
  topic_sweeper sweeper_;
  bool stopped_ = false;
  std::atomic<size_t> value_topic_count_{0};
};

} // namespace libwatch
