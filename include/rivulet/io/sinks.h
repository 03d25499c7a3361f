#pragma once
/// The sink kinds of `rivulet run` (pipeline files: `sink: {kind: console, ...}`), each a plain
/// Options struct with defaults and a `create` that validates it and names the bad option; and
/// the dead-letter file. Sinks buffer what they write and push it out on flush() (the engine
/// flushes when its input runs dry, so a quiet stream still shows its last rows at once).
/// Thread safety: as io::Sink, one thread at a time.
/// ```cpp example
/// std::FILE* out = std::tmpfile();
/// auto sink = rivulet::io::ConsoleSink::create({.file = out}).value();
/// auto schema = std::make_shared<const rivulet::Schema>(
///     *rivulet::Schema::create({{"id", rivulet::Type::kInt}, {"label", rivulet::Type::kString}}));
/// ASSERT_TRUE(sink->open(schema).ok());
/// rivulet::stream::Batch batch(schema);
/// const size_t r = batch.add_row();
/// batch.set(r, 0, rivulet::Value::of_int(7));
/// batch.set_string(r, 1, "fraud");
/// ASSERT_TRUE(sink->write(batch).ok());
/// ASSERT_TRUE(sink->close().ok());
/// std::rewind(out);
/// char text[64] = {0};
/// EXPECT_EQ(std::fread(text, 1, sizeof text - 1, out), 28u);
/// EXPECT_STREQ(text, "{\"id\": 7, \"label\": \"fraud\"}\n");
/// std::fclose(out);
/// ```

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "rivulet/checkpoint/store.h"
#include "rivulet/core/status.h"
#include "rivulet/io/codec.h"
#include "rivulet/io/sink.h"

namespace rivulet::io {

/// `console`: rows as lines on the standard output (append mode, as Spark's console sink):
/// JSON Lines (as stream::row_to_json writes a row) or CSV with a header line first.
class ConsoleSink {
 public:
  struct Options {
    Encoding format = Encoding::kJson;  ///< json, csv or text (text: rows of one field).
    std::FILE* file = nullptr;          ///< Where to write; nullptr: stdout.
    char csv_delimiter = ',';           ///< CSV: the separator. REQUIRES: not '"', CR, LF.
  };
  static Result<std::unique_ptr<Sink>> create(Options options);
  ConsoleSink() = delete;
};

/// `file`: rows into a file as JSON Lines or CSV (a header line first). With `rolling_size` the
/// output is cut into parts as Flink's FileSink does: `out.jsonl` becomes `out-0.jsonl`,
/// `out-1.jsonl`, ...; a new part starts before the first row that comes when the current part
/// holds rolling_size bytes or more (a part is never cut inside a row; each CSV part has its
/// header). Errors: the file cannot be created or written (disk full).
class FileSink {
 public:
  struct Options {
    std::string path;                   ///< Output file. REQUIRES: set; its directory exists.
    Encoding format = Encoding::kJson;  ///< json, csv or text.
    uint64_t rolling_size = 0;          ///< Bytes per part file; 0: one file, no rolling.
    bool append = false;       ///< Append to an existing file (rolling: start after the last part).
    char csv_delimiter = ',';  ///< CSV: the separator. REQUIRES: not '"', CR, LF.
    /// Exactly-once (two-phase commit, as Flink's FileSink): rows go to a hidden in-progress
    /// part (`.out-0.jsonl.inprogress`); pre_commit(id) fsyncs it and renames it pending
    /// (`.out-0.jsonl.pending`); commit(id) renames the pending parts to their final names
    /// (`out-0.jsonl`, `out-1.jsonl`, ...: a new part per checkpoint that had rows, and per
    /// `rolling_size`); recover() finishes a checkpoint's commit and deletes what came after it.
    /// close() at the end of the input commits what is left. A sink that does not recover (a
    /// first run, a run started afresh) numbers its parts after the committed parts already
    /// there, never over them. REQUIRES: not with append.
    bool exactly_once = false;
    /// Exactly-once: the file system for renames and directory fsyncs (tests inject faults
    /// through it). Null: the process's.
    checkpoint::Env* env = nullptr;
  };
  static Result<std::unique_ptr<Sink>> create(Options options);
  /// The path of part `index` of `path` ("out.jsonl", 2 -> "out-2.jsonl").
  static std::string part_path(const std::string& path, uint64_t index);
  FileSink() = delete;
};

/// `socket`: connects to host:port (a consumer listening there, as `nc -lk 9999`) and writes
/// lines. The connection is made in open(), retried with backoff (100 ms doubling up to 1 s)
/// for connect_timeout_ms; a connection lost while writing is made again up to
/// `reconnect_attempts` times, resending from the first line not fully sent, then write/flush
/// fail with an error naming host:port (never SIGPIPE: sends use MSG_NOSIGNAL). CSV output sends
/// its header on every new connection.
class SocketSink {
 public:
  struct Options {
    std::string host = "127.0.0.1";      ///< REQUIRES: set.
    int port = -1;                       ///< REQUIRES: 1..65535.
    Encoding format = Encoding::kJson;   ///< json, csv or text.
    int64_t connect_timeout_ms = 10000;  ///< First connection: give up after. REQUIRES: > 0.
    int reconnect_attempts = 5;          ///< After a lost connection. REQUIRES: >= 0.
    char csv_delimiter = ',';            ///< CSV: the separator. REQUIRES: not '"', CR, LF.
  };
  static Result<std::unique_ptr<Sink>> create(Options options);
  SocketSink() = delete;
};

/// The dead-letter file: one JSON object per line,
/// `{"stage": "decode", "reason": "...", "origin": "in.jsonl:3", "event_time": null,
/// "record": {...}}`; the record is embedded as JSON when it is a valid JSON object, else as a
/// string; event_time is null when the record has none.
class FileDeadLetterSink {
 public:
  struct Options {
    std::string path;     ///< REQUIRES: set; its directory exists.
    bool append = false;  ///< Append to an existing file instead of replacing it.
  };
  static Result<std::unique_ptr<DeadLetterSink>> create(Options options);
  /// Appends the JSON line of `letter` (with its "\n") to `out`.
  static void append_json(const stream::DeadLetter& letter, std::string& out);
  FileDeadLetterSink() = delete;
};

}  // namespace rivulet::io
