#include "rivulet/pipeline/engine.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "pipeline/bounded_queue.h"
#include "rivulet/checkpoint/forked_snapshot.h"

namespace rivulet::pipeline {

// ---- LatencyHistogram ----

size_t LatencyHistogram::bucket(int64_t ns) {
  const auto v = static_cast<uint64_t>(std::max<int64_t>(ns, 0));
  if (v < kSub) return static_cast<size_t>(v);
  const int exp = 63 - std::countl_zero(v);  // v in [2^exp, 2^(exp+1))
  const int shift = exp - 4;                 // 16 sub-buckets per power of two
  const auto sub = static_cast<size_t>((v >> shift) & (kSub - 1));
  return static_cast<size_t>(exp - 3) * kSub + sub;
}

int64_t LatencyHistogram::upper_edge(size_t b) {
  if (b < kSub) return static_cast<int64_t>(b);
  const size_t exp = b / kSub + 3;
  const size_t sub = b % kSub;
  const uint64_t lower = (uint64_t{1} << exp) + (static_cast<uint64_t>(sub) << (exp - 4));
  return static_cast<int64_t>(lower + (uint64_t{1} << (exp - 4)) - 1);
}

void LatencyHistogram::add(int64_t ns, uint64_t count) {
  if (count == 0) return;
  const size_t b = bucket(ns);
  if (b >= buckets_.size()) buckets_.resize(b + 1, 0);
  buckets_[b] += count;
  count_ += count;
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.buckets_.size() > buckets_.size()) buckets_.resize(other.buckets_.size(), 0);
  for (size_t i = 0; i < other.buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * count_));
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= std::max<uint64_t>(rank, 1)) return std::min(upper_edge(b), max_);
  }
  return max_;
}

// ---- EngineStats ----

namespace {

std::string human_ns(int64_t ns) {
  if (ns < 1000) return fmt::format("{} ns", ns);
  if (ns < 1000000) return fmt::format("{:.1f} µs", ns / 1e3);
  if (ns < 1000000000) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.2f} s", ns / 1e9);
}

}  // namespace

std::string EngineStats::to_string() const {
  std::string out = fmt::format(
      "records in {}, out {}, filtered {}, dead letters {}{}{} ({:.2f} s, {:.0f} records/s)\n",
      records_in, records_out, filtered, dead_letters,
      added > 0 ? fmt::format(", added {}", added) : std::string(),
      labels_in + labels_split > 0 ? fmt::format(", {} {}", second_input, labels_in + labels_split)
                                   : std::string(),
      seconds, seconds > 0 ? static_cast<double>(records_in) / seconds : 0.0);
  const auto per = [](int64_t ns, uint64_t n) {
    return n > 0 ? static_cast<double>(ns) / static_cast<double>(n) : 0.0;
  };
  out += fmt::format("  {:<24} in {:>10}  {:>70.0f} ns/record\n", "decode", records_in,
                     per(decode_ns, records_in));
  for (const StepStats& s : steps) {
    const double per_row =
        s.counts.in > 0 ? static_cast<double>(s.busy_ns) / static_cast<double>(s.counts.in) : 0.0;
    out += fmt::format(
        "  {:<24} in {:>10}  out {:>10}  filtered {:>8}  dead {:>6}  {:>8.0f} ns/record\n", s.name,
        s.counts.in, s.counts.out, s.counts.filtered, s.counts.dead, per_row);
  }
  out += fmt::format("  {:<24} out {:>9}  {:>70.0f} ns/record\n", "sinks", records_out,
                     per(sink_ns, records_out));
  if (!queue_depths.empty()) {
    out += "  queues:";
    for (const size_t d : queue_depths) out += fmt::format(" {}", d);
    out += "\n";
  }
  if (checkpoints.completed + checkpoints.failed > 0 || checkpoints.restored_from != 0) {
    out += "  checkpoints:";
    if (checkpoints.restored_from != 0) {
      out += fmt::format(" resumed from {},",
                         checkpoint::CheckpointStore::dir_name(checkpoints.restored_from));
    }
    out += fmt::format(" {} completed", checkpoints.completed);
    if (checkpoints.completed > 0) {
      out += fmt::format(" (last {}: {} bytes in {}", checkpoint::CheckpointStore::dir_name(checkpoints.last_id),
                         checkpoints.last_bytes, human_ns(checkpoints.last_duration_ns));
      if (checkpoints.max_pause_ns > 0) {  // a periodic checkpoint completed
        out += fmt::format("; pause {}, longest {}", human_ns(checkpoints.last_pause_ns),
                           human_ns(checkpoints.max_pause_ns));
      }
      out += ")";
    }
    if (checkpoints.forked > 0) out += fmt::format(", {} snapshots forked", checkpoints.forked);
    if (checkpoints.failed > 0) {
      out += fmt::format(", {} failed (last: {})", checkpoints.failed, checkpoints.last_error);
    }
    if (!checkpoints.sync_reason.empty()) {
      out += fmt::format(", snapshots taken in the pipeline's threads ({})",
                         checkpoints.sync_reason);
    }
    out += "\n";
    if (checkpoints.total_pause_ns > 0) {
      // What the checkpoints cost the steps' threads, as a share of the run: a figure the
      // machine's speed changes little, unlike records/s (both halves slow down together).
      const double run_ns = seconds * 1e9;
      const auto share = [run_ns](int64_t ns) {
        return run_ns > 0 ? 100.0 * static_cast<double>(ns) / run_ns : 0.0;
      };
      out += fmt::format("  checkpoint cost: paused {} in all ({:.2f}% of the run)",
                         human_ns(checkpoints.total_pause_ns), share(checkpoints.total_pause_ns));
      if (checkpoints.forked > 0) {
        out += fmt::format(", page faults after forks about {} ({:.2f}%); {} pages made writable "
                           "again by the writer in {}",
                           human_ns(checkpoints.fault_ns), share(checkpoints.fault_ns),
                           checkpoints.pages_made_writable,
                           human_ns(checkpoints.make_writable_ns));
      }
      out += "\n";
    }
  }
  if (latency.count() > 0) {
    out += fmt::format("  latency p50 {}, p99 {}, max {} ({} records)\n",
                       human_ns(latency.quantile(0.5)), human_ns(latency.quantile(0.99)),
                       human_ns(latency.max()), latency.count());
  }
  return out;
}

// ---- Engine ----

namespace {

using internal::BoundedQueue;
using stream::Batch;
using stream::SchemaPtr;
using Clock = std::chrono::steady_clock;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Envelope {
  enum class Kind : uint8_t { kData, kLabels, kEnd, kWatermark, kBarrier };
  Kind kind = Kind::kData;
  size_t input = 0;     // head queue: 0 main input, 1 labels
  size_t stream = 0;    // sink queue: 0 output, k > 0 side output k
  size_t producer = 0;  // sink queue: 0 the head, 1 + p worker p (barriers are aligned by it)
  // kBarrier: the checkpoint it cuts. kEnd: a final checkpoint to take after the steps have
  // flushed (0: none).
  uint64_t epoch = 0;
  // kBarrier: a savepoint that stops the pipeline. kEnd: the end of a stop, without flushing
  // what the steps hold.
  bool stop = false;
  std::unique_ptr<Batch> batch;
  int64_t received_ns = 0;
  std::string origin;             // where the batch's first line came from (for dead letters)
  bool idle = false;              // cut because the input had nothing more ready (not by size)
  int64_t watermark = INT64_MIN;  // the input's watermark after this batch; kWatermark's value
};

// State back from bytes that state_bytes (core/state.h) wrote: what checkpoint parts hold.
template <typename F>
Status from_bytes(const std::string& bytes, std::string_view what, F&& load) {
  std::istringstream is(bytes);
  try {
    StateReader in(is);
    return load(in);
  } catch (const std::exception& e) {
    return Status::data_loss(fmt::format("{}: corrupt state ({})", what, e.what()));
  }
}

constexpr uint32_t kEngineStateVersion = 1;

const char* source_part_name(size_t input) { return input == 0 ? "source" : "source-labels"; }

}  // namespace

struct Engine::Impl {
  Plan plan;
  EngineOptions options;

  // Steps: the head's (all of plan.steps when unpartitioned), and each partition's clones of
  // the steps after the key_by.
  size_t head_end = 0;              // steps [0, head_end) run on the head thread
  std::optional<size_t> key_field;  // in the output schema of step head_end - 1
  size_t n_partitions = 0;          // 0: no worker threads
  std::vector<std::vector<std::unique_ptr<stream::Operator>>> partitions;
  SchemaPtr output_schema;

  // Side outputs: name -> stream id (1-based), with schemas.
  std::vector<std::string> side_names;
  std::vector<SchemaPtr> side_schemas;
  std::vector<std::vector<io::Sink*>> sinks_of_stream;  // index: stream id

  // Threads' queues.
  std::unique_ptr<BoundedQueue<Envelope>> head_queue;
  std::vector<std::unique_ptr<BoundedQueue<Envelope>>> worker_queues;
  std::unique_ptr<BoundedQueue<Envelope>> sink_queue;
  // The sinks and the order in which batches reach them; held by whoever writes.
  std::mutex sink_mu;
  std::vector<std::pair<int64_t, uint64_t>> unflushed;  // (receipt time, rows) written, not flushed
  bool sinks_dirty = false;
  bool sink_holding = false;  // the sink thread aligns barriers or replays rows it held back

  // Dead letters from any thread.
  class SharedDeadLetters final : public stream::DeadLetters {
   public:
    explicit SharedDeadLetters(Impl& impl) : impl_(impl) {}
    void add(stream::DeadLetter letter) override { impl_.add_dead_letter(std::move(letter)); }

   private:
    Impl& impl_;
  };
  SharedDeadLetters dead{*this};
  mutable std::mutex dead_mu;
  std::vector<stream::DeadLetter> kept_dead;
  uint64_t dead_total = 0;  // under dead_mu

  // A step's context: its counts, and side outputs into the sink queue.
  class StepContext final : public stream::OperatorContext {
   public:
    StepContext(Impl& impl) : OperatorContext(impl.dead), impl_(impl) {}
    void side(size_t id, Batch& batch) override {
      if (!batch.empty() && id < impl_.sinks_of_stream.size() &&
          !impl_.sinks_of_stream[id].empty()) {
        auto copy = std::make_unique<Batch>(batch.shared_schema());
        copy->reserve(batch.size());
        for (size_t r = 0; r < batch.size(); ++r) copy->append_row(batch, r);
        Envelope e;
        e.stream = id;
        e.producer = producer;
        e.batch = std::move(copy);
        e.received_ns = steady_ns();
        if (producer == 0) impl_.flush_deferred();  // the head's rows go in the order made
        impl_.sink_queue->push(std::move(e));
      }
      batch.clear();
    }
    int64_t busy_ns = 0;
    size_t producer = 0;  // the sink queue's producer: 0 the head, 1 + p worker p

   private:
    Impl& impl_;
  };
  // contexts[0]: the head's steps (all steps when unpartitioned); contexts[1 + p]: partition p's.
  std::vector<std::vector<std::unique_ptr<StepContext>>> contexts;

  // Published counts (copied from the contexts after each batch, under stats_mu).
  mutable std::mutex stats_mu;
  std::vector<std::vector<stream::OperatorCounts>> published_counts;
  std::vector<std::vector<int64_t>> published_busy;
  uint64_t records_in = 0, labels_in = 0, records_out = 0, batches = 0, labels_split = 0;
  int64_t read_ns = 0, decode_ns = 0, sink_ns = 0;  // under stats_mu
  int64_t read_busy = 0;                            // the input thread's
  int64_t watermark = INT64_MIN;                    // under stats_mu
  std::vector<uint8_t> split_mask;                  // the input thread's
  uint64_t decode_dead = 0;
  LatencyHistogram latency;
  int64_t started_ns = 0;
  std::atomic<int64_t> finished_ns{0};

  // Stop and errors.
  std::atomic<bool> cancelled{false};
  std::mutex error_mu;
  Status error;

  int64_t now_ms() const { return options.clock ? options.clock() : system_ms(); }

  void add_dead_letter(stream::DeadLetter letter) {
    std::lock_guard lock(dead_mu);
    ++dead_total;
    if (plan.dead_letters) {
      const Status s = plan.dead_letters->write(letter);
      if (!s.ok()) fail(s);
    } else if (kept_dead.size() < 100) {
      kept_dead.push_back(std::move(letter));
    }
  }

  void fail(const Status& s) {
    {
      std::lock_guard lock(error_mu);
      if (error.ok()) error = s;
    }
    stop_sources();
    head_queue->close();
    for (auto& q : worker_queues) q->close();
    sink_queue->close();
  }

  void stop_sources() {
    cancelled = true;
    plan.input.source->cancel();
    if (plan.labels) plan.labels->source->cancel();
  }

  bool failed() {
    std::lock_guard lock(error_mu);
    return !error.ok();
  }

  // ---- building ----

  class EngineOpenContext final : public stream::OpenContext {
   public:
    explicit EngineOpenContext(Impl& impl) : impl_(impl) {}
    size_t declare_side_output(std::string_view name, SchemaPtr schema) override {
      for (size_t i = 0; i < impl_.side_names.size(); ++i) {
        if (impl_.side_names[i] == name) return i + 1;
      }
      impl_.side_names.emplace_back(name);
      impl_.side_schemas.push_back(std::move(schema));
      return impl_.side_names.size();
    }

   private:
    Impl& impl_;
  };

  Status build() {
    if (options.batch_size == 0) return Status::invalid_argument("batch_size must be > 0");
    if (options.batch_delay.count() <= 0)
      return Status::invalid_argument("batch_delay must be > 0");
    if (options.parallelism < 1 || options.parallelism > 256) {
      return Status::invalid_argument(
          fmt::format("parallelism must be in [1, 256], got {}", options.parallelism));
    }
    if (!plan.input.source || !plan.input.decoder || !plan.input.schema) {
      return Status::invalid_argument("the pipeline has no input");
    }
    if (plan.labels && (!plan.labels->source || !plan.labels->decoder || !plan.labels->schema)) {
      return Status::invalid_argument("the labels input is incomplete");
    }
    if (plan.labels && !plan.labels_where.empty()) {
      return Status::invalid_argument("labels come either from a source or from labels_where");
    }
    if ((plan.labels || !plan.labels_where.empty()) && plan.labels_step >= plan.steps.size()) {
      return Status::invalid_argument("labels are given but no step takes them");
    }
    if (!plan.labels_where.empty()) {
      auto e = stream::Expression::compile_predicate(plan.labels_where, *plan.input.schema,
                                                     plan.labels_where_pos);
      if (!e.ok()) {
        return Status(e.status().code(), fmt::format("labels.where: {}", e.status().message()));
      }
      labels_where = std::move(*e);
    }
    EngineOpenContext open_ctx(*this);
    SchemaPtr schema = plan.input.schema;
    std::optional<size_t> key_step;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      stream::Operator& op = *plan.steps[i];
      step_input_schemas.push_back(schema);
      if (op.name().empty()) op.set_name(fmt::format("{}#{}", op.kind(), i + 1));
      auto out = op.open(schema, open_ctx);
      if (!out.ok()) {
        return Status(out.status().code(),
                      fmt::format("step '{}': {}", op.name(), out.status().message()));
      }
      schema = *out;
      if (auto kf = op.partition_key_field(); kf && !key_step) {
        key_step = i;
        key_field = kf;
      }
      if (key_step && i > *key_step && op.needs_global_order() && options.parallelism > 1) {
        // Allowed when the stream is keyed by one of the fields that pick the step's state.
        const std::string& key_name = step_input_schemas[*key_step + 1]->field(*key_field).name;
        const auto groups = op.grouping_fields();
        if (op.kind() == "join") {
          return Status::invalid_argument(fmt::format(
              "step '{}': a join must see both sides of every key, so it runs before any "
              "key_by: move it before the key_by '{}' (or run with parallelism 1)",
              op.name(), plan.steps[*key_step]->name()));
        }
        if (std::find(groups.begin(), groups.end(), key_name) == groups.end()) {
          return Status::invalid_argument(fmt::format(
              "step '{}' needs every record in source order (a global model, or state not "
              "grouped by the key '{}') but comes after the key_by '{}': move it before the "
              "key_by, or make it per key (per_key: true, or group by '{}')",
              op.name(), key_name, plan.steps[*key_step]->name(), key_name));
        }
      }
    }
    output_schema = schema;
    key_step_index = key_step;
    head_end = plan.steps.size();
    if (key_step && options.parallelism > 1 && *key_step + 1 < plan.steps.size()) {
      head_end = *key_step + 1;
      n_partitions = options.parallelism;
    }
    // Partitions: clones of the steps after the key_by, opened with the same schemas.
    for (size_t p = 0; p < n_partitions; ++p) {
      std::vector<std::unique_ptr<stream::Operator>> chain;
      SchemaPtr s = step_input_schemas[head_end];
      for (size_t i = head_end; i < plan.steps.size(); ++i) {
        auto clone = plan.steps[i]->clone();
        clone->set_name(plan.steps[i]->name());
        auto out = clone->open(s, open_ctx);
        if (!out.ok()) {
          return Status(out.status().code(),
                        fmt::format("step '{}': {}", clone->name(), out.status().message()));
        }
        s = *out;
        chain.push_back(std::move(clone));
      }
      partitions.push_back(std::move(chain));
    }
    // Sinks by stream.
    sinks_of_stream.assign(1 + side_names.size(), {});
    for (SinkPlan& sp : plan.sinks) {
      size_t id = 0;
      if (sp.stream != "output") {
        auto it = std::find(side_names.begin(), side_names.end(), sp.stream);
        if (it == side_names.end()) {
          std::string known = "output";
          for (const auto& n : side_names) known += ", " + n;
          return Status::invalid_argument(
              fmt::format("sink '{}' reads stream '{}', which no step produces (streams: {})",
                          sp.sink->describe(), sp.stream, known));
        }
        id = static_cast<size_t>(it - side_names.begin()) + 1;
      }
      const SchemaPtr& s = id == 0 ? output_schema : side_schemas[id - 1];
      RIVULET_RETURN_IF_ERROR(sp.sink->open(s));
      sinks_of_stream[id].push_back(sp.sink.get());
    }
    // Contexts and published counts.
    const size_t n_ctx = 1 + n_partitions;
    contexts.resize(n_ctx);
    published_counts.resize(n_ctx);
    published_busy.resize(n_ctx);
    for (size_t c = 0; c < n_ctx; ++c) {
      const size_t n = c == 0 ? head_end : plan.steps.size() - head_end;
      for (size_t i = 0; i < n; ++i) {
        auto ctx = std::make_unique<StepContext>(*this);
        ctx->producer = c;
        ctx->partition = c == 0 ? 0 : c - 1;
        ctx->n_partitions = std::max<size_t>(n_partitions, 1);
        contexts[c].push_back(std::move(ctx));
      }
      published_counts[c].resize(n);
      published_busy[c].resize(n);
    }
    input_wms.resize(plan.labels ? 2 : 1);
    const auto init_wm = [](InputWatermark& w, const std::optional<WatermarkOptions>& o) {
      w.makes = o.has_value();
      if (o) w.idleness_ns = o->idleness_ms * 1000000;
      if (o && o->processing_time) w.processing_bound_ms = o->max_out_of_orderness_ms;
    };
    init_wm(input_wms[0], plan.input.watermarks);
    if (plan.labels) init_wm(input_wms[1], plan.labels->watermarks);
    for (const InputPlan* in : {&plan.input, plan.labels ? &*plan.labels : nullptr}) {
      if (in != nullptr && in->watermarks &&
          (in->watermarks->max_out_of_orderness_ms < 0 || in->watermarks->idleness_ms < 0)) {
        return Status::invalid_argument(fmt::format(
            "{}: watermark max_out_of_orderness_ms and idleness_ms must be >= 0", in->name));
      }
    }
    head_queue = std::make_unique<BoundedQueue<Envelope>>(options.queue_capacity);
    for (size_t p = 0; p < n_partitions; ++p) {
      worker_queues.push_back(std::make_unique<BoundedQueue<Envelope>>(options.queue_capacity));
    }
    sink_queue =
        std::make_unique<BoundedQueue<Envelope>>(options.queue_capacity * (1 + n_partitions));
    if (options.checkpoints) {
      snapshot_costs = std::make_unique<SnapshotCosts[]>(n_partitions + 1);
      const CheckpointOptions& co = *options.checkpoints;
      cpus = co.cpus > 0 ? co.cpus : checkpoint::ForkedSnapshot::cpus_available();
      if (co.interval.count() < 0)
        return Status::invalid_argument("checkpoint interval must be >= 0");
      if (co.full_every < 1) return Status::invalid_argument("checkpoint full_every must be >= 1");
      for (size_t i = 0; i < plan.steps.size(); ++i) {
        if (!incremental_step(i)) continue;
        if (i < head_end) {
          incremental_parts.insert(step_part(i, std::nullopt));
        } else {
          for (size_t p = 0; p < n_partitions; ++p) incremental_parts.insert(step_part(i, p));
        }
      }
      auto opened = checkpoint::CheckpointStore::open({co.dir, co.retain, co.env});
      if (!opened.ok()) return opened.status().with_context("checkpoint");
      store = std::move(*opened);
    }
    return {};
  }

  std::vector<SchemaPtr> step_input_schemas;       // the schema entering each step, from build()
  std::optional<size_t> key_step_index;            // the first key_by step, partitioned or not
  std::optional<stream::Expression> labels_where;  // splits labels off the input
  bool has_labels() const { return plan.labels.has_value() || labels_where.has_value(); }

  // ---- checkpoints ----
  //
  // The trigger's owner (the input thread when the head is chained into it, else the head
  // thread) numbers checkpoints by epoch (1, 2, ... within a run; the store gives them their
  // ids). Each thread adds its parts to the epoch's pending checkpoint when the barrier passes
  // it; the sink thread, once every producer's barrier is in, pre-commits the sinks and queues
  // the checkpoint for the writer thread, which stores it and commits the sinks.

  // Step parts that asynchronous snapshots (Operator::snapshot_async) write on a thread.
  using AsyncParts = std::future<std::vector<std::pair<std::string, std::string>>>;
  struct PendingCheckpoint {
    std::map<std::string, std::string> parts;
    // Children still serializing parts, each with its snapshot's owner (see SnapshotCosts).
    std::vector<std::pair<size_t, checkpoint::ForkedSnapshot>> forked;
    std::vector<AsyncParts> async;  // parts still being written by threads
    int64_t started_ns = 0;
    int64_t pause_ns = 0;  // the longest snapshot a thread took for it
    bool ends_run = false;  // a stop's or the end's: processing is over, nothing paused
    bool changes = false;   // incremental steps save their change sets (else whole snapshots)
  };
  struct CheckpointJob {
    uint64_t epoch = 0;
    checkpoint::Checkpoint checkpoint;
    std::vector<std::pair<size_t, checkpoint::ForkedSnapshot>> forked;
    std::vector<AsyncParts> async;
    int64_t started_ns = 0;
    int64_t pause_ns = 0;
    bool ends_run = false;
  };
  std::unique_ptr<checkpoint::CheckpointStore> store;
  std::mutex ck_mu;
  std::condition_variable ck_cv;
  std::map<uint64_t, PendingCheckpoint> ck_pending;  // by epoch; under ck_mu
  std::deque<CheckpointJob> ck_writes;               // under ck_mu
  bool ck_writing = false;                           // under ck_mu
  bool ck_writer_exit = false;                       // under ck_mu
  std::string end_positions[2];              // an ended input's last position part; under ck_mu
  uint64_t ck_epoch = 0;                     // the trigger owner's
  std::atomic<uint64_t> ck_requested{0};     // two inputs: the epoch the sources are to cut
  std::atomic<bool> ck_request_stop{false};  // ... and whether it is a stopping savepoint
  std::atomic<bool> ck_in_flight{false};
  std::atomic<bool> savepoint_requested{false};
  std::atomic<bool> fork_failed{false};  // asynchronous snapshots are off for the rest of the run
  // What snapshots cost each owner of state (0: the head's steps, p + 1: partition p's), which
  // decides whether its next snapshot forks (CheckpointOptions::async_adaptive); -1: unknown.
  //
  // In place, the cost is the pause: measured when the owner serialized in place, else
  // estimated from its last child (the longest part for the head, whose parts serialize on a
  // thread each; all the parts for a partition).
  //
  // A fork's cost is its pause plus a page fault for each page the owner then writes. While
  // the child lives, a fault copies the page: priced by the owner's CopyFaultProbe, a page a
  // millisecond between its batches while the child lives (sample_copy_fault), since the price
  // ranges from 2 to 20 µs on a VM with what else runs. After the child
  // ends, a fault only makes a page writable again (kReuseFaultNs). The owner's minor faults
  // count them (split at the child's end, which the child reads from /proc), less the owner's
  // usual rate of faults (first touches of new memory), measured from the run's start to its
  // first snapshot and between snapshots taken in place.
  struct SnapshotCosts {
    int64_t fork_ns = -1;        // the last fork's pause plus its faults' estimated cost
    int64_t fork_pause_ns = -1;  // the last fork's pause
    int64_t copy_fault_ns = -1;  // the price of a copy: the probe's, while the last child lived
    pid_t probed_child = -1;     // the child alive while the owner samples its probe, or -1
    int64_t next_sample_ns = 0;  // and when the owner samples a page next
    bool forked_last = false;    // whether the owner's last snapshot forked
    int freezes_all = -1;        // whether its stateful steps all freeze their state; -1: unknown
    int64_t faults_then = -1;    // the owner's page faults at the end of its last snapshot
    int64_t time_then = 0;       // and the time then
    double usual_faults_per_ns = 0;  // after in-place snapshots
    std::atomic<int64_t> in_place_ns{-1};  // the last pause in place, or a child's estimate of it
    // The last child's (set by the writer thread when it took the child's parts): how long it
    // serialized, and the owner's page faults as it ended.
    std::atomic<int64_t> child_ns{-1};
    std::atomic<int64_t> faults_at_child_end{-1};
    checkpoint::CopyFaultProbe probe;
  };
  static constexpr int64_t kPageFaultNs = 2000;  // a copy when the probe could not tell
  static constexpr int64_t kReuseFaultNs = 800;  // a fault on a page no child holds any more
  // Longer in-place pauses are not taken whatever they would save: every record behind the
  // barrier waits that long.
  static constexpr int64_t kMaxInPlacePauseNs = 50'000'000;
  std::unique_ptr<SnapshotCosts[]> snapshot_costs;
  size_t cpus = 2;  // the CPUs the process may use (CheckpointOptions::cpus), set at the start

  // The calling thread's minor page faults so far.
  static int64_t thread_page_faults() {
    struct rusage usage {};
    return ::getrusage(RUSAGE_THREAD, &usage) == 0 ? usage.ru_minflt : 0;
  }

  // The steps whose state `owner` snapshots: the head's (0), or partition p's (p + 1).
  std::vector<const stream::Operator*> owned_steps(size_t owner) const {
    std::vector<const stream::Operator*> steps;
    if (owner == 0) {
      for (size_t i = 0; i < head_chain_end(); ++i) steps.push_back(plan.steps[i].get());
    } else {
      for (const auto& op : partitions[owner - 1]) steps.push_back(op.get());
    }
    return steps;
  }

  // Whether `owner`'s snapshot forks now (on the owner's thread).
  bool should_fork(size_t owner) {
    if (!options.checkpoints->async || fork_failed) return false;
    SnapshotCosts& c = snapshot_costs[owner];
    if (c.faults_then < 0) {  // the first snapshot: the run so far had no fork
      c.usual_faults_per_ns = static_cast<double>(thread_page_faults()) /
                              std::max<double>(static_cast<double>(steady_ns() - started_ns), 1);
    } else {  // what the interval since the last snapshot says
      double faults = static_cast<double>(thread_page_faults() - c.faults_then);
      const double elapsed = std::max<double>(static_cast<double>(steady_ns() - c.time_then), 1);
      if (c.forked_last) {
        c.probed_child = -1;
        if (const int64_t probed = c.probe.estimate(); probed >= 0) c.copy_fault_ns = probed;
        // The probe's own faults are not the steps'.
        faults -= static_cast<double>(c.probe.sampled());
        // The faults while the child lived (all of them when /proc could not tell), and after.
        const int64_t at_end = c.faults_at_child_end;
        const double during =
            at_end < 0 ? faults
                       : std::clamp(static_cast<double>(at_end - c.faults_then), 0.0, faults);
        const double life =
            std::clamp(static_cast<double>(std::max<int64_t>(c.child_ns, 0)), 0.0, elapsed);
        const double copied = std::max(0.0, during - c.usual_faults_per_ns * life);
        const double reused =
            std::max(0.0, faults - during - c.usual_faults_per_ns * (elapsed - life));
        const int64_t copy_ns = c.copy_fault_ns >= 0 ? c.copy_fault_ns : kPageFaultNs;
        const auto fault_ns =
            static_cast<int64_t>(copied * static_cast<double>(copy_ns) + reused * kReuseFaultNs);
        c.fork_ns = c.fork_pause_ns + fault_ns;
        {
          std::lock_guard stats_lock(stats_mu);
          ck_stats.fault_ns += fault_ns;
        }
        // On one CPU the child's serialization is time the pipeline does not process.
        if (cpus < 2) c.fork_ns += std::max<int64_t>(c.child_ns, 0);
      } else {
        c.usual_faults_per_ns = faults / elapsed;
      }
    }
    if (!options.checkpoints->async_adaptive) return true;
    const int64_t in_place = c.in_place_ns;
    // An owner whose stateful steps all freeze their state (Operator::freezes_state) pauses
    // only for the freezes in place: it starts there, and tries a fork only once that pause
    // passes the bound (then the measured costs choose, as for the others).
    if (c.freezes_all < 0) {
      c.freezes_all = 1;
      for (const stream::Operator* op : owned_steps(owner)) {
        if (op->stateful() && !op->freezes_state()) c.freezes_all = 0;
      }
    }
    if (c.freezes_all == 1 && c.fork_ns < 0) return in_place > kMaxInPlacePauseNs && cpus >= 2;
    // (On one CPU a child delays the records as much as a pause would: no bound.)
    return c.fork_ns < 0 || in_place < 0 || in_place > c.fork_ns ||
           (in_place > kMaxInPlacePauseNs && cpus >= 2);
  }

  // Between `owner`'s batches (on its thread), while its last snapshot's child lives: a page
  // of its probe each millisecond, so that a copy is priced while the pipeline runs as usual
  // (right after the fork its other threads are often asleep, and a copy then costs a fifth).
  static constexpr int64_t kSampleEveryNs = 1'000'000;
  void sample_copy_fault(size_t owner) {
    if (!snapshot_costs) return;
    SnapshotCosts& c = snapshot_costs[owner];
    if (c.probed_child < 0) return;
    const int64_t now = steady_ns();
    if (now < c.next_sample_ns) return;
    if (!checkpoint::ForkedSnapshot::running(c.probed_child) || !c.probe.sample()) {
      c.probed_child = -1;
      return;
    }
    c.next_sample_ns = now + kSampleEveryNs;
  }

  // At the end of `owner`'s periodic snapshot (on its thread): the start of the next interval.
  void snapshot_taken(size_t owner, bool forked) {
    SnapshotCosts& c = snapshot_costs[owner];
    c.forked_last = forked;
    c.faults_then = thread_page_faults();
    c.time_then = steady_ns();
  }
  Clock::time_point next_checkpoint{};
  uint64_t ck_failed_in_row = 0;                       // the writer's
  CheckpointStats ck_stats;                            // under stats_mu
  int64_t max_event_time[2] = {INT64_MIN, INT64_MIN};  // each input's thread's

  bool checkpointing() const { return options.checkpoints.has_value(); }

  // Each step part's size at its last checkpoint, so that the next starts with room for it.
  std::mutex part_size_mu;
  std::unordered_map<std::string, size_t> part_size;  // under part_size_mu
  // Room for part `name`: its last size and a sixteenth for growth (0 at the first).
  size_t expected_size(const std::string& name) {
    std::lock_guard lock(part_size_mu);
    const auto it = part_size.find(name);
    return it == part_size.end() ? 0 : it->second + it->second / 16;
  }
  void note_sizes(const std::map<std::string, std::string>& parts) {
    std::lock_guard lock(part_size_mu);
    for (const auto& [name, bytes] : parts) part_size[name] = bytes.size();
  }

  static std::string step_part(size_t i, std::optional<size_t> partition) {
    return partition ? fmt::format("step-{}.p{}", i + 1, *partition)
                     : fmt::format("step-{}", i + 1);
  }

  // Whether the trigger's owner should start a checkpoint now.
  bool checkpoint_due() const {
    if (savepoint_requested) return true;
    const auto interval = options.checkpoints->interval;
    return interval.count() > 0 && !ck_in_flight && Clock::now() >= next_checkpoint;
  }

  uint64_t begin_checkpoint() {
    const uint64_t epoch = ++ck_epoch;
    ck_in_flight = true;
    next_checkpoint = Clock::now() + options.checkpoints->interval;
    const CheckpointOptions& co = *options.checkpoints;
    // A change set follows a chain the writer has stored (none at the start, after a failure or
    // once full_every long); a savepoint is whole.
    const int64_t chain = ck_chain;
    const bool changes = co.incremental && !savepoint_requested && chain >= 1 &&
                         static_cast<size_t>(chain) < co.full_every;
    std::lock_guard lock(ck_mu);
    ck_pending[epoch].started_ns = steady_ns();
    ck_pending[epoch].changes = changes;
    return epoch;
  }

  // ---- incremental checkpoints ----
  //
  // A step whose operator is incremental() saves, in a checkpoint of changes, the part
  // "<its part>.delta", which the writer stores as "<its part>.delta-<k>": the k-th change set
  // after the snapshot "<its part>", with links to the chain's earlier files in the checkpoint
  // before. ck_chain: the length of the chain the last stored checkpoint ended (its snapshot
  // and change sets; 0: none to follow). The writer's own: each chained part's files then, and
  // that checkpoint's id.
  std::atomic<int64_t> ck_chain{0};
  std::map<std::string, std::vector<std::string>> ck_chain_files;
  uint64_t ck_chain_id = 0;
  std::set<std::string> incremental_parts;  // the parts of incremental steps (set at the start)
  static constexpr std::string_view kChangesSuffix = ".delta";

  bool incremental_step(size_t i) const {
    return options.checkpoints && options.checkpoints->incremental && plan.steps[i]->incremental();
  }
  bool changes_epoch(uint64_t epoch) {
    std::lock_guard lock(ck_mu);
    const auto it = ck_pending.find(epoch);
    return it != ck_pending.end() && it->second.changes;
  }
  // Each change set of `chk` put after its chain's files, linked from the checkpoint before;
  // `chains` becomes the chains this checkpoint ends.
  Status chain_parts(checkpoint::Checkpoint& chk,
                     std::map<std::string, std::vector<std::string>>& chains) const {
    std::map<std::string, std::vector<std::string>> ended;
    std::map<std::string, std::string> renamed;
    for (auto it = chk.parts.begin(); it != chk.parts.end();) {
      const std::string& name = it->first;
      if (name.ends_with(kChangesSuffix)) {
        const std::string base = name.substr(0, name.size() - kChangesSuffix.size());
        const auto chain = chains.find(base);
        if (chain == chains.end() || ck_chain_id == 0) {
          return Status::internal(fmt::format(
              "checkpoint: the change set of '{}' follows no stored checkpoint", base));
        }
        std::vector<std::string> files = chain->second;
        for (const std::string& f : files) chk.links[f] = ck_chain_id;
        files.push_back(change_set_part(base, files.size()));
        renamed[files.back()] = std::move(it->second);
        ended[base] = std::move(files);
        it = chk.parts.erase(it);
      } else {
        if (incremental_parts.count(name) != 0) ended[name] = {name};
        ++it;
      }
    }
    chk.parts.merge(renamed);
    chains = std::move(ended);
    return {};
  }
  // Restores `op` from part `name` of `chk`, then applies its change sets in order.
  Status restore_chain(stream::Operator& op, const checkpoint::Checkpoint& chk,
                       const std::string& name, const std::string& where) {
    const auto it = chk.parts.find(name);
    if (it == chk.parts.end()) {
      return Status::data_loss(fmt::format("{}: it has no part '{}'", where, name));
    }
    RIVULET_RETURN_IF_ERROR(
        from_bytes(it->second, where, [&](StateReader& r) { return op.restore(r); }));
    for (size_t k = 1;; ++k) {
      const auto change = chk.parts.find(change_set_part(name, k));
      if (change == chk.parts.end()) return {};
      RIVULET_RETURN_IF_ERROR(
          from_bytes(change->second, where, [&](StateReader& r) { return op.restore_changes(r); })
              .with_context(fmt::format("change set {}", k)));
    }
  }
  // Step i's state in part `name` of `chk` with its change sets applied, as one snapshot (for
  // rescaling, which redistributes whole snapshots): restored into a fresh instance.
  Result<std::string> materialized(size_t i, const checkpoint::Checkpoint& chk,
                                   const std::string& name, const std::string& where) {
    const auto it = chk.parts.find(name);
    if (it == chk.parts.end()) {
      return Status::data_loss(fmt::format("{}: it has no part '{}'", where, name));
    }
    if (chk.parts.count(change_set_part(name, 1)) == 0) return it->second;
    auto op = plan.steps[i]->clone();
    op->set_name(plan.steps[i]->name());
    EngineOpenContext open_ctx(*this);
    RIVULET_RETURN_IF_ERROR(op->open(step_input_schemas[i], open_ctx).status());
    RIVULET_RETURN_IF_ERROR(restore_chain(*op, chk, name, where));
    return state_bytes([&](StateWriter& out) { op->snapshot(out); });
  }

  // `periodic`: taken while the pipeline goes on (else at a stop or the end, when the time a
  // snapshot takes pauses nothing and is not counted as a pause).
  void add_parts(uint64_t epoch, std::map<std::string, std::string> parts, int64_t pause_ns,
                 bool periodic = true) {
    std::lock_guard lock(ck_mu);
    PendingCheckpoint& p = ck_pending[epoch];
    for (auto& [name, bytes] : parts) p.parts[name] = std::move(bytes);
    p.pause_ns = std::max(p.pause_ns, pause_ns);
    p.ends_run = p.ends_run || !periodic;
  }

  // Input i's position (after the last line it handed on) and its largest event time. Called
  // by the thread that reads input i.
  std::string source_part(size_t i) {
    const InputPlan& in = i == 0 ? plan.input : *plan.labels;
    const std::string position = state_bytes([&](StateWriter& out) { in.source->save_position(out); });
    return state_bytes([&](StateWriter& out) { out(position, max_event_time[i]); });
  }

  // Forks a child that serializes `parts` and adds it to checkpoint `epoch`, when `owner`'s
  // snapshot should fork (should_fork). False, and the caller serializes the parts itself,
  // when it should not or the fork failed (which turns forking off for the rest of the run).
  bool fork_snapshot(uint64_t epoch, size_t owner,
                     const std::vector<checkpoint::ForkedSnapshot::Part>& parts) {
    if (parts.empty() || !should_fork(owner)) return false;
    const int64_t t0 = steady_ns();
    auto forked = options.checkpoints->fork ? options.checkpoints->fork(parts)
                                            : checkpoint::ForkedSnapshot::start(parts);
    SnapshotCosts& costs = snapshot_costs[owner];
    costs.fork_pause_ns = steady_ns() - t0;
    snapshot_taken(owner, forked.ok());
    if (forked.ok()) {  // the owner prices copies between its next batches
      costs.probe.reset();
      costs.probed_child = forked->pid();
      costs.next_sample_ns = steady_ns() + kSampleEveryNs;
    }
    if (!forked.ok()) {
      fork_failed = true;
      std::lock_guard stats_lock(stats_mu);
      ck_stats.sync_reason = forked.status().message();
      return false;
    }
    {
      std::lock_guard stats_lock(stats_mu);
      ++ck_stats.forked;
    }
    std::lock_guard lock(ck_mu);
    ck_pending[epoch].forked.emplace_back(owner, std::move(*forked));
    return true;
  }

  // Step part `name`'s asynchronous snapshot of `op` (a change set if `changes`), kept in
  // `frozen` for write_frozen. False: `op` has none (its snapshot is taken in the pause).
  struct FrozenPart {
    std::string name;
    std::function<void(StateWriter&)> write;
    size_t expected = 0;
  };
  bool freeze(const std::string& name, stream::Operator& op, bool changes,
              std::vector<FrozenPart>& frozen) {
    if (!options.checkpoints->async) return false;  // every snapshot in the pause
    auto write = op.snapshot_async(changes);
    if (!write) return false;
    frozen.push_back({name, std::move(write), expected_size(name)});
    return true;
  }
  // Writes the frozen parts of checkpoint `epoch` on a thread, in turn, for the writer to
  // take, while the pipeline goes on (after the pause: the thread takes no CPU from it).
  void write_frozen(uint64_t epoch, std::vector<FrozenPart> frozen) {
    if (frozen.empty()) return;
    auto write = [](std::vector<FrozenPart> parts) {
      std::vector<std::pair<std::string, std::string>> bytes;
      for (FrozenPart& part : parts) {
        bytes.emplace_back(part.name, state_bytes(part.write, part.expected));
        part.write = nullptr;  // the state it held is the operator's alone again
      }
      return bytes;
    };
    // (Shared, so that the parts are still here if no thread can be had.)
    auto parts = std::make_shared<std::vector<FrozenPart>>(std::move(frozen));
    AsyncParts bytes;
    try {
      bytes = std::async(std::launch::async, [write, parts] { return write(std::move(*parts)); });
    } catch (const std::system_error&) {  // no thread to be had: written here
      std::promise<std::vector<std::pair<std::string, std::string>>> done;
      done.set_value(write(std::move(*parts)));
      bytes = done.get_future();
    }
    std::lock_guard lock(ck_mu);
    ck_pending[epoch].async.push_back(std::move(bytes));
  }

  // The head's part of checkpoint `epoch`: the watermark and the head's steps. `periodic`: the
  // pipeline goes on afterwards, so the steps may be serialized by a forked child; a stop or
  // the final checkpoint serializes them here (nothing is left to overlap with).
  void snapshot_head(uint64_t epoch, bool periodic) {
    const int64_t t0 = steady_ns();
    std::map<std::string, std::string> parts;
    parts["engine"] = state_bytes([&](StateWriter& out) {
      std::vector<int64_t> values;
      for (const InputWatermark& w : input_wms) values.push_back(w.value);
      out(kEngineStateVersion, emitted_wm, values);
    });
    const size_t n = head_chain_end();
    const bool changes = changes_epoch(epoch);
    std::vector<checkpoint::ForkedSnapshot::Part> steps;
    for (size_t i = 0; i < n; ++i) {
      // The room is found here: the function may run in a forked child, which must take no
      // lock (another thread may have held it at the fork).
      const bool delta = changes && incremental_step(i);
      std::string name = step_part(i, std::nullopt) + (delta ? std::string(kChangesSuffix) : "");
      const size_t expected = expected_size(name);
      steps.push_back({std::move(name), [this, i, expected, delta] {
                         return state_bytes(
                             [&](StateWriter& out) {
                               if (delta) {
                                 plan.steps[i]->snapshot_changes(out);
                               } else {
                                 plan.steps[i]->snapshot(out);
                               }
                             },
                             expected);
                       }});
    }
    // The next change sets start from the state just saved (here, or in the child).
    const auto start_changes = [&] {
      for (size_t i = 0; i < n; ++i) {
        if (incremental_step(i)) plan.steps[i]->start_changes();
      }
    };
    if (periodic && fork_snapshot(epoch, 0, steps)) {
      start_changes();
      add_parts(epoch, std::move(parts), steady_ns() - t0);
      return;
    }
    // Steps with asynchronous snapshots keep their state as it is (copy on write) and write it
    // on a thread after the pause. The others' snapshots only read their state: one thread
    // each (this one takes the first), so that the pause is the longest snapshot's, not their
    // sum.
    std::vector<size_t> here;
    std::vector<FrozenPart> frozen;
    for (size_t i = 0; i < n; ++i) {
      if (!periodic ||
          !freeze(steps[i].name, *plan.steps[i], changes && incremental_step(i), frozen)) {
        here.push_back(i);
      }
    }
    std::vector<std::string> bytes(n);
    std::vector<std::thread> helpers;
    for (size_t k = 1; k < here.size(); ++k) {
      helpers.emplace_back([&steps, &bytes, i = here[k]] { bytes[i] = steps[i].bytes(); });
    }
    if (!here.empty()) bytes[here[0]] = steps[here[0]].bytes();
    for (auto& t : helpers) t.join();
    start_changes();
    write_frozen(epoch, std::move(frozen));
    for (const size_t i : here) parts[steps[i].name] = std::move(bytes[i]);
    note_sizes(parts);
    snapshot_costs[0].in_place_ns = steady_ns() - t0;
    if (periodic) snapshot_taken(0, false);
    add_parts(epoch, std::move(parts), steady_ns() - t0, periodic);
  }

  // The head's snapshot, then the barrier down every queue after what the head has sent.
  void head_checkpoint(uint64_t epoch, bool stop) {
    snapshot_head(epoch, !stop);
    for (auto& q : worker_queues) {
      Envelope b;
      b.kind = Envelope::Kind::kBarrier;
      b.epoch = epoch;
      b.stop = stop;
      q->push(std::move(b));
    }
    push_barrier_to_sink(epoch, 0, stop);
  }

  void push_barrier_to_sink(uint64_t epoch, size_t producer, bool stop) {
    if (producer == 0) flush_deferred();  // (nothing is deferred between input batches)
    Envelope b;
    b.kind = Envelope::Kind::kBarrier;
    b.epoch = epoch;
    b.producer = producer;
    b.stop = stop;
    sink_queue->push(std::move(b));
  }

  // Partition p's steps for checkpoint `epoch` (on its worker thread).
  void snapshot_partition(size_t p, uint64_t epoch, bool periodic) {
    const int64_t t0 = steady_ns();
    const bool changes = changes_epoch(epoch);
    std::vector<checkpoint::ForkedSnapshot::Part> steps;
    for (size_t i = head_end; i < plan.steps.size(); ++i) {
      const bool delta = changes && incremental_step(i);
      std::string name = step_part(i, p) + (delta ? std::string(kChangesSuffix) : "");
      const size_t expected = expected_size(name);  // here, not in a child (see snapshot_head)
      steps.push_back({std::move(name), [this, i, p, expected, delta] {
                         return state_bytes(
                             [&](StateWriter& out) {
                               stream::Operator& op = *partitions[p][i - head_end];
                               if (delta) {
                                 op.snapshot_changes(out);
                               } else {
                                 op.snapshot(out);
                               }
                             },
                             expected);
                       }});
    }
    const auto start_changes = [&] {
      for (size_t i = head_end; i < plan.steps.size(); ++i) {
        if (incremental_step(i)) partitions[p][i - head_end]->start_changes();
      }
    };
    if (periodic && fork_snapshot(epoch, p + 1, steps)) {
      start_changes();
      add_parts(epoch, {}, steady_ns() - t0);
      return;
    }
    std::map<std::string, std::string> parts;
    std::vector<FrozenPart> frozen;
    for (size_t i = head_end; i < plan.steps.size(); ++i) {
      const auto& step = steps[i - head_end];
      if (!periodic || !freeze(step.name, *partitions[p][i - head_end],
                               changes && incremental_step(i), frozen)) {
        parts[step.name] = step.bytes();
      }
    }
    start_changes();
    write_frozen(epoch, std::move(frozen));
    note_sizes(parts);
    snapshot_costs[p + 1].in_place_ns = steady_ns() - t0;
    if (periodic) snapshot_taken(p + 1, false);
    add_parts(epoch, std::move(parts), steady_ns() - t0, periodic);
  }

  // REQUIRES: sink_mu held; every producer's barrier for `epoch` is in. Pre-commits the sinks
  // and queues the checkpoint for the writer. False on failure (recorded).
  bool cut_checkpoint(uint64_t epoch, bool stop) {
    if (!flush_sinks()) return false;
    checkpoint::Checkpoint chk;
    for (size_t j = 0; j < plan.sinks.size(); ++j) {
      io::Sink& sink = *plan.sinks[j].sink;
      auto state = sink.pre_commit(epoch);
      if (!state.ok()) {
        fail(Status(state.status().code(),
                    fmt::format("{}: {}", sink.describe(), state.status().message())));
        return false;
      }
      chk.parts[fmt::format("sink-{}", j)] = std::move(*state);
      chk.meta[fmt::format("sink-{}", j)] = sink.describe();
    }
    if (plan.dead_letters) {
      std::lock_guard dead_lock(dead_mu);
      if (const Status st = plan.dead_letters->flush(); !st.ok()) {
        fail(st);
        return false;
      }
    }
    PendingCheckpoint pending;
    {
      std::lock_guard lock(ck_mu);
      pending = std::move(ck_pending[epoch]);
      ck_pending.erase(epoch);
    }
    for (auto& [name, bytes] : pending.parts) chk.parts[name] = std::move(bytes);
    auto forked = std::move(pending.forked);
    auto async = std::move(pending.async);
    chk.meta["pipeline"] = options.checkpoints->pipeline_name;
    chk.meta["parallelism"] = std::to_string(std::max<size_t>(n_partitions, 1));
    chk.meta["steps"] = std::to_string(plan.steps.size());
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      chk.meta[fmt::format("step-{}", i + 1)] =
          fmt::format("{} {}", plan.steps[i]->kind(), plan.steps[i]->name());
    }
    if (stop) chk.meta["savepoint"] = "stop";
    {
      std::lock_guard lock(ck_mu);
      ck_writes.push_back({epoch, std::move(chk), std::move(forked), std::move(async),
                           pending.started_ns, pending.pause_ns, pending.ends_run});
    }
    ck_cv.notify_all();
    return true;
  }

  // The writer thread: stores each cut checkpoint, then commits the sinks' output up to it.
  void checkpoint_writer() {
    for (;;) {
      CheckpointJob job;
      {
        std::unique_lock lock(ck_mu);
        ck_cv.wait(lock, [this] { return !ck_writes.empty() || ck_writer_exit; });
        if (ck_writes.empty()) return;
        job = std::move(ck_writes.front());
        ck_writes.pop_front();
        ck_writing = true;
      }
      // The parts that forked children serialized, then the checkpoint.
      Result<uint64_t> id = uint64_t{0};
      for (auto& [owner, child] : job.forked) {
        SnapshotCosts& costs = snapshot_costs[owner];
        auto parts = child.finish();
        if (!parts.ok()) {
          id = parts.status();
          break;
        }
        note_sizes(*parts);
        for (auto& [name, bytes] : *parts) job.checkpoint.parts[name] = std::move(bytes);
        // In place, the head's parts serialize on a thread each; a partition's on its own.
        // (On one CPU those threads take turns.)
        costs.in_place_ns =
            owner == 0 && cpus >= 2 ? child.longest_part_ns() : child.serialize_ns();
        costs.child_ns = child.serialize_ns();
        costs.faults_at_child_end = child.owner_faults_at_end();
      }
      const bool had_children = !job.forked.empty();
      job.forked.clear();
      // The parts that asynchronous snapshots wrote on threads.
      for (AsyncParts& written : job.async) {
        try {
          auto parts = written.get();
          std::lock_guard lock(part_size_mu);
          for (auto& [name, bytes] : parts) {
            part_size[name] = bytes.size();
            job.checkpoint.parts[name] = std::move(bytes);
          }
        } catch (const std::exception& e) {
          if (id.ok()) {
            id = Status::internal(fmt::format("an asynchronous snapshot failed: {}", e.what()));
          }
        }
      }
      job.async.clear();
      // The children are gone: their pages are the process's alone again, yet still write
      // protected. Take the faults that would make them writable here, off the steps' threads.
      if (had_children && id.ok()) {
        const auto rearmed = checkpoint::ForkedSnapshot::make_writable();
        std::lock_guard stats_lock(stats_mu);
        ck_stats.pages_made_writable += rearmed.pages;
        ck_stats.make_writable_ns += rearmed.ns;
      }
      uint64_t bytes = 0;
      for (const auto& [name, part] : job.checkpoint.parts) bytes += part.size();
      const bool savepoint = job.checkpoint.meta.count("savepoint") != 0;
      auto chains = ck_chain_files;
      if (id.ok() && options.checkpoints->incremental) {
        if (const Status st = chain_parts(job.checkpoint, chains); !st.ok()) id = st;
      }
      if (id.ok()) id = store->write(std::move(job.checkpoint));
      // The chains the next change sets follow: this checkpoint's, or (failed) none.
      ck_chain_files = id.ok() ? std::move(chains) : decltype(chains)();
      ck_chain_id = id.ok() ? *id : 0;
      {
        size_t longest = 0;
        for (const auto& [name, files] : ck_chain_files) longest = std::max(longest, files.size());
        ck_chain = static_cast<int64_t>(longest);
      }
      if (id.ok()) {
        ck_failed_in_row = 0;
        std::lock_guard lock(sink_mu);
        for (const SinkPlan& sp : plan.sinks) {
          if (const Status st = sp.sink->commit(job.epoch); !st.ok()) {
            fail(Status(st.code(), fmt::format("{}: {}", sp.sink->describe(), st.message())));
          }
        }
        std::lock_guard stats_lock(stats_mu);
        ++ck_stats.completed;
        ck_stats.last_id = *id;
        ck_stats.last_bytes = bytes;
        ck_stats.last_duration_ns = steady_ns() - job.started_ns;
        if (!job.ends_run) {
          ck_stats.total_pause_ns += job.pause_ns;
          ck_stats.last_pause_ns = job.pause_ns;
          ck_stats.max_pause_ns = std::max(ck_stats.max_pause_ns, job.pause_ns);
        }
        if (savepoint) ck_stats.savepoint = *id;
      } else {
        {
          std::lock_guard stats_lock(stats_mu);
          ++ck_stats.failed;
          ck_stats.last_error = id.status().message();
        }
        if (++ck_failed_in_row > options.checkpoints->tolerable_failures) {
          fail(Status(id.status().code(),
                      fmt::format("checkpoint: {} ({} failed in a row; tolerable_failures is {})",
                                  id.status().message(), ck_failed_in_row,
                                  options.checkpoints->tolerable_failures)));
        }
      }
      ck_in_flight = false;
      {
        std::lock_guard lock(ck_mu);
        ck_writing = false;
      }
      ck_cv.notify_all();
    }
  }

  // Restores a checkpoint taken with `saved` partitions (0: unpartitioned) into this run's
  // layout: the steps before the key_by as they are; each step after it gets, in each of this
  // run's partitions, the keys routed there from every saved instance.
  template <typename RestoreStep>
  Status restore_rescaled(const checkpoint::Checkpoint& chk, const std::string& where, size_t saved,
                          const RestoreStep& restore_step) {
    if (!key_step_index) {
      return Status::failed_precondition(
          fmt::format("{}: it has partitions but the pipeline has no key_by", where));
    }
    const size_t first_keyed = *key_step_index + 1;
    for (size_t i = 0; i < first_keyed; ++i) {
      RIVULET_RETURN_IF_ERROR(restore_step(*plan.steps[i], step_part(i, std::nullopt)));
    }
    stream::PartitionFilter keep;
    keep.field = step_input_schemas[first_keyed]->field(*key_field_of_key_step()).name;
    keep.n_partitions = std::max<size_t>(n_partitions, 1);
    for (size_t i = first_keyed; i < plan.steps.size(); ++i) {
      std::vector<std::string> snapshots;
      for (size_t k = 0; k < std::max<size_t>(saved, 1); ++k) {
        const std::string name = saved == 0 ? step_part(i, std::nullopt) : step_part(i, k);
        auto bytes = materialized(i, chk, name, where);
        if (!bytes.ok()) {
          return bytes.status().with_context(
              fmt::format("{}: step '{}'", where, plan.steps[i]->name()));
        }
        snapshots.push_back(std::move(*bytes));
      }
      for (size_t p = 0; p < keep.n_partitions; ++p) {
        stream::Operator& op = n_partitions == 0 ? *plan.steps[i] : *partitions[p][i - head_end];
        keep.partition = p;
        RIVULET_RETURN_IF_ERROR(op.restore_rescaled(snapshots, keep)
                                    .with_context(fmt::format("{}: step '{}'", where, op.name())));
      }
    }
    return Status();
  }

  // The key field's index in the output of the key_by step.
  std::optional<size_t> key_field_of_key_step() const {
    return plan.steps[*key_step_index]->partition_key_field();
  }

  Status restore(const checkpoint::Checkpoint& chk) {
    const auto meta = [&](const std::string& key) -> std::string {
      auto it = chk.meta.find(key);
      return it == chk.meta.end() ? std::string() : it->second;
    };
    const std::string where = checkpoint::CheckpointStore::dir_name(chk.id);
    const auto part = [&](const std::string& name) -> Result<const std::string*> {
      auto it = chk.parts.find(name);
      if (it == chk.parts.end()) {
        return Status::data_loss(fmt::format("{}: it has no part '{}'", where, name));
      }
      return &it->second;
    };
    // The steps must be the checkpoint's, in the same order (their state is matched by
    // position, and checked by kind and name).
    if (meta("steps") != std::to_string(plan.steps.size())) {
      return Status::failed_precondition(fmt::format(
          "{}: it holds {} steps, the pipeline has {}: steps were added or removed since (start "
          "afresh with --fresh)",
          where, meta("steps"), plan.steps.size()));
    }
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const std::string here = fmt::format("{} {}", plan.steps[i]->kind(), plan.steps[i]->name());
      const std::string there = meta(fmt::format("step-{}", i + 1));
      if (here != there) {
        return Status::failed_precondition(fmt::format(
            "{}: step {} is '{}' in the checkpoint but '{}' in the pipeline (start afresh with "
            "--fresh)",
            where, i + 1, there, here));
      }
    }
    // The partitions the checkpoint's steps after the key_by ran in (0: on one thread).
    size_t saved_partitions = 0;
    while (chk.parts.count(step_part(plan.steps.size() - 1, saved_partitions)) != 0) {
      ++saved_partitions;
    }
    // Sources.
    for (size_t i = 0; i < (plan.labels ? 2u : 1u); ++i) {
      InputPlan& in = i == 0 ? plan.input : *plan.labels;
      RIVULET_ASSIGN_OR_RETURN(const std::string* bytes, part(source_part_name(i)));
      std::string position;
      RIVULET_RETURN_IF_ERROR(from_bytes(*bytes, where, [&](StateReader& r) {
        r(position, max_event_time[i]);
        return Status();
      }));
      if (!in.source->replayable()) continue;
      RIVULET_RETURN_IF_ERROR(from_bytes(position, where, [&](StateReader& r) {
                                return in.source->restore_position(r);
                              }).with_context(fmt::format("{}: {}", where, in.source->describe())));
    }
    // The watermark.
    RIVULET_ASSIGN_OR_RETURN(const std::string* engine_bytes, part("engine"));
    RIVULET_RETURN_IF_ERROR(from_bytes(*engine_bytes, where, [&](StateReader& r) {
      uint32_t version = 0;
      std::vector<int64_t> values;
      r(version);
      if (version != kEngineStateVersion) {
        return Status::data_loss(
            fmt::format("{}: unknown engine state version {}", where, version));
      }
      r(emitted_wm, values);
      for (size_t k = 0; k < values.size() && k < input_wms.size(); ++k)
        input_wms[k].value = values[k];
      return Status();
    }));
    for (auto& ctxs : contexts) {
      for (auto& ctx : ctxs)
        ctx->watermark = emitted_wm == INT64_MIN ? stream::kNoEventTime : emitted_wm;
    }
    watermark = emitted_wm;
    // Steps.
    const auto restore_step = [&](stream::Operator& op, const std::string& name) -> Status {
      return restore_chain(op, chk, name, where)
          .with_context(fmt::format("{}: step '{}'", where, op.name()));
    };
    if (saved_partitions == n_partitions) {
      for (size_t i = 0; i < head_end; ++i) {
        RIVULET_RETURN_IF_ERROR(restore_step(*plan.steps[i], step_part(i, std::nullopt)));
      }
      for (size_t p = 0; p < n_partitions; ++p) {
        for (size_t i = head_end; i < plan.steps.size(); ++i) {
          RIVULET_RETURN_IF_ERROR(restore_step(*partitions[p][i - head_end], step_part(i, p)));
        }
      }
    } else {
      RIVULET_RETURN_IF_ERROR(restore_rescaled(chk, where, saved_partitions, restore_step));
    }
    // Sinks: the recorded ones finish or undo the checkpoint's output; a changed one starts
    // fresh.
    for (size_t j = 0; j < plan.sinks.size(); ++j) {
      io::Sink& sink = *plan.sinks[j].sink;
      const std::string name = fmt::format("sink-{}", j);
      if (meta(name) != sink.describe() || chk.parts.count(name) == 0) continue;
      RIVULET_RETURN_IF_ERROR(sink.recover(chk.parts.at(name))
                                  .with_context(fmt::format("{}: {}", where, sink.describe())));
    }
    std::lock_guard lock(stats_mu);
    ck_stats.restored_from = chk.id;
    return Status();
  }

  // ---- running the steps ----

  stream::Operator& step(size_t ctx_index, size_t i) {
    return ctx_index == 0 ? *plan.steps[i] : *partitions[ctx_index - 1][i - head_end];
  }
  StepContext& context(size_t ctx_index, size_t i) {
    return *contexts[ctx_index][ctx_index == 0 ? i : i - head_end];
  }

  // Runs `batch` through steps [from, to) of context `c`. False on a step failure (recorded).
  bool run_steps(size_t c, size_t from, size_t to, Batch& batch, std::string_view origin = {}) {
    for (size_t i = from; i < to && !batch.empty(); ++i) {
      StepContext& ctx = context(c, i);
      ctx.now_ms = now_ms();
      ctx.origin = origin;
      const int64_t t0 = steady_ns();
      const Status s = step(c, i).process(batch, ctx);
      ctx.busy_ns += steady_ns() - t0;
      ctx.origin = {};  // the view's string belongs to the batch's envelope
      if (!s.ok()) {
        fail(Status(s.code(), fmt::format("step '{}': {}", step(c, i).name(), s.message())));
        return false;
      }
    }
    return true;
  }

  void publish(size_t c) {
    std::lock_guard lock(stats_mu);
    for (size_t k = 0; k < contexts[c].size(); ++k) {
      published_counts[c][k] = contexts[c][k]->counts;
      published_busy[c][k] = contexts[c][k]->busy_ns;
    }
  }

  // The head's output of one input batch that a labels filter cut into runs of events and
  // runs of labels, gathered while `defer_sink` is set: the sink thread then gets one hand-over
  // for the input batch, not one for each run of a few rows (each a wake-up of the sink
  // thread: with labels between most payments, about 17,000 a second). On the input thread
  // (chained) only.
  bool defer_sink = false;
  std::unique_ptr<Batch> deferred;
  int64_t deferred_received_ns = 0;
  bool deferred_idle = false;

  void to_sink(std::unique_ptr<Batch> batch, int64_t received_ns, size_t producer,
               bool idle = false) {
    if (batch->empty()) return;
    if (defer_sink && producer == 0) {
      if (deferred != nullptr && deferred->shared_schema() != batch->shared_schema()) {
        flush_deferred();
      }
      if (deferred == nullptr) {
        deferred = std::move(batch);
        deferred_received_ns = received_ns;
        deferred_idle = idle;
      } else {
        deferred->reserve(deferred->size() + batch->size());
        for (size_t r = 0; r < batch->size(); ++r) deferred->append_row(*batch, r);
      }
      return;
    }
    hand_to_sink(std::move(batch), received_ns, producer, idle);
  }

  // What to_sink gathered, on to the sinks.
  void flush_deferred() {
    if (deferred == nullptr) return;
    hand_to_sink(std::move(deferred), deferred_received_ns, 0, deferred_idle);
    deferred = nullptr;
  }

  void hand_to_sink(std::unique_ptr<Batch> batch, int64_t received_ns, size_t producer,
                    bool idle) {
    Envelope e;
    e.stream = 0;
    e.producer = producer;
    e.batch = std::move(batch);
    e.received_ns = received_ns;
    e.idle = idle;
    // When events trickle in (the batch was cut because nothing more was ready) and the sink
    // thread has nothing queued, this thread writes and flushes the rows itself: one hand-over
    // between threads less, so less latency. Under load batches are handed to the sink thread,
    // which writes while this thread goes on. Order is kept: the queue is checked empty under
    // the sinks' lock, which the sink thread holds from taking a batch to having written it.
    // While the sink thread aligns a checkpoint's barriers it holds rows back; then all go
    // through it.
    if (e.idle) {
      std::lock_guard lock(sink_mu);
      if (sink_queue->size() == 0 && !sink_holding) {
        if (write_envelope(e)) (void)flush_sinks();
        return;
      }
    }
    sink_queue->push(std::move(e));
  }

  // Rows emitted by step i's timer or finish (in `batch`, of its output schema): through the
  // rest of the chain of context c, then on.
  bool continue_from(size_t c, size_t i, std::unique_ptr<Batch> batch, size_t chain_end,
                     int64_t received_ns) {
    if (batch->empty()) return true;
    if (!run_steps(c, i + 1, chain_end, *batch)) return false;
    if (c == 0 && n_partitions > 0) {
      partition_out(std::move(batch), received_ns);
    } else {
      to_sink(std::move(batch), received_ns, c);
    }
    return true;
  }

  // The schema of step i's output in context c (for timer/finish batches).
  SchemaPtr output_of(size_t i) {
    return i + 1 < step_input_schemas.size() ? step_input_schemas[i + 1] : output_schema;
  }

  bool timers(size_t c, size_t first, size_t chain_end) {
    for (size_t i = first; i < chain_end; ++i) {
      auto batch = std::make_unique<Batch>(output_of(i));
      StepContext& ctx = context(c, i);
      ctx.now_ms = now_ms();
      const Status s = step(c, i).on_timer(*batch, ctx);
      if (!s.ok()) {
        fail(Status(s.code(), fmt::format("step '{}': {}", step(c, i).name(), s.message())));
        return false;
      }
      if (!continue_from(c, i, std::move(batch), chain_end, steady_ns())) return false;
    }
    return true;
  }

  // The watermark has advanced to `wm`: steps [first, chain_end) of context c, in order, each
  // followed by what it emitted going through the steps after it.
  bool watermark_steps(size_t c, size_t first, size_t chain_end, int64_t wm) {
    for (size_t i = first; i < chain_end; ++i) context(c, i).watermark = wm;
    for (size_t i = first; i < chain_end; ++i) {
      auto batch = std::make_unique<Batch>(output_of(i));
      StepContext& ctx = context(c, i);
      ctx.now_ms = now_ms();
      const Status s = step(c, i).on_watermark(wm, *batch, ctx);
      if (!s.ok()) {
        fail(Status(s.code(), fmt::format("step '{}': {}", step(c, i).name(), s.message())));
        return false;
      }
      if (!continue_from(c, i, std::move(batch), chain_end, steady_ns())) return false;
    }
    return true;
  }

  // ---- the head's view of the inputs' watermarks ----
  struct InputWatermark {
    bool makes = false;  // the input has watermarks
    bool open = true;    // not ended yet
    int64_t value = INT64_MIN;
    int64_t last_ns = 0;  // when its last batch reached the head
    int64_t idleness_ns = 0;
    int64_t processing_bound_ms = -1;  // processing time: the wall clock less this
  };
  std::vector<InputWatermark> input_wms;  // the head's: 0 the input, 1 the labels source
  int64_t emitted_wm = INT64_MIN;

  // The pipeline's watermark from the inputs' (the minimum over those that make watermarks and
  // are open and not idle); advances it through the steps when it has moved. False on failure.
  bool update_watermark() {
    const int64_t now = steady_ns();
    bool any = false;
    int64_t wm = INT64_MAX;
    for (InputWatermark& w : input_wms) {
      if (!w.makes || !w.open) continue;
      if (w.processing_bound_ms >= 0) {  // processing time moves on, records or not
        w.value = std::max(w.value, now_ms() - w.processing_bound_ms);
      } else if (w.idleness_ns > 0 && w.last_ns != 0 && now - w.last_ns > w.idleness_ns) {
        continue;
      }
      any = true;
      wm = std::min(wm, w.value);
    }
    if (!any || wm <= emitted_wm) return true;
    return advance_watermark(wm);
  }

  bool advance_watermark(int64_t wm) {
    emitted_wm = wm;
    {
      std::lock_guard lock(stats_mu);
      watermark = wm;
    }
    if (!watermark_steps(0, 0, head_chain_end(), wm)) return false;
    for (auto& q : worker_queues) {
      Envelope e;
      e.kind = Envelope::Kind::kWatermark;
      e.watermark = wm;
      q->push(std::move(e));
    }
    return true;
  }

  bool finish_steps(size_t c, size_t first, size_t chain_end) {
    for (size_t i = first; i < chain_end; ++i) {
      auto batch = std::make_unique<Batch>(output_of(i));
      StepContext& ctx = context(c, i);
      ctx.now_ms = now_ms();
      const Status s = step(c, i).finish(*batch, ctx);
      if (!s.ok()) {
        fail(Status(s.code(), fmt::format("step '{}': {}", step(c, i).name(), s.message())));
        return false;
      }
      if (!continue_from(c, i, std::move(batch), chain_end, steady_ns())) return false;
    }
    return true;
  }

  void partition_out(std::unique_ptr<Batch> batch, int64_t received_ns,
                     const std::string& origin = {}, bool idle = false) {
    std::vector<std::unique_ptr<Batch>> parts(n_partitions);
    const size_t kf = *key_field;
    for (size_t r = 0; r < batch->size(); ++r) {
      const size_t p = stream::partition_of(batch->get(r, kf), n_partitions);
      if (!parts[p]) {
        parts[p] = std::make_unique<Batch>(batch->shared_schema());
        parts[p]->reserve(batch->size() / n_partitions + 1);
      }
      parts[p]->append_row(*batch, r);
    }
    for (size_t p = 0; p < n_partitions; ++p) {
      if (!parts[p]) continue;
      Envelope e;
      e.batch = std::move(parts[p]);
      e.received_ns = received_ns;
      e.origin = origin;
      e.idle = idle;
      worker_queues[p]->push(std::move(e));
    }
  }

  // Labels for step labels_step in context c.
  bool deliver_labels(size_t c, Batch& batch) {
    const size_t i = plan.labels_step;
    StepContext& ctx = context(c, i);
    ctx.now_ms = now_ms();
    const int64_t t0 = steady_ns();
    const Status s = step(c, i).process_side_input(batch, ctx);
    ctx.busy_ns += steady_ns() - t0;
    if (!s.ok()) {
      fail(Status(s.code(), fmt::format("step '{}': {}", step(c, i).name(), s.message())));
      return false;
    }
    return true;
  }

  // ---- threads ----

  // Hands a batch from an input on: to the head's steps directly when chained, else to the
  // head thread's queue. False when the run is failing.
  bool deliver(Envelope e) {
    if (chained()) return head_handle(e);
    return head_queue->push(std::move(e));
  }

  void source_thread(size_t input_index) {
    InputPlan& in = input_index == 0 ? plan.input : *plan.labels;
    auto next_timer = Clock::now() + options.timer_interval;
    int64_t& max_et = max_event_time[input_index];
    io::RawLines lines;
    StepContext ctx(*this);
    uint64_t read_total = 0;
    uint64_t injected = 0;  // the last checkpoint this input has cut (two inputs)
    bool at_limit = false;  // --limit reached with checkpoints: to stop with a savepoint
    bool ended = false;
    while (!ended && !cancelled) {
      if (chained()) sample_copy_fault(0);
      if (chained() && Clock::now() >= next_timer) {
        if (!head_timers()) return;
        next_timer = Clock::now() + options.timer_interval;
      }
      // Checkpoints cut the input here, between batches: its position is after every line
      // handed on.
      if (checkpointing() && chained() && checkpoint_due()) {
        const bool stop = savepoint_requested.load();
        const uint64_t epoch = begin_checkpoint();
        add_parts(epoch, {{source_part_name(0), source_part(0)}}, 0);
        head_checkpoint(epoch, stop);
        if (stop) {
          head_finish(false);
          return;
        }
      } else if (checkpointing() && !chained() && ck_requested.load() > injected) {
        injected = ck_requested.load();
        const bool stop = ck_request_stop.load();
        add_parts(injected, {{source_part_name(input_index), source_part(input_index)}}, 0);
        Envelope b;
        b.kind = Envelope::Kind::kBarrier;
        b.input = input_index;
        b.epoch = injected;
        b.stop = stop;
        if (!head_queue->push(std::move(b))) return;
        if (stop) break;
      }
      if (at_limit) {  // reads no more; waits for the savepoint's cut (two inputs: the head's)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      lines.clear();
      bool idle_cut = false;
      int64_t first_ns = 0;
      Clock::time_point deadline{};
      while (lines.size() < options.batch_size) {
        size_t want = options.batch_size - lines.size();
        if (input_index == 0 && options.limit) {
          const uint64_t left =
              *options.limit - std::min(*options.limit, read_total + lines.size());
          if (left == 0) {
            if (checkpointing()) {
              // The limit is not the end of the input: the run stops with a savepoint, as on
              // SIGINT (windows stay open in it), and the next run goes on after the limit.
              at_limit = true;
              savepoint_requested = true;
            } else {
              ended = true;
            }
            break;
          }
          want = std::min<size_t>(want, left);
        }
        // A batch is cut when the source has nothing more ready: under load batches fill up
        // (throughput), when events trickle in each goes at once (latency). `linger` waits a
        // little for more, never past the batch's deadline.
        const auto now = Clock::now();
        if (!lines.empty() && now >= deadline) break;
        auto wait = lines.empty() ? options.timer_interval
                                  : std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::min<Clock::duration>(options.linger, deadline - now));
        const size_t before = lines.size();
        const int64_t r0 = steady_ns();
        auto got = in.source->read(lines, want, wait);
        if (input_index == 0) read_busy += steady_ns() - r0;
        if (!got.ok()) {
          fail(Status(got.status().code(),
                      fmt::format("{}: {}", in.source->describe(), got.status().message())));
          return;
        }
        if (*got == io::ReadStatus::kEnd) {
          ended = true;
          break;
        }
        if (lines.size() > before && before == 0) {
          first_ns = steady_ns();
          deadline = Clock::now() + options.batch_delay;
        }
        if (cancelled) {
          ended = true;
          break;
        }
        if (*got == io::ReadStatus::kTimeout) {  // nothing more ready: cut (or idle)
          idle_cut = true;
          break;
        }
      }
      for (auto& o : in.source->take_oversized()) {
        stream::DeadLetter letter;
        letter.stage = "source";
        letter.reason = fmt::format("line of {} bytes is longer than max_line_bytes", o.bytes);
        letter.origin = fmt::format("{}:{}", o.origin, o.line);
        ctx.dead_letter(std::move(letter));
        std::lock_guard lock(stats_mu);
        ++(input_index == 0 ? records_in : labels_in);
        ++decode_dead;
      }
      if (lines.empty()) continue;
      read_total += lines.size();
      auto batch = std::make_unique<Batch>(in.schema);
      batch->reserve(lines.size());
      const uint64_t dead_before = ctx.counts.dead;
      const int64_t d0 = steady_ns();
      in.decoder->decode(lines, *batch, ctx, now_ms());
      const int64_t decode_time = steady_ns() - d0;
      {
        std::lock_guard lock(stats_mu);
        if (input_index == 0) {
          decode_ns += decode_time;
          read_ns = read_busy;
        }
        (input_index == 0 ? records_in : labels_in) += lines.size();
        decode_dead += ctx.counts.dead - dead_before;
        if (input_index == 0) ++batches;
      }
      const int64_t received = first_ns != 0 ? first_ns : steady_ns();
      // The input's watermark after this batch: its largest event time so far, less the bound.
      int64_t batch_wm = INT64_MIN;
      if (in.watermarks) {
        for (const int64_t t : batch->event_times()) {
          if (t != stream::kNoEventTime && t > max_et) max_et = t;
        }
        if (max_et != INT64_MIN) {
          batch_wm = max_et - in.watermarks->max_out_of_orderness_ms;
        }
      }
      if (input_index == 0 && labels_where && !batch->empty()) {
        // The rows that are labels leave the input here. Runs of events and runs of labels go
        // on in stream order, so that what a learner has learned when it predicts an event does
        // not depend on how the stream was cut into batches.
        split_mask.assign(batch->size(), 0);
        if (labels_where->filter_batch(*batch, split_mask) > 0) {
          {
            std::lock_guard lock(stats_mu);
            for (const uint8_t m : split_mask) labels_split += m;
          }
          defer_sink = chained();  // the runs' output goes to the sinks together, below
          size_t r = 0;
          while (r < batch->size()) {
            const uint8_t is_label = split_mask[r];
            auto run = std::make_unique<Batch>(batch->shared_schema());
            for (; r < batch->size() && split_mask[r] == is_label; ++r) run->append_row(*batch, r);
            Envelope e;
            e.kind = is_label ? Envelope::Kind::kLabels : Envelope::Kind::kData;
            e.batch = std::move(run);
            e.received_ns = received;
            e.origin = lines.origin(0);
            e.idle = idle_cut;
            // The batch's watermark comes with its last run, after all of its records.
            if (r == batch->size()) e.watermark = batch_wm;
            if (!deliver(std::move(e))) {
              defer_sink = false;
              flush_deferred();  // what the runs before the failing one made, as without
              return;
            }
          }
          defer_sink = false;
          flush_deferred();
          continue;
        }
      }
      Envelope e;
      e.kind = input_index == 0 ? Envelope::Kind::kData : Envelope::Kind::kLabels;
      e.input = input_index;
      e.batch = std::move(batch);
      e.received_ns = received;
      e.origin = lines.origin(0);
      e.idle = idle_cut;
      e.watermark = batch_wm;
      if (!deliver(std::move(e))) return;
    }
    if (chained()) {
      if (!failed()) head_finish(true);
      return;
    }
    if (checkpointing()) {
      std::lock_guard lock(ck_mu);
      end_positions[input_index] = source_part(input_index);
    }
    Envelope end;
    end.kind = Envelope::Kind::kEnd;
    end.input = input_index;
    head_queue->push(std::move(end));
  }

  // The head's work, on the head thread or chained into the input thread.
  size_t head_chain_end() const { return n_partitions > 0 ? head_end : plan.steps.size(); }

  // One batch of events or labels through the head's steps, then the watermark it brings.
  // False on a failure (recorded).
  bool head_handle(Envelope& e) {
    if (!head_steps(e)) return false;
    InputWatermark& w = input_wms[e.input];
    w.last_ns = steady_ns();
    if (w.makes && e.watermark > w.value) w.value = e.watermark;
    return update_watermark();
  }

  bool head_steps(Envelope& e) {
    const size_t chain_end = head_chain_end();
    if (e.kind == Envelope::Kind::kLabels) {
      if (plan.labels_step < head_end || n_partitions == 0) {
        if (!deliver_labels(0, *e.batch)) return false;
        // Rows the step made of them (a join's pairs) go on like its output.
        if (step(0, plan.labels_step).side_input_emits() && !e.batch->empty()) {
          if (!run_steps(0, plan.labels_step + 1, chain_end, *e.batch, e.origin)) return false;
          if (n_partitions > 0) {
            partition_out(std::move(e.batch), e.received_ns, e.origin, e.idle);
          } else {
            to_sink(std::move(e.batch), e.received_ns, 0, e.idle);
          }
        }
      } else {
        for (size_t p = 0; p < n_partitions; ++p) {
          auto copy = std::make_unique<Batch>(e.batch->shared_schema());
          copy->reserve(e.batch->size());
          for (size_t r = 0; r < e.batch->size(); ++r) copy->append_row(*e.batch, r);
          Envelope l;
          l.kind = Envelope::Kind::kLabels;
          l.batch = std::move(copy);
          worker_queues[p]->push(std::move(l));
        }
      }
    } else {
      if (!run_steps(0, 0, chain_end, *e.batch, e.origin)) return false;
      if (n_partitions > 0) {
        partition_out(std::move(e.batch), e.received_ns, e.origin, e.idle);
      } else {
        to_sink(std::move(e.batch), e.received_ns, 0, e.idle);
      }
    }
    publish(0);
    return true;
  }

  bool head_timers() {
    if (!timers(0, 0, head_chain_end())) return false;
    if (!update_watermark()) return false;
    publish(0);
    return true;
  }

  // End of every input (`drain`), or of a stop with a savepoint (the savepoint taken): with
  // `drain` the head's steps flush and, with checkpoints, a final checkpoint records the end;
  // then the end goes on.
  void head_finish(bool drain) {
    uint64_t epoch = 0;
    if (drain) {
      // The end of the input is the end of event time: every window fires (as Flink's final
      // Long.MAX_VALUE watermark).
      const bool any_watermarks = std::any_of(input_wms.begin(), input_wms.end(),
                                              [](const InputWatermark& w) { return w.makes; });
      if (any_watermarks && emitted_wm != INT64_MAX && !advance_watermark(INT64_MAX)) return;
      if (!finish_steps(0, 0, head_chain_end())) return;
      publish(0);
      if (checkpointing() && !failed()) {
        epoch = begin_checkpoint();
        std::map<std::string, std::string> parts;
        if (chained()) {
          parts[source_part_name(0)] = source_part(0);
        } else {
          std::lock_guard lock(ck_mu);
          for (size_t i = 0; i < input_wms.size(); ++i)
            parts[source_part_name(i)] = end_positions[i];
        }
        add_parts(epoch, std::move(parts), 0);
        snapshot_head(epoch, false);
        push_barrier_to_sink(epoch, 0, false);
      }
    }
    // The workers flush (unless stopping), then take their part of the final checkpoint.
    for (auto& q : worker_queues) {
      Envelope end;
      end.kind = Envelope::Kind::kEnd;
      end.epoch = epoch;
      end.stop = !drain;
      q->push(std::move(end));
    }
    Envelope end;
    end.kind = Envelope::Kind::kEnd;
    end.producer = 0;
    sink_queue->push(std::move(end));
  }

  // With one input, the head's steps run on the input thread (as Flink chains a source with the
  // operators after it): one hand-over less per batch, so less latency.
  bool chained() const { return !plan.labels.has_value(); }

  void head_thread() {
    const size_t n_inputs = plan.labels ? 2 : 1;
    size_t inputs_open = n_inputs;
    auto next_timer = Clock::now() + options.timer_interval;
    // A checkpoint being aligned (epoch != 0): the inputs whose barrier is in, and what they
    // brought after it, held back until every input's barrier is in. Then they are replayed
    // before anything newer, also while the next checkpoint aligns: they come before its
    // barriers.
    uint64_t align_epoch = 0;
    bool align_stop = false;
    bool stopping = false;  // a stopping savepoint is taken: nothing more is emitted
    std::vector<uint8_t> aligned(n_inputs, 0);
    std::deque<Envelope> held, replay;
    while (inputs_open > 0) {
      Envelope e;
      bool have = false;
      if (!replay.empty()) {
        e = std::move(replay.front());
        replay.pop_front();
        have = true;
      } else {
        const auto got = head_queue->pop(e, next_timer);
        if (got == BoundedQueue<Envelope>::Pop::kClosed) return;  // failed elsewhere
        have = got == BoundedQueue<Envelope>::Pop::kItem;
      }
      if (have) {
        if (align_epoch != 0 && aligned[e.input]) {
          held.push_back(std::move(e));
        } else if (e.kind == Envelope::Kind::kBarrier) {
          aligned[e.input] = 1;
        } else if (e.kind == Envelope::Kind::kEnd) {
          --inputs_open;
          input_wms[e.input].open = false;
          if (align_epoch != 0) {  // it ended before cutting: its position is its end
            std::lock_guard lock(ck_mu);
            ck_pending[align_epoch].parts[source_part_name(e.input)] = end_positions[e.input];
            aligned[e.input] = 1;
          }
          if (inputs_open > 0 && !update_watermark()) return;
        } else if (!head_handle(e)) {
          return;
        }
        if (align_epoch != 0 &&
            std::all_of(aligned.begin(), aligned.end(), [](uint8_t a) { return a; })) {
          head_checkpoint(align_epoch, align_stop);
          stopping = align_stop;
          align_epoch = 0;
          for (Envelope& h : held) replay.push_back(std::move(h));
          held.clear();
        }
      }
      sample_copy_fault(0);
      if (Clock::now() >= next_timer) {
        if (!stopping && !head_timers()) return;
        next_timer = Clock::now() + options.timer_interval;
      }
      if (checkpointing() && align_epoch == 0 && !stopping && checkpoint_due()) {
        align_stop = savepoint_requested.load();
        align_epoch = begin_checkpoint();
        std::fill(aligned.begin(), aligned.end(), 0);
        for (size_t i = 0; i < n_inputs; ++i) {
          if (input_wms[i].open) continue;
          std::lock_guard lock(ck_mu);
          ck_pending[align_epoch].parts[source_part_name(i)] = end_positions[i];
          aligned[i] = 1;
        }
        ck_request_stop = align_stop;
        ck_requested = align_epoch;
      }
    }
    head_finish(!stopping);
  }

  void worker_thread(size_t p) {
    const size_t c = 1 + p;
    const size_t chain_end = plan.steps.size();
    auto next_timer = Clock::now() + options.timer_interval;
    bool stopping = false;  // past a stopping savepoint's barrier: nothing more is emitted
    for (;;) {
      sample_copy_fault(c);
      Envelope e;
      const auto got = worker_queues[p]->pop(e, next_timer);
      if (got == BoundedQueue<Envelope>::Pop::kClosed) return;
      if (got == BoundedQueue<Envelope>::Pop::kItem) {
        if (e.kind == Envelope::Kind::kEnd) {
          if (!e.stop && !finish_steps(c, head_end, chain_end)) return;
          publish(c);
          if (e.epoch != 0) {  // the final checkpoint, after the flush
            snapshot_partition(p, e.epoch, false);
            push_barrier_to_sink(e.epoch, c, false);
          }
          Envelope end;
          end.kind = Envelope::Kind::kEnd;
          end.producer = c;
          sink_queue->push(std::move(end));
          return;
        }
        if (e.kind == Envelope::Kind::kBarrier) {
          snapshot_partition(p, e.epoch, !e.stop);
          push_barrier_to_sink(e.epoch, c, e.stop);
          stopping = stopping || e.stop;
          continue;
        }
        if (e.kind == Envelope::Kind::kWatermark) {
          if (!watermark_steps(c, head_end, chain_end, e.watermark)) return;
          publish(c);
          continue;
        }
        if (e.kind == Envelope::Kind::kLabels) {
          if (!deliver_labels(c, *e.batch)) return;
        } else {
          if (!run_steps(c, head_end, chain_end, *e.batch, e.origin)) return;
          to_sink(std::move(e.batch), e.received_ns, c, e.idle);
        }
        publish(c);
      }
      if (!stopping && Clock::now() >= next_timer) {
        if (!timers(c, head_end, chain_end)) return;
        publish(c);
        next_timer = Clock::now() + options.timer_interval;
      }
    }
  }

  // REQUIRES: sink_mu held. Writes a batch to the sinks of its stream. False on failure.
  bool write_envelope(const Envelope& e) {
    const int64_t w0 = steady_ns();
    for (io::Sink* s : sinks_of_stream[e.stream]) {
      if (const Status st = s->write(*e.batch); !st.ok()) {
        fail(Status(st.code(), fmt::format("{}: {}", s->describe(), st.message())));
        return false;
      }
    }
    sinks_dirty = true;
    {
      std::lock_guard lock(stats_mu);
      sink_ns += steady_ns() - w0;
      if (e.stream == 0) records_out += e.batch->size();
    }
    if (e.stream == 0) unflushed.emplace_back(e.received_ns, e.batch->size());
    return true;
  }

  // REQUIRES: sink_mu held. Flushes every sink; the rows written since the last flush have now
  // reached the OS, which is when their latency is taken.
  bool flush_sinks() {
    if (!sinks_dirty) return true;
    const int64_t f0 = steady_ns();
    for (auto& sinks : sinks_of_stream) {
      for (io::Sink* s : sinks) {
        if (const Status st = s->flush(); !st.ok()) {
          fail(Status(st.code(), fmt::format("{}: {}", s->describe(), st.message())));
          return false;
        }
      }
    }
    sinks_dirty = false;
    const int64_t now = steady_ns();
    std::lock_guard lock(stats_mu);
    sink_ns += now - f0;
    for (const auto& [received, rows] : unflushed) latency.add(now - received, rows);
    unflushed.clear();
    return true;
  }

  void sink_thread() {
    // Producers: the head (its output unpartitioned, and its steps' side outputs), and each
    // worker.
    const size_t producers = 1 + n_partitions;
    size_t open = producers;
    // Barrier alignment: the producers whose barrier for the checkpoint being aligned is in,
    // and per producer what it sent after its barrier, held back until the checkpoint is cut
    // (rows of the next checkpoint must not reach the sinks before this one's pre-commit).
    std::vector<uint8_t> at_barrier(producers, 0);
    size_t barriers = 0;
    std::vector<std::deque<Envelope>> held(producers);
    size_t held_total = 0;
    while (open > 0) {
      Envelope e;
      std::unique_lock lock(sink_mu, std::defer_lock);
      bool from_held = false;
      for (size_t p = 0; p < producers && !from_held; ++p) {
        if (at_barrier[p] || held[p].empty()) continue;
        lock.lock();
        e = std::move(held[p].front());
        held[p].pop_front();
        --held_total;
        from_held = true;
      }
      if (!from_held) {
        const auto got = sink_queue->wait(Clock::now() + std::chrono::milliseconds(50));
        if (got == BoundedQueue<Envelope>::Pop::kClosed) break;
        if (got == BoundedQueue<Envelope>::Pop::kTimeout) continue;
        lock.lock();
        if (sink_queue->pop(e, Clock::now()) != BoundedQueue<Envelope>::Pop::kItem) continue;
        if (at_barrier[e.producer] || !held[e.producer].empty()) {
          held[e.producer].push_back(std::move(e));
          ++held_total;
          sink_holding = true;
          continue;
        }
      }
      if (e.kind == Envelope::Kind::kEnd) {
        --open;
      } else if (e.kind == Envelope::Kind::kBarrier) {
        at_barrier[e.producer] = 1;
        if (++barriers == producers) {
          if (!cut_checkpoint(e.epoch, e.stop)) return;
          std::fill(at_barrier.begin(), at_barrier.end(), 0);
          barriers = 0;
        }
      } else {
        if (!write_envelope(e)) return;
        // Under load the sinks buffer; as soon as nothing more is waiting, what they hold goes
        // out.
        if (sink_queue->size() == 0 && held_total == 0 && !flush_sinks()) return;
      }
      sink_holding = barriers > 0 || held_total > 0;
    }
    if (checkpointing()) {  // checkpoints being stored commit before the sinks close
      std::unique_lock lock(ck_mu);
      ck_cv.wait(lock, [this] { return ck_writes.empty() && !ck_writing; });
    }
    std::lock_guard lock(sink_mu);
    if (!flush_sinks()) return;
    for (auto& sinks : sinks_of_stream) {
      for (io::Sink* s : sinks) {
        if (const Status st = s->close(); !st.ok()) {
          fail(Status(st.code(), fmt::format("{}: {}", s->describe(), st.message())));
        }
      }
    }
    if (plan.dead_letters) {
      std::lock_guard dead_lock(dead_mu);
      if (const Status st = plan.dead_letters->close(); !st.ok()) fail(st);
    }
  }

  EngineStats snapshot_stats() const {
    EngineStats st;
    std::lock_guard lock(stats_mu);
    st.records_in = records_in;
    st.labels_in = labels_in;
    st.labels_split = labels_split;
    if (plan.labels) st.second_input = plan.labels->name;
    st.watermark = watermark;
    st.read_ns = read_ns;
    st.decode_ns = decode_ns;
    st.sink_ns = sink_ns;
    st.records_out = records_out;
    st.batches = batches;
    st.latency = latency;
    st.dead_letters = decode_dead;
    st.checkpoints = ck_stats;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      StepStats s;
      s.name = plan.steps[i]->name();
      s.kind = std::string(plan.steps[i]->kind());
      const auto add = [&](size_t c, size_t k) {
        const stream::OperatorCounts& oc = published_counts[c][k];
        s.counts.in += oc.in;
        s.counts.out += oc.out;
        s.counts.filtered += oc.filtered;
        s.counts.dead += oc.dead;
        s.counts.added += oc.added;
        s.busy_ns += published_busy[c][k];
      };
      if (i < head_end) {
        add(0, i);
      } else {
        for (size_t p = 0; p < n_partitions; ++p) add(1 + p, i - head_end);
      }
      st.filtered += s.counts.filtered;
      st.dead_letters += s.counts.dead;
      st.added += s.counts.added;
      st.steps.push_back(std::move(s));
    }
    st.queue_depths.push_back(head_queue ? head_queue->size() : 0);
    for (const auto& q : worker_queues) st.queue_depths.push_back(q->size());
    st.queue_depths.push_back(sink_queue ? sink_queue->size() : 0);
    const int64_t end = finished_ns.load() != 0 ? finished_ns.load() : steady_ns();
    st.seconds = started_ns != 0 ? static_cast<double>(end - started_ns) / 1e9 : 0.0;
    return st;
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
std::string change_set_part(std::string_view step_part, size_t k) {
  return fmt::format("{}.delta-{}", step_part, k);
}

std::optional<size_t> change_set_number(std::string_view part) {
  constexpr std::string_view kMark = ".delta-";
  const size_t at = part.rfind(kMark);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view digits = part.substr(at + kMark.size());
  size_t k = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (ec != std::errc() || end != digits.data() + digits.size() || k == 0) return std::nullopt;
  return k;
}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::create(Plan plan, EngineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->plan = std::move(plan);
  impl->options = std::move(options);
  RIVULET_RETURN_IF_ERROR(impl->build());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::run() {
  Impl& m = *impl_;
  m.started_ns = steady_ns();
  std::thread writer;
  if (m.checkpointing()) {
    m.next_checkpoint = Clock::now() + m.options.checkpoints->interval;
    writer = std::thread([&m] { m.checkpoint_writer(); });
  }
  std::vector<std::thread> threads;
  threads.emplace_back([&m] { m.sink_thread(); });
  for (size_t p = 0; p < m.n_partitions; ++p) threads.emplace_back([&m, p] { m.worker_thread(p); });
  std::thread head;
  if (!m.chained()) head = std::thread([&m] { m.head_thread(); });
  std::thread input([&m] { m.source_thread(0); });
  std::thread labels;
  if (m.plan.labels) labels = std::thread([&m] { m.source_thread(1); });
  // Wait for the sink thread (the last to end), reporting stats meanwhile.
  std::atomic<bool> done{false};
  std::thread reporter;
  if (m.options.on_stats) {
    reporter = std::thread([&m, &done] {
      auto next = Clock::now() + m.options.stats_interval;
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (Clock::now() >= next && !done) {
          m.options.on_stats(m.snapshot_stats());
          next = Clock::now() + m.options.stats_interval;
        }
      }
    });
  }
  input.join();
  if (labels.joinable()) labels.join();
  if (head.joinable()) head.join();
  for (auto& t : threads) t.join();
  if (writer.joinable()) {
    {
      std::lock_guard lock(m.ck_mu);
      m.ck_writer_exit = true;
    }
    m.ck_cv.notify_all();
    writer.join();
  }
  m.finished_ns = steady_ns();
  done = true;
  if (reporter.joinable()) reporter.join();
  std::lock_guard lock(m.error_mu);
  return m.error;
}

Status Engine::restore(const checkpoint::Checkpoint& checkpoint) {
  return impl_->restore(checkpoint);
}

void Engine::cancel() {
  if (impl_->checkpointing()) {
    stop_with_savepoint();
  } else {
    impl_->stop_sources();
  }
}

void Engine::stop_with_savepoint() {
  if (!impl_->checkpointing()) {
    impl_->stop_sources();
    return;
  }
  impl_->savepoint_requested = true;
}

EngineStats Engine::stats() const { return impl_->snapshot_stats(); }

std::vector<stream::DeadLetter> Engine::kept_dead_letters() const {
  std::lock_guard lock(impl_->dead_mu);
  return impl_->kept_dead;
}

const stream::SchemaPtr& Engine::output_schema() const { return impl_->output_schema; }

}  // namespace rivulet::pipeline
