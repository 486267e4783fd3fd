// Google Benchmark micro-benchmarks of the per-change hot path: decoding a
// payload, finding a value topic, building a change message and publishing
// it to a group with one subscriber. Run by hand:
//   build/benchmarks/bench/libwatch_micro_benchmarks
#include <atomic>
#include <string>

#include <benchmark/benchmark.h>
#include <caf/all.hpp>

#include "actors/topic.hpp"
#include "libwatch/change.hpp"
#include "libwatch/payload_decoder.hpp"

using namespace libwatch;

namespace {

const std::string w1_payload
  = R"({"type" : "inserted", "values" : {"id" : 73421, "owner_id" : 21}})";

// The watcher's path: the rows vector is reused between payloads; each row
// gets its values and its own copy of the payload (change::raw).
void decode_payload(benchmark::State& state) {
  payload_decoder decoder{event_kind::inserted, {"id", "owner_id"}};
  std::vector<decoded_row> rows;
  for (auto _ : state) {
    auto err = decoder.decode(w1_payload, rows);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(rows.data());
  }
}
BENCHMARK(decode_payload);

// A statement-level chunk of W1 rows as the trigger sends it (just under
// 8000 bytes); reported per row.
void decode_chunk_per_row(benchmark::State& state) {
  payload_decoder decoder{event_kind::inserted, {"id", "owner_id"}};
  std::string chunk = R"({"type": "inserted", "rows": [)";
  size_t n = 0;
  for (; chunk.size() < 7900; ++n)
    chunk += (n == 0 ? "" : ", ") + std::string{R"({"id" : )"}
             + std::to_string(73421 + n) + R"(, "owner_id" : 21})";
  chunk += "]}";
  std::vector<decoded_row> rows;
  for (auto _ : state) {
    auto err = decoder.decode(chunk, rows);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["rows_per_chunk"] = static_cast<double>(n);
}
BENCHMARK(decode_chunk_per_row);

void build_change_message(benchmark::State& state) {
  payload_decoder decoder{event_kind::inserted, {"id", "owner_id"}};
  for (auto _ : state) {
    auto row = decoder.decode_one(w1_payload);
    auto msg = caf::make_message(change{"public.items:inserted",
                                        event_kind::inserted,
                                        "public",
                                        "items",
                                        std::move(row->values),
                                        std::move(row->raw),
                                        value_source::notification,
                                        {}});
    benchmark::DoNotOptimize(msg);
  }
}
BENCHMARK(build_change_message);

struct system_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
};

// Finding the topic of a key among 1,000 held ones (the per-change routing
// cost when key subscriptions exist).
void find_value_topic(benchmark::State& state) {
  system_fixture fx;
  auto module = std::make_shared<topic_module>(fx.sys);
  topic_table table{module, "public.items:updated"};
  std::vector<caf::group> held;
  for (int64_t k = 1; k <= 1000; ++k)
    held.push_back(table.value_topic({}, value{k}));
  int64_t k = 0;
  for (auto _ : state) {
    auto t = table.find({}, value{1 + (k++ % 1000)});
    benchmark::DoNotOptimize(t);
  }
  table.stop();
}
BENCHMARK(find_value_topic);

// Enqueuing one prepared change message to a group with one subscriber.
void publish_to_group(benchmark::State& state) {
  system_fixture fx;
  auto module = std::make_shared<topic_module>(fx.sys);
  topic_table table{module, "public.items:inserted"};
  std::atomic<long> received{0};
  auto subscriber = fx.sys.spawn([&](caf::event_based_actor* self) {
    self->join(table.general());
    return caf::behavior{[&](const change&) { ++received; }};
  });
  while (table.general_topic()->empty())
    std::this_thread::yield();
  auto msg = caf::make_message(change{"public.items:inserted",
                                      event_kind::inserted,
                                      "public",
                                      "items",
                                      {field{"id", value{1}}},
                                      w1_payload,
                                      value_source::notification,
                                      {}});
  long sent = 0;
  for (auto _ : state) {
    table.general_topic()->enqueue(nullptr, caf::make_message_id(), msg,
                                   nullptr);
    ++sent;
  }
  while (received < sent)
    std::this_thread::yield();
  table.stop();
  caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
}
BENCHMARK(publish_to_group);

} // namespace

BENCHMARK_MAIN();
