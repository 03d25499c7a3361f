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
