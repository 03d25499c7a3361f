#pragma once
/// Sources of raw records for `rivulet run`: each record is one line of text (a JSON object, a
/// CSV row, a plain text line) with where it came from. Decoding (io/codec.h) turns lines into
/// typed rows. Kinds (pipeline files, docs/pipelines.md): `file` (JSON Lines, CSV, text; gzip by
/// extension; `follow: true` tails a growing file as `tail -F` does; a directory reads its files
/// in name order and, when following, picks up new ones), `stdin`, `socket` (Spark's socket
/// source: connect to host:port and read lines; `listen: true` accepts producers instead, each
/// connection's lines interleaved by line), `generator` (rivulet gen's kinds, at a rate).
///
/// A source reads off the worker threads (the engine gives it its own thread); `read` waits at
/// most `wait` for the first line, so that the engine can cut batches on time and stop
/// promptly. Positions (file, byte offset, line) are reported for checkpoints.
/// Thread safety: `read` from one thread; `cancel` from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"

namespace rivulet::io {

/// Lines read by a source, back to back in one buffer (no allocation per line in steady state).
class RawLines {
 public:
  void clear() {
    data_.clear();
    ends_.clear();
    lines_.clear();
    origins_.clear();
  }
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  /// Line i without its line terminator ("\n" or "\r\n").
  std::string_view line(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(data_).substr(begin, ends_[i] - begin);
  }
  /// 1-based line number of line i in its origin (0 when the origin has no lines, a socket).
  uint64_t line_number(size_t i) const { return lines_[i]; }
  /// Where line i came from: a file path, "stdin", "tcp://host:port", a peer's address.
  const std::string& origin(size_t i) const { return origins_[origin_of(i)]; }
  /// Appends a line (without its terminator).
  void add(std::string_view text, uint64_t line_number, std::string_view origin) {
    data_.append(text);
    ends_.push_back(data_.size());
    lines_.push_back(line_number);
    if (origins_.empty() || origins_.back() != origin) {
      origins_.emplace_back(origin);
      origin_starts_.resize(origins_.size());
      origin_starts_.back() = ends_.size() - 1;
    }
  }
  /// Bytes held (for batch cutting by size).
  size_t bytes() const { return data_.size(); }

 private:
  size_t origin_of(size_t i) const {
    size_t o = origins_.size() - 1;
    while (o > 0 && origin_starts_[o] > i) --o;
    return o;
  }
  std::string data_;
  std::vector<size_t> ends_;
  std::vector<uint64_t> lines_;
  std::vector<std::string> origins_;
  std::vector<size_t> origin_starts_;
};

/// What a read brought.
enum class ReadStatus : uint8_t {
  kData,       ///< lines were appended (maybe fewer than asked)
  kTimeout,    ///< nothing arrived within the wait; more may come
  kEnd,        ///< the source is exhausted (end of file without follow, peer closed, count reached)
};

class Source {
 public:
  virtual ~Source() = default;
  /// "file payments.jsonl", "socket localhost:9999", ... for messages and --stats.
  virtual std::string describe() const = 0;
  /// Appends up to `max_lines` lines to `out`, waiting at most `wait` for the first one. A line
  /// longer than the source's max_line_bytes is not appended: it is reported through
  /// `oversized` (its origin and line number) and skipped. Errors: I/O failures that end the
  /// source (a file that vanished, a connection refused after the retries).
  virtual Result<ReadStatus> read(RawLines& out, size_t max_lines, std::chrono::milliseconds wait) = 0;
  /// Makes a blocked or later `read` return kEnd promptly (SIGINT). Callable from any thread.
  virtual void cancel() = 0;
  /// The position after the last line returned, for checkpoints.
  virtual void save_position(StateWriter& out) const = 0;
  /// Resumes after a saved position. Sources that cannot (a socket) return an error.
  virtual Status restore_position(StateReader& in) = 0;
  /// Whether restore_position can go back to a saved position (files, seeded generators). A
  /// source that cannot (a socket, stdin) loses, after a crash, what it delivered since the
  /// last checkpoint: the engine then resumes it where it stands.
  virtual bool replayable() const { return true; }
  /// Lines skipped because they were longer than the limit (each also reported as dead letter by
  /// the engine through `take_oversized`).
  struct Oversized {
    std::string origin;
    uint64_t line = 0;
    uint64_t bytes = 0;
  };
  /// The oversized lines met since the last call.
  virtual std::vector<Oversized> take_oversized() { return {}; }
};

}  // namespace rivulet::io
