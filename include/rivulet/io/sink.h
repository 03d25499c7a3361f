#pragma once
/// Sinks of `rivulet run`: where result rows go. Kinds (pipeline files, docs/pipelines.md):
/// `console` (stdout, append mode as Spark's console sink: one line per row, JSON or CSV, or a
/// table), `file` (JSON Lines or CSV; `rolling_size` rolls to a new part file past a size, as
/// Flink's FileSink parts: `name-0.jsonl`, `name-1.jsonl`, ...), `socket` (connect to host:port
/// and write lines; reconnects with backoff), and the dead-letter sink (a file of JSON objects:
/// the stage, the reason, the origin and the record).
///
/// A sink writes off the worker threads (the engine gives it its own thread).
/// Thread safety: one thread at a time.

#include <memory>
#include <string>

#include "rivulet/core/status.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/operator.h"

namespace rivulet::io {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string describe() const = 0;
  /// Called once before any write: the schema of the rows to come.
  virtual Status open(stream::SchemaPtr schema) = 0;
  /// Writes the rows of `batch` (of the opened schema).
  virtual Status write(const stream::Batch& batch) = 0;
  /// Pushes buffered output out (the engine calls it when its input runs dry and at the end).
  virtual Status flush() = 0;
  /// Flushes and closes; no write after.
  virtual Status close() = 0;

  // Exactly-once output (two-phase commit, as Flink's TwoPhaseCommitSinkFunction). A sink that
  // does not override these is at-least-once: its rows are visible once flushed.

  /// First phase, when checkpoint `id` cuts the stream: the rows written since the previous
  /// checkpoint are made durable but not yet visible. Returns what the checkpoint must keep to
  /// finish or undo them after a crash. Default: flush; nothing to keep.
  virtual Result<std::string> pre_commit(uint64_t id) {
    (void)id;
    RIVULET_RETURN_IF_ERROR(flush());
    return std::string();
  }
  /// Second phase, once checkpoint `id` is durable: its rows (and any earlier checkpoint's not
  /// yet committed) become visible. Default: nothing.
  virtual Status commit(uint64_t id) {
    (void)id;
    return {};
  }
  /// Before any write, when a run resumes from a checkpoint whose pre_commit returned `state`:
  /// that checkpoint's rows are made visible (again: idempotent) and everything written after
  /// it is discarded. Errors: the state does not match what is on disk. Default: nothing.
  virtual Status recover(const std::string& state) {
    (void)state;
    return {};
  }
};

/// The dead-letter sink: one JSON object per line,
/// `{"stage": ..., "reason": ..., "origin": ..., "event_time": ..., "record": ...}` where the record
/// is embedded as JSON when it is a JSON object, else as a string.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual Status write(const stream::DeadLetter& letter) = 0;
  virtual Status flush() = 0;
  virtual Status close() = 0;
};

}  // namespace rivulet::io
