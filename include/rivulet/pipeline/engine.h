#pragma once
/// The engine of `rivulet run`: runs a pipeline plan (an input source and its decoder, an
/// optional labels source, a chain of steps, sinks) on threads connected by bounded queues.
///
///   source thread(s)  read lines, cut batches by size or by delay, decode   ─┐ bounded queue
///   head thread       the steps up to the key_by, in source order           ─┤ (backpressure)
///                     (with one input, chained into the input thread, as Flink chains a
///                     source with the operators after it: one hand-over less per batch)
///   N worker threads  the steps after the key_by, one partition of keys each ┤
///   sink thread       encodes and writes every stream to its sinks          ─┘
///
/// - Batches are cut at `batch_size` records, when the source has no more records ready (after
///   `linger`), or `batch_delay` after their first record arrived, whichever comes first: under
///   load batches fill up; when events trickle in, each goes on at once.
/// - With a key_by step and `parallelism` N > 1, rows are partitioned by the hash of their key;
///   each partition's steps are clones that see all of their keys' records, in source order. The
///   output per key does not depend on N or on the batch size (tested); steps that need every
///   record in order (a global learner) must come before the key_by, where they run on one
///   thread. With N = 1, the steps after the key_by run on the head thread.
/// - A labels source feeds the step `labels_step` (its second input); or the labels are rows of
///   the input itself, split off by a predicate (`labels_where`) in stream order. With
///   partitions, label batches go to every partition, where the learner that holds the
///   prediction takes them.
/// - Counts reconcile: records in + added = out + filtered + dead-lettered (`EngineStats`).
/// - Timers: every `timer_interval` each thread gives its steps `on_timer` (label expiry,
///   periodic metrics); at the end of the input, `finish` flushes what steps hold.
/// - Watermarks: an input with `watermarks` advances its watermark with the event times of its
///   batches; the pipeline's watermark is the minimum over the inputs that make watermarks and
///   are not idle, never going back. Each advance reaches every step (`on_watermark`), in order
///   with the records: the head's steps, then each partition's. At the end of the input the
///   watermark goes to the end of time, so that every window fires.
/// - `cancel()` (SIGINT) stops the sources; what has been read still flows through the steps and
///   is written, then the sinks are flushed and closed.
/// - Checkpoints (`EngineOptions::checkpoints`; docs/checkpoints.md): every `interval` the
///   thread that reads the input (with a second input, the head thread) records the sources'
///   positions, snapshots the head's steps and sends a barrier down every queue, as Flink's
///   asynchronous barrier snapshots. Each worker snapshots its partition's steps when the
///   barrier reaches it, in order with its records; the sink thread aligns the barriers of all
///   its producers (holding the rows of a producer past its barrier), pre-commits the sinks
///   (two-phase commit), and hands the checkpoint to a writer thread, which stores it
///   (checkpoint/store.h) and then commits the sinks. Processing pauses only for the snapshots
///   themselves (reported as the pause). At the end of the input a final checkpoint is taken
///   after the steps have flushed; `stop_with_savepoint()` takes one at the current cut and
///   stops without flushing windows, so that a later run resumes exactly there.
/// Thread safety: `run` once, from one thread; `cancel`, `stop_with_savepoint` and `stats` from
/// any thread; `restore` before `run`.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/checkpoint/forked_snapshot.h"
#include "rivulet/checkpoint/store.h"
#include "rivulet/core/status.h"
#include "rivulet/io/codec.h"
#include "rivulet/io/sink.h"
#include "rivulet/io/source.h"
#include "rivulet/stream/expression.h"
#include "rivulet/stream/operator.h"

namespace rivulet::pipeline {

/// Event-to-output latency: log-linear buckets (16 per power of two) over nanoseconds, so that
/// quantiles are within about 6%.
class LatencyHistogram {
 public:
  void add(int64_t ns, uint64_t count = 1);
  void merge(const LatencyHistogram& other);
  uint64_t count() const { return count_; }
  /// The q-quantile (q in [0, 1]) in nanoseconds: the upper edge of its bucket; 0 when empty.
  int64_t quantile(double q) const;
  int64_t max() const { return max_; }

 private:
  static constexpr int kSub = 16;
  static size_t bucket(int64_t ns);
  static int64_t upper_edge(size_t bucket);
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

/// One step's counts and time, summed over its partitions.
struct StepStats {
  std::string name;
  std::string kind;
  stream::OperatorCounts counts;
  int64_t busy_ns = 0;  ///< time spent in process(), all partitions
};

/// Checkpoints taken by a run.
struct CheckpointStats {
  uint64_t completed = 0;     ///< stored and committed
  uint64_t failed = 0;        ///< could not be stored (the run goes on while tolerable)
  uint64_t last_id = 0;       ///< the store's id of the last completed checkpoint
  uint64_t last_bytes = 0;    ///< its parts' bytes
  int64_t last_duration_ns = 0;  ///< from its trigger to its commit
  /// Time the pipeline's threads spent taking snapshots for periodic checkpoints (the
  /// synchronous part, during which a thread processes nothing): the last periodic
  /// checkpoint's longest one, and the longest of the run. A savepoint's and the final
  /// checkpoint's are not counted: processing is over when they are taken.
  int64_t last_pause_ns = 0;
  int64_t max_pause_ns = 0;
  /// The periodic checkpoints' pauses (each its longest thread's), summed: the time the run
  /// lost to snapshots in place and to fork(2) itself.
  int64_t total_pause_ns = 0;
  /// About the time the steps' threads spent after forks in page faults: copies of pages a
  /// child still shared (priced by CopyFaultProbe) and pages made writable again, counted
  /// from their fault counts beyond the usual (estimated at each snapshot after a fork, the
  /// last one's interval not included; partitions' threads summed).
  int64_t fault_ns = 0;
  /// Pages the checkpoint writer made writable again after forked snapshots (so that the
  /// steps' threads do not fault on them), and the time it took.
  uint64_t pages_made_writable = 0;
  int64_t make_writable_ns = 0;
  std::string last_error;     ///< why the last failed checkpoint failed
  /// Why snapshots were taken in the pipeline's threads although `async` is on (the first
  /// fork that failed; every later snapshot then is); empty: none was.
  std::string sync_reason;
  /// Snapshots (one a thread a checkpoint) that a forked child serialized (CheckpointOptions::async).
  uint64_t forked = 0;
  uint64_t restored_from = 0; ///< the checkpoint this run resumed from (0: a fresh start)
  uint64_t savepoint = 0;     ///< the savepoint the run stopped with (0: none)
};

struct EngineStats {
  uint64_t records_in = 0;  ///< lines read from the input source (labels not included)
  uint64_t labels_in = 0;   ///< lines read from the second source (labels, or a join's right)
  std::string second_input = "labels";  ///< the second source's name in the report
  uint64_t labels_split = 0; ///< input rows taken out as labels (labels_where)
  uint64_t added = 0;       ///< rows created by steps (flat_map)
  uint64_t records_out = 0; ///< rows that reached the end of the steps
  uint64_t filtered = 0;    ///< rows dropped on purpose by steps
  uint64_t dead_letters = 0; ///< records sent to the dead letters (decode and steps)
  uint64_t batches = 0;      ///< input batches cut
  int64_t read_ns = 0;       ///< time the input thread spent reading lines (waits included)
  int64_t decode_ns = 0;     ///< time the input thread spent decoding
  int64_t sink_ns = 0;       ///< time the sink thread spent encoding and writing
  std::vector<StepStats> steps;
  std::vector<size_t> queue_depths;  ///< head queue, then each worker's, then the sink's
  /// From the receipt of a batch's first line to its rows flushed by the sinks (written to the
  /// OS): the sinks buffer under load and flush as soon as nothing more is waiting.
  LatencyHistogram latency;
  double seconds = 0.0;              ///< since run() started
  int64_t watermark = INT64_MIN;     ///< the pipeline's event-time watermark (epoch ms)
  CheckpointStats checkpoints;
  bool reconciles() const {
    return records_in + added == records_out + filtered + dead_letters + labels_split;
  }
  /// A multi-line summary: counts, per-step throughput, queue depths, latency quantiles.
  std::string to_string() const;
};

/// Event-time watermarks of an input, as Flink's WatermarkStrategy.forBoundedOutOfOrderness
/// with idleness: the watermark trails the largest event time seen by `max_out_of_orderness_ms`;
/// an input that brings nothing for `idleness_ms` stops holding the pipeline's watermark back.
struct WatermarkOptions {
  int64_t max_out_of_orderness_ms = 0;  ///< REQUIRES: >= 0.
  int64_t idleness_ms = 0;              ///< 0: an input is never considered idle.
  /// Processing time (Flink's PROCTIME()): the watermark is the wall clock less
  /// max_out_of_orderness_ms and moves on every timer tick, records or not, so that windows
  /// close on time on a quiet input. Records without an event-time field have their arrival
  /// time.
  bool processing_time = false;
};

/// An input: a source of lines and the decoder into its schema.
struct InputPlan {
  std::string name;
  std::unique_ptr<io::Source> source;
  std::unique_ptr<io::Decoder> decoder;
  stream::SchemaPtr schema;
  /// Event-time watermarks from this input's records' event times. None: this input makes
  /// none (and the pipeline has none unless another input makes them).
  std::optional<WatermarkOptions> watermarks;
};

/// A sink and the stream it writes: "output" (the rows after the last step) or a side output
/// by its name (`declare_side_output`'s name, e.g. "metrics", "drift").
struct SinkPlan {
  std::string stream = "output";
  std::unique_ptr<io::Sink> sink;
};

struct Plan {
  InputPlan input;
  /// Labels from a source of their own...
  std::optional<InputPlan> labels;
  /// ...or from the input itself: the rows for which this predicate is TRUE (e.g.
  /// "type = 'label'") are taken out of the input and go to `labels_step` as labels, in stream
  /// order with the events (so results do not depend on the batch size). Empty: none. Errors in
  /// it name `labels_where_pos`.
  std::string labels_where;
  stream::SourcePos labels_where_pos;
  size_t labels_step = 0;  ///< the step that takes the labels (REQUIRES: labels => < steps.size())
  std::vector<std::unique_ptr<stream::Operator>> steps;
  std::vector<SinkPlan> sinks;
  /// Null: dead letters are counted, and the first few are kept for the final report.
  std::unique_ptr<io::DeadLetterSink> dead_letters;
};

/// Periodic checkpoints (the pipeline file's `checkpoint:`), as Flink's
/// execution.checkpointing.* options.
/// Incremental checkpoints' part names: a step's k-th change set after its snapshot in part
/// `step_part` is stored as "<step_part>.delta-<k>" (k from 1).
std::string change_set_part(std::string_view step_part, size_t k);
/// k for such a part's name, or none for any other part.
std::optional<size_t> change_set_number(std::string_view part);

struct CheckpointOptions {
  std::string dir;  ///< the checkpoint store's directory. REQUIRES: not empty.
  /// Between two checkpoints' triggers; 0: none periodic (only the final one and savepoints).
  std::chrono::milliseconds interval{10000};
  size_t retain = 3;  ///< completed checkpoints kept. REQUIRES: >= 1.
  /// Checkpoints that may fail in a row (a full disk) before the run stops with the error
  /// (Flink's tolerable-failed-checkpoints). Processing goes on meanwhile; the sinks commit
  /// the failed checkpoints' output with the next one that completes.
  uint64_t tolerable_failures = 0;
  /// Asynchronous snapshots (Flink's state.backend.async). At a barrier, the steps whose state
  /// copies on write (Operator::snapshot_async: `over`, the learner steps) freeze it, and a
  /// thread writes it after the pause; for the others, the thread at the barrier forks, and a
  /// copy-on-write child of the process serializes their state while the thread goes on
  /// (checkpoint/forked_snapshot.h), so the pause is fork(2)'s (or, see async_adaptive, they
  /// serialize in the pause). false: the thread serializes its steps itself and processes
  /// nothing meanwhile.
  bool async = true;
  /// With `async`, a thread forks only when that cost it less than serializing in place did:
  /// its last fork's pause plus the page faults it took until its next snapshot beyond its
  /// usual rate (the copy-on-write, priced by measurement), against its last serialization
  /// (timed in place, or by the child); or when a pause in place would pass 50 ms. A thread's
  /// first snapshot in a run forks, which measures both; but a thread whose stateful steps all
  /// freeze their state (their pause is the freezes) starts in place, and tries a fork only
  /// once its pause passes 50 ms. false: every one forks.
  bool async_adaptive = true;
  /// The CPUs the process may use, for that choice; 0: ForkedSnapshot::cpus_available() (the
  /// affinity mask and the cgroup's CPU quota). With one, a child takes its serialization's
  /// time from the CPU the pipeline runs on: a fork is priced with it, and the 50 ms bound does
  /// not apply (the child would delay the records as much as the pause).
  size_t cpus = 0;
  /// Incremental checkpoints (Flink's execution.checkpointing.incremental): the steps that
  /// support them (windows: stream::Operator::incremental) save only what changed since the
  /// checkpoint before, as a change set; the unchanged earlier files of their state are hard
  /// links to the checkpoint before's, so each checkpoint directory still loads on its own.
  /// Recovery restores a step's last full snapshot, then applies its change sets in order.
  /// Every `full_every`-th checkpoint of a chain is full again (bounding the files a recovery
  /// reads), as are savepoints, the first checkpoint of a run, and the one after a failure.
  bool incremental = false;
  size_t full_every = 10;  ///< REQUIRES: >= 1 (1: every checkpoint full).
  /// What forks a snapshot's child; null: checkpoint::ForkedSnapshot::start (tests replace it).
  std::function<Result<checkpoint::ForkedSnapshot>(std::vector<checkpoint::ForkedSnapshot::Part>)>
      fork;
  std::string pipeline_name;  ///< recorded in each checkpoint's meta
  checkpoint::Env* env = nullptr;  ///< null: the process's file system
};

struct EngineOptions {
  size_t batch_size = 1024;                               ///< REQUIRES: > 0.
  std::chrono::microseconds batch_delay{1000};            ///< REQUIRES: > 0.
  /// How long a batch being filled waits for more records once the source has none ready
  /// (Kafka's linger.ms); 0: cut at once. Never past batch_delay.
  std::chrono::milliseconds linger{0};
  size_t parallelism = 1;                                 ///< REQUIRES: in [1, 256].
  size_t queue_capacity = 16;                             ///< batches per queue. REQUIRES: > 0.
  std::chrono::milliseconds timer_interval{100};
  std::optional<uint64_t> limit;                          ///< stop after this many input records
  /// Called with the stats every `stats_interval` while running (--stats); null: never.
  std::function<void(const EngineStats&)> on_stats;
  std::chrono::milliseconds stats_interval{1000};
  /// Processing-time clock, epoch ms (tests replace it).
  std::function<int64_t()> clock;
  /// None: no checkpoints.
  std::optional<CheckpointOptions> checkpoints;
};

class Engine {
 public:
  /// Opens every step with its input schema (errors name the step), resolves the key_by and the
  /// side outputs, checks the sinks' streams. Nothing runs yet.
  static Result<std::unique_ptr<Engine>> create(Plan plan, EngineOptions options);
  ~Engine();

  /// Runs until the input ends (and the labels input, if any) or cancel(); then flushes and
  /// closes the sinks. Returns the first error of any thread (an I/O failure, a step failure).
  Status run();
  /// Resumes from `checkpoint` (taken by a run of the same pipeline): the sources seek to their
  /// recorded positions (a source that cannot replay, a socket, starts where it is, as
  /// `io::Source::replayable` says), each step gets its state back, the watermark resumes, and
  /// the sinks finish or undo that checkpoint's output (`io::Sink::recover`). A sink that is
  /// not the one recorded (a changed sink) starts fresh. Errors name the step or part at fault:
  /// steps added, removed or reordered; a changed parallelism when steps after the key_by hold
  /// state. REQUIRES: before run().
  Status restore(const checkpoint::Checkpoint& checkpoint);
  /// Stops the sources; run() then drains and returns. Callable from any thread. With
  /// checkpoints, the same as stop_with_savepoint().
  void cancel();
  /// Takes a checkpoint at the current cut and stops, without flushing what steps hold (open
  /// windows stay in the checkpoint), as Flink's stop-with-savepoint. Without checkpoints, the
  /// same as cancel(). Callable from any thread.
  void stop_with_savepoint();
  /// A snapshot of the counts (any thread, also while running).
  EngineStats stats() const;
  /// Dead letters kept when the plan has no dead-letter sink (the first 100).
  std::vector<stream::DeadLetter> kept_dead_letters() const;
  /// The schema of the rows of stream "output".
  const stream::SchemaPtr& output_schema() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivulet::pipeline
