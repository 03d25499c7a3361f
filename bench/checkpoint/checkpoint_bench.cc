// What a checkpoint costs, for two states of the size issue 6 names and the fraud pipeline's
// rolling features:
// - window_1M_keys: a tumbling 60 s window grouped by a string key with COUNT(*), SUM(x), AVG(x)
//   and MAX(x), holding 1,000,000 keys in one open window (one row each, none fired yet);
// - over_10k_cards: an hour of 36 payments for each of 10,000 cards with COUNT(*), SUM and
//   COUNT(DISTINCT) (snapshot and recovery only);
// - arf_10_trees: an evaluate step with forest.ARFClassifier(n_models=10, seed=42) after all of
//   Electricity (45,312 rows, labels inline).
// Each is built as a pipeline builds it (create, then open with the input schema) and fed
// through process(). Per state:
// - BM_CheckpointSnapshot: snapshot() into a string, the synchronous part of a checkpoint (the
//   step's thread, and so the pipeline, waits for it);
// - BM_CheckpointFrozenSnapshot (over and ARF): the freeze of snapshot_async, the pause of an
//   asynchronous snapshot, and the writing of the part after it;
// - BM_CheckpointWrite: CheckpointStore::write of that string as a part (the part file, the
//   manifest, their fsyncs and the rename; retention at its default of 3), in a directory under
//   /tmp;
// - BM_CheckpointRecover: CheckpointStore::load_latest (reads and verifies every file) and
//   restore() into a fresh opened step. Then, once, the restored step and the original are fed
//   the same input (the watermark past the window; Electricity's first 2,048 rows again) and
//   must emit the same rows;
// - BM_CheckpointFileFsync: the same bytes through write(2) and fsync(2) alone, without rivulet;
// - BM_CheckpointChanges (window only): the change set of an incremental checkpoint after 1% of
//   the keys got a row.
// Times are wall-clock (fsync waits for the disk). Each state is built outside the timed loops,
// once (and again after each recovery run, whose check uses the original up), and the loops run
// a fixed number of iterations so that Google Benchmark does not call a function again to size
// its loop. Counters: bytes (the part), and the split of the time
// (load_ms and restore_ms; write_ms and fsync_ms).
//
//   build-bench/bench/rivulet_bench --benchmark_filter=Checkpoint --benchmark_repetitions=3

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "rivulet/checkpoint/forked_snapshot.h"
#include "rivulet/checkpoint/store.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/pipeline/learner_stage.h"
#include "rivulet/stream/window.h"

namespace rivulet::checkpoint {
namespace {

constexpr size_t kBatchRows = 1024;
constexpr const char* kPart = "step-1";

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// An opened step and its output schema.
struct Opened {
  std::unique_ptr<stream::Operator> op;
  stream::SchemaPtr output;
};

// A step whose state is checkpointed.
class Step {
 public:
  virtual ~Step() = default;
  // A new step of this configuration, opened, as a pipeline's before its first record.
  virtual Result<Opened> open() const = 0;
  // Feeds `step` the input that builds the state measured.
  virtual Status fill(Opened& step) const = 0;
  // What `step` emits next given the same input, into `out` (of the output schema). The restore
  // check runs it on the original and on the restored step.
  virtual Status probe(Opened& step, stream::Batch& out) const = 0;
};

// ---- 1,000,000 keys of window state ----

class WindowStep final : public Step {
 public:
  static constexpr size_t kKeys = 1'000'000;
  static constexpr int64_t kWindowMs = 60'000;

  Result<Opened> open() const override {
    stream::WindowOperator::Options options{.group_by = {{"key", {}}},
                                            .size_ms = kWindowMs,
                                            .aggregates = {{"n", "COUNT(*)", {}},
                                                           {"total", "SUM(x)", {}},
                                                           {"mean", "AVG(x)", {}},
                                                           {"biggest", "MAX(x)", {}}},
                                            .pos = {}};
    RIVULET_ASSIGN_OR_RETURN(auto op, stream::WindowOperator::create(std::move(options)));
    stream::OpenContext ctx;
    RIVULET_ASSIGN_OR_RETURN(auto output, op->open(input_, ctx));
    return Opened{std::move(op), std::move(output)};
  }

  // Key i once, x = (i mod 1000) / 4, event times spread over the window: every key's window
  // stays open.
  Status fill(Opened& step) const override {
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    stream::Batch batch(input_);
    batch.reserve(kBatchRows);
    for (size_t first = 0; first < kKeys; first += kBatchRows) {
      batch.reset(input_);
      for (size_t i = first; i < std::min(first + kBatchRows, kKeys); ++i) {
        const size_t r = batch.add_row(static_cast<int64_t>(i) % kWindowMs);
        batch.set_string(r, 0, fmt::format("key-{:07}", i));
        batch.set(r, 1, Value::of_double(static_cast<double>(i % 1000) / 4.0));
      }
      RIVULET_RETURN_IF_ERROR(step.op->process(batch, ctx));
      if (!batch.empty()) return Status::internal("the window fired before its end");
    }
    if (!dead.letters.empty()) return Status::internal("dead letters while filling the window");
    return {};
  }

  // Round `round` of BM_CheckpointChanges: a row more for 1% of the keys, spread over them.
  Status change(Opened& step, size_t round) const { return touch(step, round, kKeys / 100, 100); }
  // A row more for n keys, `first` and every `stride`-th after it (incremental checkpoints:
  // the groups a change set holds).
  Status touch(Opened& step, size_t first, size_t n, size_t stride) const {
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    stream::Batch batch(input_);
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (first + k * stride) % kKeys;
      const size_t r = batch.add_row(static_cast<int64_t>(i) % kWindowMs);
      batch.set_string(r, 0, fmt::format("key-{:07}", i));
      batch.set(r, 1, Value::of_double(1.0));
      if (batch.size() == kBatchRows || k + 1 == n) {
        RIVULET_RETURN_IF_ERROR(step.op->process(batch, ctx));
        batch.reset(input_);
      }
    }
    return {};
  }

  // The watermark reaches the window's end: one row per key.
  Status probe(Opened& step, stream::Batch& out) const override {
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    return step.op->on_watermark(kWindowMs, out, ctx);
  }

 private:
  stream::SchemaPtr input_ = std::make_shared<const Schema>(
      Schema::create({{"key", Type::kString}, {"x", Type::kDouble}}).value());
};

// ---- an hour of each card's payments (the fraud pipeline's over step) ----

// OVER (PARTITION BY card RANGE 1 hour) with COUNT(*), SUM(amount) and COUNT(DISTINCT country),
// as examples/fraud.yaml: 10,000 cards, 36 payments each within the hour, the cards taking
// turns (so that each card's buffers are allocated apart, as in a long run), 6 countries.
class OverStep final : public Step {
 public:
  static constexpr size_t kCards = 10'000, kRowsPerCard = 36;
  static constexpr int64_t kRangeMs = 3'600'000;

  Result<Opened> open() const override {
    stream::OverOperator::Options options{
        .partition_by = {{"card", {}}},
        .range_ms = kRangeMs,
        .aggregates = {{"payments", "COUNT(*)", {}},
                       {"spent", "SUM(amount)", {}},
                       {"countries", "COUNT(DISTINCT country)", {}}},
    };
    RIVULET_ASSIGN_OR_RETURN(auto op, stream::OverOperator::create(std::move(options)));
    stream::OpenContext ctx;
    RIVULET_ASSIGN_OR_RETURN(auto output, op->open(input_, ctx));
    return Opened{std::move(op), std::move(output)};
  }

  Status fill(Opened& step) const override { return run(step, 0, kCards * kRowsPerCard, nullptr); }

  // A payment more for each of the first 2,048 cards: their counts and sums over the hour.
  Status probe(Opened& step, stream::Batch& out) const override {
    return run(step, kCards * kRowsPerCard, 2 * kBatchRows, &out);
  }

  // Round `round` of BM_CheckpointChanges: a payment more for 1% of the cards (100 in turn).
  Status change(Opened& step, size_t round) const {
    return run(step, kCards * kRowsPerCard + round * (kCards / 100), kCards / 100, nullptr);
  }

 private:
  // Payments [first, first + n): payment i is card i mod kCards's, at i ms.
  Status run(Opened& step, size_t first, size_t n, stream::Batch* out) const {
    static constexpr const char* kCountries[] = {"US", "GB", "FR", "DE", "BR", "IN"};
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    stream::Batch batch(input_);
    batch.reserve(kBatchRows);
    for (size_t from = first; from < first + n; from += kBatchRows) {
      batch.reset(input_);
      for (size_t i = from; i < std::min(from + kBatchRows, first + n); ++i) {
        const size_t r = batch.add_row(static_cast<int64_t>(i));
        batch.set_string(r, 0, fmt::format("card-{:05}", i % kCards));
        batch.set(r, 1, Value::of_double(static_cast<double>(i % 997) / 8.0));
        batch.set_string(r, 2, kCountries[(i / kCards + i % 7) % 6]);
      }
      RIVULET_RETURN_IF_ERROR(step.op->process(batch, ctx));
      if (out != nullptr) {
        for (size_t r = 0; r < batch.size(); ++r) out->append_row(batch, r);
      }
    }
    if (!dead.letters.empty()) return Status::internal("dead letters in the over step");
    return {};
  }

  stream::SchemaPtr input_ = std::make_shared<const Schema>(
      Schema::create({{"card", Type::kString}, {"amount", Type::kDouble}, {"country", Type::kString}})
          .value());
};

// ---- an adaptive random forest of 10 trees after Electricity ----

// Electricity as rows of the step's input: 8 doubles and the class (a string).
struct Electricity {
  stream::SchemaPtr schema;
  size_t width = 0, target = 0;
  std::vector<Value> values;         // rows x width; the class is NULL here
  std::vector<std::string> classes;  // each row's class
  size_t rows() const { return classes.size(); }
};

Result<Electricity> load_electricity() {
  const std::string path = std::string(RIVULET_DATA_DIR) + "/electricity/elecNormNew.arff.gz";
  RIVULET_ASSIGN_OR_RETURN(auto reader, io::open_reader(path));
  const auto target = reader->column("class");
  if (!target) return Status::not_found(path + ": no column 'class'");
  Electricity d;
  d.width = reader->columns().size();
  d.target = *target;
  std::vector<SchemaField> fields;
  for (size_t c = 0; c < d.width; ++c) {
    fields.push_back({reader->columns()[c], c == d.target ? Type::kString : Type::kDouble});
  }
  RIVULET_ASSIGN_OR_RETURN(auto schema, Schema::create(fields));
  d.schema = std::make_shared<const Schema>(std::move(schema));
  Record record;
  for (;;) {
    RIVULET_ASSIGN_OR_RETURN(const bool got, reader->next(record));
    if (!got) break;
    const size_t row = d.classes.size();
    d.values.resize(d.values.size() + d.width);
    d.classes.emplace_back();
    for (const Field& f : record.fields()) {
      if (f.column == d.target) {
        d.classes[row] = std::string(f.text);
      } else if (f.kind == Field::Kind::kNumber) {
        d.values[row * d.width + f.column] = Value::of_double(f.number);
      }
    }
  }
  return d;
}

const Result<Electricity>& electricity() {
  static const Result<Electricity> d = load_electricity();
  return d;
}

class ForestStep final : public Step {
 public:
  static constexpr size_t kProbeRows = 2 * kBatchRows;

  Result<Opened> open() const override {
    const auto& data = electricity();
    if (!data.ok()) return data.status();
    pipeline::LearnerStage::Options options{.model = "forest.ARFClassifier(n_models=10, seed=42)",
                                            .target = "class"};
    RIVULET_ASSIGN_OR_RETURN(auto stage, pipeline::LearnerStage::create(std::move(options)));
    stream::OpenContext ctx;
    RIVULET_ASSIGN_OR_RETURN(auto output, stage->open(data->schema, ctx));
    return Opened{std::move(stage), std::move(output)};
  }

  // Every row, predicted, scored and learned.
  Status fill(Opened& step) const override { return run(step, electricity()->rows(), nullptr); }

  // The first rows again: predictions, probabilities and model versions.
  Status probe(Opened& step, stream::Batch& out) const override {
    return run(step, kProbeRows, &out);
  }

 private:
  // Rows [0, n) through the step in batches; their output rows appended to `out` if not null.
  static Status run(Opened& step, size_t n, stream::Batch* out) {
    const Electricity& d = *electricity();
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    stream::Batch batch(d.schema);
    batch.reserve(kBatchRows);
    for (size_t first = 0; first < n; first += kBatchRows) {
      batch.reset(d.schema);
      for (size_t i = first; i < std::min(first + kBatchRows, n); ++i) {
        const size_t r = batch.add_row(static_cast<int64_t>(i));
        std::copy_n(d.values.data() + i * d.width, d.width, batch.mutable_row(r));
        batch.set_string(r, d.target, d.classes[i]);
      }
      RIVULET_RETURN_IF_ERROR(step.op->process(batch, ctx));
      if (out != nullptr) {
        for (size_t r = 0; r < batch.size(); ++r) out->append_row(batch, r);
      }
    }
    if (!dead.letters.empty()) return Status::internal("dead letters while learning");
    return {};
  }
};

const WindowStep kWindow;
const OverStep kOver;
const ForestStep kForest;

// ---- snapshots, checkpoints and comparisons ----

// As a pipeline's checkpoint takes it: with room for `expected` bytes (the last snapshot's).
std::string snapshot(const stream::Operator& op, size_t expected = 0) {
  return state_bytes([&op](StateWriter& out) { op.snapshot(out); }, expected);
}

Status restore(stream::Operator& op, std::string bytes) {
  std::istringstream in_bytes(std::move(bytes));
  StateReader in(in_bytes);
  return op.restore(in);
}

// The first difference between two steps' output, or OK.
Status same_rows(const stream::Batch& original, const stream::Batch& restored) {
  if (original.size() != restored.size()) {
    return Status::internal(fmt::format("the original emitted {} rows, the restored step {}",
                                        original.size(), restored.size()));
  }
  for (size_t r = 0; r < original.size(); ++r) {
    bool same = original.event_time(r) == restored.event_time(r);
    for (size_t f = 0; same && f < original.n_fields(); ++f) {
      same = original.get(r, f) == restored.get(r, f);
    }
    if (!same) {
      return Status::internal(fmt::format("row {}: the original emitted {}, the restored step {}",
                                          r, stream::row_to_json(original, r),
                                          stream::row_to_json(restored, r)));
    }
  }
  return {};
}

// A step built with its state, and that state's bytes, shared by the benchmarks of one state.
// The recovery benchmark uses up `built` (its check feeds the original); the next user builds
// it again.
struct Built {
  Opened step;
  std::string bytes;
};

Result<Built*> built(const Step& step) {
  static std::map<const Step*, Built> cache;
  Built& b = cache[&step];
  if (b.step.op == nullptr) {
    RIVULET_ASSIGN_OR_RETURN(b.step, step.open());
    RIVULET_RETURN_IF_ERROR(step.fill(b.step));
    b.bytes = snapshot(*b.step.op);
  }
  return &b;
}

// A new directory under /tmp, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/rivulet-checkpoint-bench-XXXXXX";
    if (::mkdtemp(name) != nullptr) path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Empty when the directory could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void skip(benchmark::State& state, const Status& status) {
  state.SkipWithError(status.to_string().c_str());
}

void report_bytes(benchmark::State& state, size_t bytes) {
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

// ---- the benchmarks ----

void BM_CheckpointSnapshot(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  const stream::Operator& op = *(*b)->step.op;
  const size_t last = (*b)->bytes.size();
  size_t size = 0;
  for (auto _ : state) {
    std::string bytes = snapshot(op, last + last / 16);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  report_bytes(state, size);
  if (size != (*b)->bytes.size()) skip(state, Status::internal("snapshots of different sizes"));
}

// The asynchronous snapshot (checkpoint: {async: true}): the timed part is the pause, fork(2)
// in ForkedSnapshot::start, which copies the process's page tables; `child_ms` is the rest,
// the child serializing while the parent would go on, and the parent reading the part back.
void BM_CheckpointForkedSnapshot(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  const stream::Operator& op = *(*b)->step.op;
  double child_ms = 0;
  for (auto _ : state) {
    auto forked = ForkedSnapshot::start({{kPart, [&op] { return snapshot(op); }}});
    state.PauseTiming();
    if (!forked.ok()) {
      skip(state, forked.status());
      break;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto parts = forked->finish();
    child_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
    if (!parts.ok() || parts->at(kPart) != (*b)->bytes) {
      skip(state, parts.ok() ? Status::internal("the child's snapshot differs") : parts.status());
      break;
    }
    state.ResumeTiming();
  }
  report_bytes(state, (*b)->bytes.size());
  state.counters["child_ms"] = benchmark::Counter(child_ms, benchmark::Counter::kAvgIterations);
}

// The steps' own asynchronous snapshot (Operator::snapshot_async: over and the learner steps
// freeze their state): the timed part is the pause, the freeze; `write_ms` is the rest, the
// function writing the part on a thread while the step would go on. The bytes must be
// snapshot()'s.
void BM_CheckpointFrozenSnapshot(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  stream::Operator& op = *(*b)->step.op;
  const size_t last = (*b)->bytes.size();
  double write_ms = 0;
  for (auto _ : state) {
    auto write = op.snapshot_async(false);
    state.PauseTiming();
    if (!write) {
      skip(state, Status::internal("no asynchronous snapshot"));
      break;
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::string bytes = state_bytes(write, last + last / 16);
    write = nullptr;
    write_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
    if (bytes != (*b)->bytes) {
      skip(state, Status::internal("the asynchronous snapshot differs"));
      break;
    }
    state.ResumeTiming();
  }
  report_bytes(state, last);
  state.counters["write_ms"] = benchmark::Counter(write_ms, benchmark::Counter::kAvgIterations);
}

void BM_CheckpointWrite(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  TempDir dir;
  if (dir.path().empty()) return skip(state, Status::internal("cannot make a directory in /tmp"));
  auto store = CheckpointStore::open({.dir = dir.path()});
  if (!store.ok()) return skip(state, store.status());
  for (auto _ : state) {
    state.PauseTiming();
    Checkpoint checkpoint;
    checkpoint.parts.emplace(kPart, (*b)->bytes);  // the copy is not the store's work
    state.ResumeTiming();
    auto id = (*store)->write(std::move(checkpoint));
    if (!id.ok()) {
      skip(state, id.status());
      break;
    }
  }
  report_bytes(state, (*b)->bytes.size());
}

void BM_CheckpointRecover(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  TempDir dir;
  if (dir.path().empty()) return skip(state, Status::internal("cannot make a directory in /tmp"));
  auto store = CheckpointStore::open({.dir = dir.path()});
  if (!store.ok()) return skip(state, store.status());
  Checkpoint checkpoint;
  checkpoint.parts.emplace(kPart, (*b)->bytes);
  if (auto id = (*store)->write(std::move(checkpoint)); !id.ok()) return skip(state, id.status());

  std::optional<Opened> restored;
  double load_ms = 0, restore_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    restored.reset();  // the previous iteration's, freed outside the timing
    auto fresh = step->open();
    if (!fresh.ok()) {
      skip(state, fresh.status());
      break;
    }
    state.ResumeTiming();
    const auto start = Clock::now();
    auto latest = (*store)->load_latest();
    if (!latest.ok() || !latest->has_value()) {
      skip(state, latest.ok() ? Status::not_found("no checkpoint") : latest.status());
      break;
    }
    const auto loaded = Clock::now();
    load_ms += std::chrono::duration<double, std::milli>(loaded - start).count();
    const Status s = restore(*fresh->op, std::move((*latest)->parts.at(kPart)));
    restore_ms += ms_since(loaded);
    if (!s.ok()) {
      skip(state, s);
      break;
    }
    restored = std::move(*fresh);
  }
  report_bytes(state, (*b)->bytes.size());
  const auto per_iteration = benchmark::Counter::kAvgIterations;
  state.counters["load_ms"] = benchmark::Counter(load_ms, per_iteration);
  state.counters["restore_ms"] = benchmark::Counter(restore_ms, per_iteration);
  if (!restored) return;

  // The check: the original (used up here) and the restored step emit the same rows.
  Opened original = std::move((*b)->step);
  stream::Batch expected(original.output), got(restored->output);
  if (Status s = step->probe(original, expected); !s.ok()) return skip(state, s);
  if (Status s = step->probe(*restored, got); !s.ok()) return skip(state, s);
  if (expected.empty()) return skip(state, Status::internal("the check emitted no rows"));
  if (Status s = same_rows(expected, got); !s.ok()) return skip(state, s);
  state.counters["checked_rows"] = static_cast<double>(expected.size());
}

// Rivulet aside: the bytes written to a new file with write(2), then fsync(2).
void BM_CheckpointFileFsync(benchmark::State& state, const Step* step) {
  auto b = built(*step);
  if (!b.ok()) return skip(state, b.status());
  TempDir dir;
  if (dir.path().empty()) return skip(state, Status::internal("cannot make a directory in /tmp"));
  const std::string& bytes = (*b)->bytes;
  const std::string path = dir.path() + "/part";
  double write_ms = 0, fsync_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ::unlink(path.c_str());  // a new file each time, as each checkpoint's
    state.ResumeTiming();
    const auto start = Clock::now();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < bytes.size();) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      ok = n > 0;
      done += ok ? static_cast<size_t>(n) : 0;
    }
    const auto written = Clock::now();
    ok = ok && ::fsync(fd) == 0;
    fsync_ms += ms_since(written);
    write_ms += std::chrono::duration<double, std::milli>(written - start).count();
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    if (!ok) {
      skip(state, Status::internal("cannot write and fsync " + path));
      break;
    }
  }
  report_bytes(state, bytes.size());
  const auto per_iteration = benchmark::Counter::kAvgIterations;
  state.counters["write_ms"] = benchmark::Counter(write_ms, per_iteration);
  state.counters["fsync_ms"] = benchmark::Counter(fsync_ms, per_iteration);
}

// Incremental checkpoints: between two checkpoints a row reaches 1% of the keys (the window's
// million, spread over the map; 100 of the over step's 10,000 cards); the timed part is
// snapshot_changes, the change set a checkpoint of changes saves instead of the snapshot
// (BM_CheckpointSnapshot). A state of its own (the rows change it). Counters: bytes (the
// change set), snapshot_bytes (the whole state's).
template <class S>
void BM_CheckpointChanges(benchmark::State& state, const S* step) {
  auto opened = step->open();
  if (!opened.ok()) return skip(state, opened.status());
  if (Status s = step->fill(*opened); !s.ok()) return skip(state, s);
  stream::Operator& op = *opened->op;
  size_t size = 0, round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    op.start_changes();
    if (Status s = step->change(*opened, round++); !s.ok()) return skip(state, s);
    state.ResumeTiming();
    std::string bytes = state_bytes([&op](StateWriter& out) { op.snapshot_changes(out); });
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  report_bytes(state, size);
  state.counters["snapshot_bytes"] = static_cast<double>(snapshot(op).size());
}

// Per state: snapshot, write, the plain file, and recovery last (it uses up the built state).
BENCHMARK_CAPTURE(BM_CheckpointSnapshot, window_1M_keys, &kWindow)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointForkedSnapshot, window_1M_keys, &kWindow)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointWrite, window_1M_keys, &kWindow)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointFileFsync, window_1M_keys, &kWindow)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointRecover, window_1M_keys, &kWindow)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointChanges, window_1M_keys_1pct_changed, &kWindow)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointChanges, over_10k_cards_1pct_changed, &kOver)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointSnapshot, over_10k_cards, &kOver)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointFrozenSnapshot, over_10k_cards, &kOver)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointRecover, over_10k_cards, &kOver)
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointSnapshot, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointForkedSnapshot, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointFrozenSnapshot, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointWrite, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointFileFsync, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CheckpointRecover, arf_10_trees, &kForest)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rivulet::checkpoint
