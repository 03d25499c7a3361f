#include "rivulet/pipeline/engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "rivulet/checkpoint/store.h"

namespace rivulet::pipeline {
namespace {

using stream::Batch;
using stream::SchemaPtr;

// Lines from memory, `per_read` at a time; optionally a pause before the end (so that the
// engine's timers and delays run), or never ending until cancelled.
class MemorySource final : public io::Source {
 public:
  explicit MemorySource(std::vector<std::string> lines, size_t per_read = 1000,
                        bool endless = false)
      : lines_(std::move(lines)), per_read_(per_read), endless_(endless) {}
  std::string describe() const override { return "memory"; }
  Result<io::ReadStatus> read(io::RawLines& out, size_t max_lines,
                              std::chrono::milliseconds wait) override {
    if (cancelled_) return io::ReadStatus::kEnd;
    if (next_ == lines_.size()) {
      if (!endless_) return io::ReadStatus::kEnd;
      std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(5)));
      return io::ReadStatus::kTimeout;
    }
    const size_t n = std::min({max_lines, per_read_, lines_.size() - next_});
    for (size_t i = 0; i < n; ++i, ++next_) {
      if (lines_[next_].size() > 100) {
        oversized_.push_back({"memory", next_ + 1, lines_[next_].size()});
        continue;
      }
      out.add(lines_[next_], next_ + 1, "memory");
    }
    return io::ReadStatus::kData;
  }
  void cancel() override { cancelled_ = true; }
  void save_position(StateWriter& out) const override { out(static_cast<uint64_t>(next_)); }
  Status restore_position(StateReader& in) override {
    uint64_t n = 0;
    in(n);
    next_ = n;
    return {};
  }
  std::vector<Oversized> take_oversized() override { return std::exchange(oversized_, {}); }

 private:
  std::vector<std::string> lines_;
  size_t per_read_;
  bool endless_;
  size_t next_ = 0;
  std::atomic<bool> cancelled_{false};
  std::vector<Oversized> oversized_;
};

SchemaPtr kv_schema() {
  return std::make_shared<const Schema>(
      *Schema::create({{"key", Type::kString}, {"value", Type::kInt}}));
}

// "key,value" lines; anything else is a dead letter.
class KvDecoder final : public io::Decoder {
 public:
  explicit KvDecoder(SchemaPtr schema) : schema_(std::move(schema)) {}
  size_t decode(const io::RawLines& lines, Batch& out, stream::OperatorContext& ctx,
                int64_t now_ms) override {
    size_t added = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string_view line = lines.line(i);
      const size_t comma = line.find(',');
      int64_t v = 0;
      const char* end = line.data() + line.size();
      if (comma == std::string_view::npos ||
          std::from_chars(line.data() + comma + 1, end, v).ptr != end) {
        stream::DeadLetter letter;
        letter.stage = "decode";
        letter.reason = "not key,value";
        letter.record = std::string(line);
        letter.origin = "memory:" + std::to_string(lines.line_number(i));
        ctx.dead_letter(std::move(letter));
        continue;
      }
      const size_t r = out.add_row(now_ms);
      out.set_string(r, 0, line.substr(0, comma));
      out.set(r, 1, Value::of_int(v));
      ++added;
    }
    return added;
  }

 private:
  SchemaPtr schema_;
};

class MemorySink final : public io::Sink {
 public:
  std::string describe() const override { return "memory sink"; }
  Status open(SchemaPtr schema) override {
    schema_ = std::move(schema);
    return {};
  }
  Status write(const Batch& batch) override {
    std::lock_guard lock(mu);
    ++writes;
    for (size_t r = 0; r < batch.size(); ++r) rows.push_back(stream::row_to_json(batch, r));
    return {};
  }
  Status flush() override { return {}; }
  Status close() override {
    closed = true;
    return {};
  }
  std::mutex mu;
  std::vector<std::string> rows;
  size_t writes = 0;  // calls to write
  bool closed = false;

 private:
  SchemaPtr schema_;
};

// Drops rows with an odd value; a negative value is a dead letter.
class EvenFilter final : public stream::Operator {
 public:
  std::string_view kind() const override { return "even"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(Batch& batch, stream::OperatorContext& ctx) override {
    keep_.assign(batch.size(), 0);
    ctx.counts.in += batch.size();
    for (size_t r = 0; r < batch.size(); ++r) {
      const int64_t v = batch.get(r, 1).as_int();
      if (v < 0) {
        ctx.dead_letter(name(), "negative", batch, r);
      } else if (v % 2 == 0) {
        keep_[r] = 1;
      } else {
        ++ctx.counts.filtered;
      }
    }
    ctx.counts.out += batch.retain(keep_);
    return {};
  }
  std::unique_ptr<Operator> clone() const override { return std::make_unique<EvenFilter>(); }

 private:
  std::vector<uint8_t> keep_;
};

// Keys the stream by field 0 (already a key).
class KeyByFirst final : public stream::Operator {
 public:
  std::string_view kind() const override { return "key_by"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(Batch& batch, stream::OperatorContext& ctx) override {
    ctx.counts.in += batch.size();
    ctx.counts.out += batch.size();
    return {};
  }
  std::optional<size_t> partition_key_field() const override { return 0; }
  std::unique_ptr<Operator> clone() const override { return std::make_unique<KeyByFirst>(); }
};

// Appends each key's running sum (keyed state), or the global running sum.
class RunningSum final : public stream::Operator {
 public:
  explicit RunningSum(bool per_key) : per_key_(per_key) {}
  std::string_view kind() const override { return "sum"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext& ctx) override {
    auto fields = in->fields();
    fields.push_back({"sum", Type::kInt});
    out_schema_ = std::make_shared<const Schema>(*Schema::create(fields));
    side_ = ctx.declare_side_output("totals", std::make_shared<const Schema>(*Schema::create(
                                                  {{"records", Type::kInt}})));
    return out_schema_;
  }
  Status process(Batch& batch, stream::OperatorContext& ctx) override {
    Batch out(out_schema_);
    for (size_t r = 0; r < batch.size(); ++r) {
      const std::string key(per_key_ ? batch.get(r, 0).as_string() : "");
      int64_t& s = sums_[key];
      s += batch.get(r, 1).as_int();
      const size_t o = out.add_row(batch.event_time(r));
      out.set_string(o, 0, batch.get(r, 0).as_string());
      out.set(o, 1, batch.get(r, 1));
      out.set(o, 2, Value::of_int(s));
    }
    ctx.counts.in += batch.size();
    ctx.counts.out += batch.size();
    seen_ += batch.size();
    batch = std::move(out);
    return {};
  }
  Status finish(Batch&, stream::OperatorContext& ctx) override {
    Batch totals(std::make_shared<const Schema>(*Schema::create({{"records", Type::kInt}})));
    totals.add_row();
    totals.set(0, 0, Value::of_int(static_cast<int64_t>(seen_)));
    ctx.side(side_, totals);
    return {};
  }
  bool keyed() const override { return per_key_; }
  bool needs_global_order() const override { return !per_key_; }
  std::unique_ptr<Operator> clone() const override { return std::make_unique<RunningSum>(per_key_); }

 private:
  bool per_key_;
  SchemaPtr out_schema_;
  size_t side_ = 0;
  std::map<std::string, int64_t> sums_;
  uint64_t seen_ = 0;
};

std::vector<std::string> make_lines(size_t n) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < n; ++i) {
    if (i % 97 == 13) {
      lines.push_back("garbage line " + std::to_string(i));
    } else if (i % 101 == 7) {
      lines.push_back("k" + std::to_string(i % 13) + ",-" + std::to_string(i));
    } else {
      lines.push_back("k" + std::to_string(i % 13) + "," + std::to_string(i * 7 % 1000));
    }
  }
  return lines;
}

struct RunResult {
  std::vector<std::string> rows;
  std::vector<std::string> totals;
  EngineStats stats;
  size_t kept_dead = 0;
};

RunResult run_pipeline(size_t parallelism, size_t batch_size, size_t per_read,
                       std::optional<uint64_t> limit = std::nullopt) {
  Plan plan;
  plan.input.name = "events";
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(make_lines(5000), per_read);
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  plan.steps.push_back(std::make_unique<EvenFilter>());
  plan.steps.push_back(std::make_unique<KeyByFirst>());
  plan.steps.push_back(std::make_unique<RunningSum>(/*per_key=*/true));
  auto sink = std::make_unique<MemorySink>();
  auto totals = std::make_unique<MemorySink>();
  MemorySink* sink_ptr = sink.get();
  MemorySink* totals_ptr = totals.get();
  plan.sinks.push_back({"output", std::move(sink)});
  plan.sinks.push_back({"totals", std::move(totals)});
  EngineOptions options;
  options.parallelism = parallelism;
  options.batch_size = batch_size;
  options.limit = limit;
  auto engine = Engine::create(std::move(plan), options);
  EXPECT_TRUE(engine.ok()) << engine.status().to_string();
  if (!engine.ok()) return {};
  const Status s = (*engine)->run();
  EXPECT_TRUE(s.ok()) << s.to_string();
  EXPECT_TRUE(sink_ptr->closed);
  RunResult r;
  r.rows = sink_ptr->rows;
  r.totals = totals_ptr->rows;
  r.stats = (*engine)->stats();
  r.kept_dead = (*engine)->kept_dead_letters().size();
  return r;
}

// Rows grouped by key, each key's rows in their output order.
std::map<std::string, std::vector<std::string>> by_key(const std::vector<std::string>& rows) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : rows) {
    const size_t a = row.find("\"key\": \"") + 8;
    out[row.substr(a, row.find('"', a) - a)].push_back(row);
  }
  return out;
}

TEST(EngineTest, OutputPerKeyDoesNotDependOnParallelismOrBatchSize) {
  const RunResult base = run_pipeline(1, 1024, 1000);
  // 5000 lines: 52 garbage (i % 97 == 13), 50 negative (i % 101 == 7, none garbage), the rest
  // even or odd.
  size_t garbage = 0, negative = 0, even = 0;
  for (size_t i = 0; i < 5000; ++i) {
    if (i % 97 == 13) {
      ++garbage;
    } else if (i % 101 == 7) {
      ++negative;
    } else if ((i * 7 % 1000) % 2 == 0) {
      ++even;
    }
  }
  ASSERT_EQ(base.rows.size(), even);
  EXPECT_EQ(base.stats.records_in, 5000u);
  EXPECT_EQ(base.stats.records_out, even);
  EXPECT_EQ(base.stats.dead_letters, garbage + negative);
  EXPECT_EQ(base.stats.filtered, 5000 - garbage - negative - even);
  EXPECT_TRUE(base.stats.reconciles());
  EXPECT_EQ(base.kept_dead, 100u);  // the first 100 are kept
  ASSERT_EQ(base.totals.size(), 1u);
  EXPECT_EQ(base.totals[0], fmt::format("{{\"records\": {}}}", even));
  const auto expected = by_key(base.rows);
  EXPECT_EQ(expected.size(), 13u);
  for (const size_t parallelism : {1, 2, 4}) {
    for (const size_t batch : {1, 7, 1024}) {
      SCOPED_TRACE(fmt::format("parallelism {}, batch size {}", parallelism, batch));
      const RunResult r = run_pipeline(parallelism, batch, batch == 1 ? 3 : 1000);
      EXPECT_EQ(by_key(r.rows), expected);
      EXPECT_EQ(r.stats.records_out, even);
      EXPECT_TRUE(r.stats.reconciles());
      // One "totals" row per partition's running-sum step.
      EXPECT_EQ(r.totals.size(), parallelism);
    }
  }
}

TEST(EngineTest, LimitStopsAfterThatManyInputRecords) {
  const RunResult r = run_pipeline(2, 64, 1000, 500);
  EXPECT_EQ(r.stats.records_in, 500u);
  EXPECT_TRUE(r.stats.reconciles());
}

TEST(EngineTest, GlobalStepAfterKeyByIsRefusedWithParallelism) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(std::vector<std::string>{});
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  plan.steps.push_back(std::make_unique<KeyByFirst>());
  plan.steps.push_back(std::make_unique<RunningSum>(/*per_key=*/false));
  plan.steps[1]->set_name("model");
  EngineOptions options;
  options.parallelism = 2;
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().message(),
            "step 'model' needs every record in source order (a global model, or state not grouped "
            "by the key 'key') but comes after the key_by 'key_by#1': move it before the key_by, "
            "or make it per key (per_key: true, or group by 'key')");
}

TEST(EngineTest, UnknownSinkStreamNamesTheStreams) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(std::vector<std::string>{});
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  plan.steps.push_back(std::make_unique<RunningSum>(true));
  plan.sinks.push_back({"metrics", std::make_unique<MemorySink>()});
  auto engine = Engine::create(std::move(plan), {});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().message(),
            "sink 'memory sink' reads stream 'metrics', which no step produces (streams: output, "
            "totals)");
}

TEST(EngineTest, OversizedLinesAreDeadLettersAndCounted) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(
      std::vector<std::string>{"a,1", std::string(200, 'x'), "b,2"});
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  auto sink = std::make_unique<MemorySink>();
  MemorySink* out = sink.get();
  plan.sinks.push_back({"output", std::move(sink)});
  auto engine = Engine::create(std::move(plan), {});
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->run().ok());
  EXPECT_EQ(out->rows, (std::vector<std::string>{R"({"key": "a", "value": 1})",
                                                 R"({"key": "b", "value": 2})"}));
  const auto dead = (*engine)->kept_dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].stage, "source");
  EXPECT_EQ(dead[0].reason, "line of 200 bytes is longer than max_line_bytes");
  EXPECT_EQ(dead[0].origin, "memory:2");
  const EngineStats st = (*engine)->stats();
  EXPECT_EQ(st.records_in, 3u);
  EXPECT_EQ(st.dead_letters, 1u);
  EXPECT_TRUE(st.reconciles());
}

TEST(EngineTest, CancelStopsAnEndlessSourceAndFlushes) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(
      std::vector<std::string>{"a,1", "b,2", "c,3"}, 1, /*endless=*/true);
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  auto sink = std::make_unique<MemorySink>();
  MemorySink* out = sink.get();
  plan.sinks.push_back({"output", std::move(sink)});
  EngineOptions options;
  options.batch_delay = std::chrono::microseconds(500);
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok());
  Engine* e = engine->get();
  std::thread stopper([e, out] {
    for (int i = 0; i < 400; ++i) {
      {
        std::lock_guard lock(out->mu);
        if (out->rows.size() == 3) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    e->cancel();
  });
  ASSERT_TRUE(e->run().ok());
  stopper.join();
  EXPECT_EQ(out->rows.size(), 3u);
  EXPECT_TRUE(out->closed);
}

// Records the labels it is given (its second input) after the rows it has seen.
class LabelRecorder final : public stream::Operator {
 public:
  std::string_view kind() const override { return "recorder"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(Batch& batch, stream::OperatorContext& ctx) override {
    ctx.counts.in += batch.size();
    ctx.counts.out += batch.size();
    for (size_t r = 0; r < batch.size(); ++r) log->push_back(std::string(batch.get(r, 0).as_string()));
    return {};
  }
  Status process_side_input(Batch& batch, stream::OperatorContext&) override {
    for (size_t r = 0; r < batch.size(); ++r) {
      log->push_back("label " + std::string(batch.get(r, 0).as_string()));
    }
    return {};
  }
  std::unique_ptr<Operator> clone() const override { return std::make_unique<LabelRecorder>(); }
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
};

// A plan over `lines` (read `per_read` at a time) whose rows keyed "label-..." are labels, split
// off the input for a LabelRecorder; `log` is the recorder's.
Plan labels_plan(std::vector<std::string> lines, size_t per_read,
                 std::shared_ptr<std::vector<std::string>>& log) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(std::move(lines), per_read);
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  auto recorder = std::make_unique<LabelRecorder>();
  log = recorder->log;
  plan.steps.push_back(std::move(recorder));
  plan.labels_where = "key LIKE 'label-%'";
  plan.labels_step = 0;
  return plan;
}

TEST(EngineTest, LabelsSplitOffTheInputArriveInStreamOrder) {
  std::shared_ptr<std::vector<std::string>> log;
  Plan plan = labels_plan({"a,1", "b,2", "label-a,0", "c,3", "label-b,0", "label-c,0"}, 2, log);
  EngineOptions options;
  options.batch_size = 2;
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  ASSERT_TRUE((*engine)->run().ok());
  EXPECT_EQ(*log, (std::vector<std::string>{"a", "b", "label label-a", "c", "label label-b",
                                           "label label-c"}));
  const EngineStats st = (*engine)->stats();
  EXPECT_EQ(st.records_in, 6u);
  EXPECT_EQ(st.labels_split, 3u);
  EXPECT_EQ(st.records_out, 3u);
  EXPECT_TRUE(st.reconciles());
}

TEST(EngineTest, TheRunsOfAnInputBatchSplitByLabelsReachTheSinksTogether) {
  // Two input batches of 8 lines, a label after each event: 8 runs each. Their rows reach the
  // sink in stream order, in one write an input batch (a hand-over each to the sink thread),
  // not one a run.
  std::vector<std::string> lines;
  for (int i = 0; i < 8; ++i) {
    lines.push_back(fmt::format("e{},{}", i, i));
    lines.push_back(fmt::format("label-e{},0", i));
  }
  std::shared_ptr<std::vector<std::string>> log;
  Plan plan = labels_plan(lines, 8, log);
  auto sink = std::make_unique<MemorySink>();
  MemorySink* sink_ptr = sink.get();
  plan.sinks.push_back({"output", std::move(sink)});
  EngineOptions options;
  options.batch_size = 8;
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  ASSERT_TRUE((*engine)->run().ok());
  std::vector<std::string> expected_log, expected_rows;
  for (int i = 0; i < 8; ++i) {
    expected_log.push_back(fmt::format("e{}", i));
    expected_log.push_back(fmt::format("label label-e{}", i));
    expected_rows.push_back(fmt::format(R"({{"key": "e{}", "value": {}}})", i, i));
  }
  EXPECT_EQ(*log, expected_log);
  EXPECT_EQ(sink_ptr->rows, expected_rows);
  EXPECT_EQ((*engine)->stats().batches, 2u);
  EXPECT_EQ(sink_ptr->writes, 2u);
}

TEST(EngineTest, LabelsWhereErrorsNameTheirPosition) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(std::vector<std::string>{});
  plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
  plan.steps.push_back(std::make_unique<LabelRecorder>());
  plan.labels_where = "kind = 'label'";
  plan.labels_where_pos = {.line = 7, .column = 10};
  auto engine = Engine::create(std::move(plan), {});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().message(),
            "labels.where: line 7, column 10: unknown field 'kind' (fields: key, value)");
}

// Lines "k<i>,<i>" without end, counting how many were read.
class CountingSource final : public io::Source {
 public:
  std::string describe() const override { return "counting"; }
  Result<io::ReadStatus> read(io::RawLines& out, size_t max_lines,
                              std::chrono::milliseconds) override {
    if (cancelled_) return io::ReadStatus::kEnd;
    for (size_t i = 0; i < max_lines; ++i) {
      const uint64_t n = read_.fetch_add(1);
      line_ = "k" + std::to_string(n % 7) + "," + std::to_string(n);
      out.add(line_, n + 1, "counting");
    }
    return io::ReadStatus::kData;
  }
  void cancel() override { cancelled_ = true; }
  void save_position(StateWriter&) const override {}
  Status restore_position(StateReader&) override { return {}; }
  std::atomic<uint64_t> read_{0};

 private:
  std::atomic<bool> cancelled_{false};
  std::string line_;
};

// A sink that takes 2 ms a batch.
class SlowSink final : public io::Sink {
 public:
  std::string describe() const override { return "slow sink"; }
  Status open(SchemaPtr) override { return {}; }
  Status write(const Batch& batch) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    written += batch.size();
    return {};
  }
  Status flush() override { return {}; }
  Status close() override { return {}; }
  std::atomic<uint64_t> written{0};
};

// Backpressure: a slow sink slows the source, so that what is read and not yet written stays
// within the queues' capacity, whatever the source could deliver.
TEST(EngineTest, ASlowSinkSlowsTheSourceAndMemoryStaysBounded) {
  for (const size_t parallelism : {1, 2}) {
    SCOPED_TRACE(fmt::format("parallelism {}", parallelism));
    Plan plan;
    plan.input.schema = kv_schema();
    auto source = std::make_unique<CountingSource>();
    CountingSource* counting = source.get();
    plan.input.source = std::move(source);
    plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
    plan.steps.push_back(std::make_unique<KeyByFirst>());
    plan.steps.push_back(std::make_unique<RunningSum>(/*per_key=*/true));
    auto sink = std::make_unique<SlowSink>();
    SlowSink* slow = sink.get();
    plan.sinks.push_back({"output", std::move(sink)});
    EngineOptions options;
    options.batch_size = 100;
    options.queue_capacity = 4;
    options.parallelism = parallelism;
    auto engine = Engine::create(std::move(plan), options);
    ASSERT_TRUE(engine.ok()) << engine.status().to_string();
    Engine* e = engine->get();
    std::thread runner([e] { EXPECT_TRUE(e->run().ok()); });
    uint64_t most_ahead = 0;
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(4));
      most_ahead = std::max(most_ahead, counting->read_.load() - slow->written.load());
    }
    e->cancel();
    runner.join();
    // Without backpressure the source would be millions of lines ahead by now. With it: at
    // most the batches in the queues (head, each worker's, the sink's), plus one being made
    // and one being written at each stage.
    const uint64_t in_queues = options.queue_capacity * (1 + parallelism + 1 + parallelism);
    EXPECT_LE(most_ahead, (in_queues + 2 * (2 + parallelism)) * options.batch_size);
    EXPECT_GT(slow->written.load(), 0u);
    EXPECT_TRUE(e->stats().reconciles());
  }
}

// "key,value" lines whose value is the event time.
class TimedDecoder final : public io::Decoder {
 public:
  size_t decode(const io::RawLines& lines, Batch& out, stream::OperatorContext& ctx,
                int64_t now_ms) override {
    const size_t before = out.size();
    inner_.decode(lines, out, ctx, now_ms);
    for (size_t r = before; r < out.size(); ++r) out.set_event_time(r, out.get(r, 1).as_int());
    return out.size() - before;
  }

 private:
  KvDecoder inner_{kv_schema()};
};

// Logs the rows it sees ("key@time") and the watermarks it is given ("wm <time>").
class WatermarkLog final : public stream::Operator {
 public:
  std::string_view kind() const override { return "wmlog"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(Batch& batch, stream::OperatorContext& ctx) override {
    ctx.counts.in += batch.size();
    ctx.counts.out += batch.size();
    std::lock_guard lock(*mu);
    for (size_t r = 0; r < batch.size(); ++r) {
      log->push_back(fmt::format("{}@{}", batch.get(r, 0).as_string(), batch.event_time(r)));
    }
    return {};
  }
  Status on_watermark(int64_t wm, Batch&, stream::OperatorContext&) override {
    std::lock_guard lock(*mu);
    log->push_back(wm == INT64_MAX ? "wm end" : fmt::format("wm {}", wm));
    return {};
  }
  std::unique_ptr<Operator> clone() const override {
    auto c = std::make_unique<WatermarkLog>();
    c->log = log;
    c->mu = mu;
    return c;
  }
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
};

// Watermarks trail the largest event time by the bound, never go back, come after the
// records of the batch that moved them, and go to the end of time when the input ends.
TEST(EngineTest, WatermarksTrailTheLargestEventTimeAndReachEveryStep) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(
      std::vector<std::string>{"a,1000", "b,3000", "c,2000", "d,2500", "e,9000", "f,4000"}, 2);
  plan.input.decoder = std::make_unique<TimedDecoder>();
  plan.input.watermarks = WatermarkOptions{.max_out_of_orderness_ms = 1000};
  auto op = std::make_unique<WatermarkLog>();
  auto log = op->log;
  plan.steps.push_back(std::move(op));
  EngineOptions options;
  options.batch_size = 2;
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  ASSERT_TRUE((*engine)->run().ok());
  // Batches of 2: {a, b} -> max 3000, wm 2000; {c, d} -> max still 3000, no advance;
  // {e, f} -> max 9000, wm 8000 (f at 4000 is late, but still delivered); end -> end of time.
  EXPECT_EQ(*log, (std::vector<std::string>{"a@1000", "b@3000", "wm 2000", "c@2000", "d@2500",
                                           "e@9000", "f@4000", "wm 8000", "wm end"}));
  EXPECT_EQ((*engine)->stats().watermark, INT64_MAX);
}

// Processing time: the watermark follows the clock on every timer tick, records or not.
TEST(EngineTest, ProcessingTimeWatermarksMoveOnAQuietInput) {
  Plan plan;
  plan.input.schema = kv_schema();
  plan.input.source = std::make_unique<MemorySource>(std::vector<std::string>{"a,1"}, 1,
                                                     /*endless=*/true);
  plan.input.decoder = std::make_unique<KvDecoder>(kv_schema());
  plan.input.watermarks =
      WatermarkOptions{.max_out_of_orderness_ms = 500, .processing_time = true};
  auto op = std::make_unique<WatermarkLog>();
  auto log = op->log;
  auto mu = op->mu;
  plan.steps.push_back(std::move(op));
  auto clock = std::make_shared<std::atomic<int64_t>>(10000);
  EngineOptions options;
  options.timer_interval = std::chrono::milliseconds(2);
  options.clock = [clock] { return clock->load(); };
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  std::thread runner([&] { EXPECT_TRUE((*engine)->run().ok()); });
  const auto wait_for = [&](const std::string& entry) {
    for (int i = 0; i < 5000; ++i) {
      {
        std::lock_guard lock(*mu);
        if (std::find(log->begin(), log->end(), entry) != log->end()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
  EXPECT_TRUE(wait_for("a@10000"));  // its arrival time
  EXPECT_TRUE(wait_for("wm 9500"));
  clock->store(20000);  // no record comes, the watermark moves on
  EXPECT_TRUE(wait_for("wm 19500"));
  clock->store(30000);
  EXPECT_TRUE(wait_for("wm 29500"));
  (*engine)->cancel();
  runner.join();
  std::lock_guard lock(*mu);
  EXPECT_EQ(std::count(log->begin(), log->end(), "a@10000"), 1);
}

TEST(EngineTest, WatermarksReachEveryPartitionAfterItsRecords) {
  Plan plan;
  plan.input.schema = kv_schema();
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) lines.push_back(fmt::format("k{},{}", i % 5, 1000 * (i + 1)));
  plan.input.source = std::make_unique<MemorySource>(lines, 10);
  plan.input.decoder = std::make_unique<TimedDecoder>();
  plan.input.watermarks = WatermarkOptions{.max_out_of_orderness_ms = 0};
  plan.steps.push_back(std::make_unique<KeyByFirst>());
  auto op = std::make_unique<WatermarkLog>();
  auto log = op->log;
  plan.steps.push_back(std::move(op));
  EngineOptions options;
  options.batch_size = 10;
  options.parallelism = 2;
  auto engine = Engine::create(std::move(plan), options);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  ASSERT_TRUE((*engine)->run().ok());
  // Each partition's step gets every watermark, 10000 to 40000 and the end, and every record
  // reaches one of them.
  std::map<std::string, int> wm_count;
  for (const auto& e : *log) {
    if (e.rfind("wm", 0) == 0) ++wm_count[e];
  }
  EXPECT_EQ(wm_count, (std::map<std::string, int>{{"wm 10000", 2},
                                                  {"wm 20000", 2},
                                                  {"wm 30000", 2},
                                                  {"wm 40000", 2},
                                                  {"wm end", 2}}));
  size_t records = 0;
  for (const auto& e : *log) records += e.rfind("wm", 0) == 0 ? 0 : 1;
  EXPECT_EQ(records, 40u);
}

TEST(LatencyHistogramTest, QuantilesWithinABucket) {
  LatencyHistogram h;
  for (int64_t i = 1; i <= 100; ++i) h.add(i * 1000);  // 1 µs .. 100 µs
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.max(), 100000);
  // The 50th value is 50 µs; its bucket [49152, 51199] reports its upper edge.
  EXPECT_EQ(h.quantile(0.5), 51199);
  EXPECT_EQ(h.quantile(1.0), 100000);
  EXPECT_EQ(h.quantile(0.0), 1023);  // the first value's bucket [960, 1023]
  LatencyHistogram small;
  small.add(3, 2);
  EXPECT_EQ(small.quantile(0.99), 3);
  h.merge(small);
  EXPECT_EQ(h.count(), 102u);
}

// A step whose state is its count of rows, taken by asynchronous snapshots: each freeze is
// logged with the count it froze, and its function writes that count (or, `fail`, throws).
struct FreezeLog {
  std::mutex mu;
  std::vector<uint64_t> frozen;  // under mu
  std::atomic<int> written{0};
  bool fail = false;
};
class FreezingCount final : public stream::Operator {
 public:
  explicit FreezingCount(std::shared_ptr<FreezeLog> log) : log_(std::move(log)) {}
  std::string_view kind() const override { return "freezing-count"; }
  Result<SchemaPtr> open(SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(Batch& batch, stream::OperatorContext&) override {
    seen_ += batch.size();
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // a run of some checkpoints
    return {};
  }
  void snapshot(StateWriter& out) const override { out(seen_); }
  std::function<void(StateWriter&)> snapshot_async(bool) override {
    {
      std::lock_guard lock(log_->mu);
      log_->frozen.push_back(seen_);
    }
    return [seen = seen_, log = log_](StateWriter& out) {
      if (log->fail) throw std::runtime_error("disk on fire");
      ++log->written;
      out(seen);
    };
  }
  bool stateful() const override { return true; }
  bool freezes_state() const override { return true; }
  std::unique_ptr<Operator> clone() const override {
    return std::make_unique<FreezingCount>(log_);
  }

 private:
  std::shared_ptr<FreezeLog> log_;
  uint64_t seen_ = 0;
};

// Periodic checkpoints of a step that freezes its state: no fork (its owner's stateful steps
// all freeze), each freeze's function written and its bytes in the checkpoint; a function
// that throws fails the checkpoint, and the run, with the reason.
TEST(EngineTest, StepsThatFreezeTheirStateAreWrittenAfterThePauseWithoutAFork) {
  for (const bool fail : {false, true}) {
    SCOPED_TRACE(fail ? "failing" : "writing");
    const std::string dir = fmt::format("/tmp/rivulet-engine-test-{}-frozen", ::getpid());
    std::filesystem::remove_all(dir);
    auto log = std::make_shared<FreezeLog>();
    log->fail = fail;
    Plan plan;
    plan.input.name = "events";
    plan.input.schema = kv_schema();
    plan.input.source = std::make_unique<MemorySource>(make_lines(3000), 10);
    plan.input.decoder = std::make_unique<KvDecoder>(plan.input.schema);
    plan.steps.push_back(std::make_unique<FreezingCount>(log));
    plan.sinks.push_back({"output", std::make_unique<MemorySink>()});
    EngineOptions options;
    options.batch_size = 10;
    CheckpointOptions checkpoints;
    checkpoints.dir = dir;
    checkpoints.interval = std::chrono::milliseconds(5);
    checkpoints.retain = 100;
    checkpoints.pipeline_name = "frozen";
    options.checkpoints = checkpoints;
    auto engine = Engine::create(std::move(plan), options);
    ASSERT_TRUE(engine.ok()) << engine.status().to_string();
    const Status s = (*engine)->run();
    const EngineStats stats = (*engine)->stats();
    if (fail) {
      EXPECT_FALSE(s.ok());
      EXPECT_NE(s.message().find("an asynchronous snapshot failed: disk on fire"),
                std::string::npos)
          << s.message();
      EXPECT_EQ(stats.checkpoints.completed, 0u);
      std::filesystem::remove_all(dir);
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.to_string();
    EXPECT_EQ(stats.checkpoints.forked, 0u);
    std::vector<uint64_t> frozen;
    {
      std::lock_guard lock(log->mu);
      frozen = log->frozen;
    }
    // Every periodic checkpoint froze (the final one serializes in place).
    ASSERT_GE(frozen.size(), 3u);
    EXPECT_EQ(stats.checkpoints.completed, frozen.size() + 1);
    EXPECT_EQ(log->written.load(), static_cast<int>(frozen.size()));
    // Each periodic checkpoint's part is the count its freeze saw, in order.
    auto store = checkpoint::CheckpointStore::open({.dir = dir, .retain = 100});
    ASSERT_TRUE(store.ok());
    auto ids = (*store)->list();
    ASSERT_TRUE(ids.ok());
    ASSERT_EQ(ids->size(), frozen.size() + 1);
    std::sort(ids->begin(), ids->end());
    for (size_t k = 0; k < frozen.size(); ++k) {
      auto chk = (*store)->load((*ids)[k]);
      ASSERT_TRUE(chk.ok()) << chk.status().to_string();
      const std::string expected = state_bytes([&](StateWriter& out) { out(frozen[k]); });
      EXPECT_EQ(chk->parts.at("step-1"), expected) << "checkpoint " << k;
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace rivulet::pipeline
