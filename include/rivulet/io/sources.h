#pragma once
/// The source kinds of `rivulet run` (pipeline files: `source: {kind: file, ...}`), each a plain
/// Options struct with defaults and a `create` that validates it and names the bad option.
/// Every source reads lines (io/source.h): `read` waits with poll on its descriptors and returns
/// promptly on `cancel()` from another thread.
///
/// - `file`: a file or a directory of files, JSON Lines, CSV or text, gzip by `.gz` extension;
///   `follow` tails it as `tail -F` does. Replayable: the position is the file, the byte offset
///   and the line number after the last line returned.
/// - `stdin`: lines of the standard input. Not replayable.
/// - `socket`: Spark's socket source (connect to host:port and read lines), or with `listen`
///   a listener that accepts any number of producers. Not replayable.
/// - `generator`: rivulet gen's kinds at a rate. Replayable (its state and count).
/// Thread safety: as io::Source.
/// ```cpp example
/// auto source = rivulet::io::GeneratorSource::create(
///     {.kind = "sea(variant=0)", .count = 2, .seed = 42}).value();
/// rivulet::io::RawLines lines;
/// auto got = source->read(lines, 10, std::chrono::milliseconds(100));
/// ASSERT_TRUE(got.ok());
/// EXPECT_EQ(*got, rivulet::io::ReadStatus::kData);
/// EXPECT_EQ(lines.size(), 2u);
/// EXPECT_EQ(lines.line(0), "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,"
///                          "\"x2\":2.7502931836911926,\"y\":false}");
/// EXPECT_EQ(lines.origin(0), "generator:sea");
/// EXPECT_EQ(*source->read(lines, 10, std::chrono::milliseconds(100)),
///           rivulet::io::ReadStatus::kEnd);
/// ```

#include <cstdint>
#include <memory>
#include <string>

#include "rivulet/core/status.h"
#include "rivulet/io/source.h"

namespace rivulet::io {

/// The longest line a source accepts by default (1 MiB).
inline constexpr uint64_t kDefaultMaxLineBytes = uint64_t{1} << 20;

/// `file`: reads a file, or the regular files of a directory in name order (hidden files, whose
/// name starts with '.', are skipped). A `.gz` file is decompressed. A UTF-8 byte-order mark at
/// the start of a file is dropped. Without `follow` the source ends after the last file; a last
/// line without "\n" is still a line. With `follow` it never ends: it tails the file as
/// `tail -F` does (a truncated file is read again from its start; a file replaced under the same
/// path, as log rotation does, is read to its end, then the new file from its start; an
/// unterminated last line waits for its "\n"); a followed directory picks up new files (in name
/// order), the newest file being tailed until a newer one appears.
/// Origins are the file paths; line numbers are 1-based per file.
class FileSource {
 public:
  struct Options {
    std::string path;                ///< File or directory. REQUIRES: exists.
    bool follow = false;             ///< Keep reading what is appended (tail -F), new files.
    int64_t poll_interval_ms = 100;  ///< Follow: how often to look for new data. REQUIRES: > 0.
    /// Longer lines are skipped and reported through take_oversized. REQUIRES: > 0.
    uint64_t max_line_bytes = kDefaultMaxLineBytes;
  };
  /// Errors: kInvalidArgument naming the bad option; kNotFound when `path` does not exist.
  static Result<std::unique_ptr<Source>> create(Options options);
  FileSource() = delete;
};

/// `stdin`: the lines of the standard input (or of another descriptor, for tests), until its
/// end. Origin "stdin"; line numbers are 1-based. Not replayable: restore_position fails.
class StdinSource {
 public:
  struct Options {
    int fd = 0;  ///< The descriptor to read (0: standard input). REQUIRES: >= 0.
    uint64_t max_line_bytes = kDefaultMaxLineBytes;  ///< REQUIRES: > 0.
  };
  static Result<std::unique_ptr<Source>> create(Options options);
  StdinSource() = delete;
};

/// `socket`: TCP lines. By default it connects to host:port as Spark's socket source does, and
/// reconnects when the connection is lost (backoff from 100 ms doubling up to 1 s); the source
/// ends when the producer cannot be reached again within connect_timeout_ms (or at once, after
/// the producer closes, when `reconnect` is false). The first connection is retried for
/// connect_timeout_ms, then read() fails with an error naming host:port. With `listen` it binds
/// host:port and accepts any number of producers; lines of several connections interleave,
/// whole lines only; a listening source never ends (cancel() stops it).
/// Origins: "tcp://host:port" when connecting, the producer's "tcp://ip:port" when listening;
/// line numbers are 0. Not replayable: restore_position fails.
class SocketSource {
 public:
  struct Options {
    std::string host = "127.0.0.1";  ///< Host to connect to, or address to bind. REQUIRES: set.
    int port = -1;                   ///< REQUIRES: 0..65535 (0 only with listen: any free port).
    bool listen = false;             ///< Accept producers instead of connecting.
    bool reconnect = true;           ///< Connect mode: reconnect when the connection is lost.
    int64_t connect_timeout_ms = 10000;  ///< Connect mode: give up after. REQUIRES: > 0.
    uint64_t max_line_bytes = kDefaultMaxLineBytes;  ///< REQUIRES: > 0.
  };
  /// A listening source binds here (errors: the address in use, ...); a connecting one connects
  /// in read().
  static Result<std::unique_ptr<Source>> create(Options options);
  /// The port a listening socket source is bound to (the OS's choice when port was 0); 0 for any
  /// other source.
  static int listening_port(const Source& source);
  SocketSource() = delete;
};

/// `generator`: events of a built-in generator (rivulet gen's kinds, docs/generators.md) as
/// JSON lines. Origin "generator:<kind>"; the line number is the event's number (1-based).
/// Replayable: the position is the generator's state, so a restored source goes on with the
/// very events the saving one would have produced.
class GeneratorSource {
 public:
  struct Options {
    /// The generator spec as `rivulet gen` takes it: "transactions(fraud_rate=0.02)".
    /// REQUIRES: a known kind and valid parameters.
    std::string kind;
    double rate = 0.0;   ///< Events per second; 0: as fast as possible. REQUIRES: >= 0.
    uint64_t count = 0;  ///< Events in all, then the source ends; 0: unbounded.
    uint64_t seed = 42;  ///< Seed, unless the spec names its own `seed=`.
  };
  static Result<std::unique_ptr<Source>> create(Options options);
  GeneratorSource() = delete;
};

}  // namespace rivulet::io
