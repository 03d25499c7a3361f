#pragma once
/// Durable checkpoints on disk (the format is specified in docs/checkpoints.md).
///
/// A checkpoint is a set of named parts (a source's position, each step's state, ...), each a
/// string of bytes. `CheckpointStore::write` puts them in a new directory `chk-<id>` under the
/// store's directory, one file per part, each fsynced, then publishes the checkpoint by writing
/// its MANIFEST (every file's size and XXH3-64 checksum, and the manifest's own checksum) to a
/// temporary name, fsyncing it and renaming it into place, then fsyncing the directory: a
/// checkpoint exists when, and only when, its manifest does. `load_latest` takes the newest
/// checkpoint whose manifest and files all verify, and says which newer ones it passed over and
/// why; a torn, truncated or bit-flipped checkpoint is never loaded. The last `retain` complete
/// checkpoints are kept.
///
/// All file-system access goes through `Env` (leveldb's seam), so that tests inject write
/// errors, full disks and crashes between any two calls.
/// Thread safety: a store is used by one thread at a time; distinct stores on distinct
/// directories are independent.
/// ```cpp example
/// using namespace rivulet::checkpoint;
/// auto store = CheckpointStore::open({.dir = ::testing::TempDir() + "/store_example",
///                                     .retain = 2}).value();
/// const uint64_t id =
///     store->write({.parts = {{"source", "offset 42"}, {"step-1", "window state"}}}).value();
/// auto latest = store->load_latest().value();
/// ASSERT_TRUE(latest.has_value());
/// EXPECT_EQ(latest->id, id);
/// EXPECT_EQ(latest->parts.at("source"), "offset 42");
/// ```

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/core/status.h"

namespace rivulet::checkpoint {

/// The file-system operations a checkpoint needs. `Env::posix()` is the real one.
class Env {
 public:
  virtual ~Env() = default;
  /// Creates `path` (with its parents) if it does not exist.
  virtual Status make_dirs(const std::string& path) = 0;
  /// Writes `bytes` to a new file `path` (replacing one there) and fsyncs it.
  virtual Status write_file(const std::string& path, const std::string& bytes) = 0;
  virtual Result<std::string> read_file(const std::string& path) = 0;
  /// Atomically replaces `to` with `from` (rename(2)).
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  /// fsyncs the directory `path`, so that the names created in it are durable.
  virtual Status sync_dir(const std::string& path) = 0;
  /// The names in directory `path` (not . and ..), in any order.
  virtual Result<std::vector<std::string>> list(const std::string& path) = 0;
  /// Makes `to` name the file `from` names (link(2)), replacing a file there; where the file
  /// system has no hard links, or `from` is on another one, a copy, fsynced. Default: a copy
  /// through read_file and write_file.
  virtual Status link_file(const std::string& from, const std::string& to);
  /// Removes `path` and everything under it.
  virtual Status remove_all(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;

  /// The process's file system (POSIX calls, fsync included). Never null.
  static Env* posix();
};

/// The parts of one checkpoint, and what the store records about it.
struct Checkpoint {
  uint64_t id = 0;          ///< set by write(): one more than the newest in the directory
  int64_t created_ms = 0;   ///< set by write(): wall-clock time, epoch ms
  std::map<std::string, std::string> meta{};   ///< small text facts (pipeline name, ...)
  std::map<std::string, std::string> parts{};  ///< name -> bytes. Names: [A-Za-z0-9._-]+
  /// Parts shared with an earlier checkpoint (incremental checkpoints keep the unchanged base
  /// of a step's state this way): name -> the id of the checkpoint whose file for that part
  /// this one links to, with the size and checksum that checkpoint's MANIFEST gives. Written
  /// as a hard link (Env::link_file), so that each checkpoint directory stays whole on its own:
  /// retention may remove the earlier one. Loaded checkpoints list them in `parts` like any
  /// other part; `links` is then empty.
  std::map<std::string, uint64_t> links{};
};

class CheckpointStore {
 public:
  struct Options {
    std::string dir;     ///< REQUIRES: not empty.
    size_t retain = 3;   ///< complete checkpoints kept. REQUIRES: >= 1.
    Env* env = nullptr;  ///< null: Env::posix()
  };
  /// Creates the directory if needed. Errors: an empty dir, retain 0, a directory that cannot
  /// be created.
  static Result<std::unique_ptr<CheckpointStore>> open(Options options);

  /// Writes and publishes `checkpoint` as the next id, then drops the checkpoints beyond
  /// `retain`. Returns the id. On an error nothing is published (the previous checkpoints stay
  /// as they were) and the partial directory is removed when possible.
  Result<uint64_t> write(Checkpoint checkpoint);
  /// The newest checkpoint that verifies, or none. Newer directories that do not verify are
  /// listed in `skipped()` with the reason (and left on disk for inspection).
  Result<std::optional<Checkpoint>> load_latest();
  /// The checkpoint `id`, verified. Errors: kNotFound, kDataLoss naming the file at fault.
  Result<Checkpoint> load(uint64_t id);
  /// Ids of the complete (published) checkpoints, ascending; not verified.
  Result<std::vector<uint64_t>> list();
  /// Why load_latest passed over newer checkpoints: "chk-000007: ...".
  const std::vector<std::string>& skipped() const { return skipped_; }
  /// How many of those were published (had a MANIFEST) yet failed verification: damaged, not
  /// merely unfinished.
  size_t damaged() const { return damaged_; }
  /// "chk-000042".
  static std::string dir_name(uint64_t id);
  const std::string& dir() const { return options_.dir; }

 private:
  explicit CheckpointStore(Options options) : options_(std::move(options)) {}
  // Every chk-* directory's id, ascending, published or not.
  Result<std::vector<uint64_t>> all_ids();
  Options options_;
  std::vector<std::string> skipped_;
  size_t damaged_ = 0;
};

}  // namespace rivulet::checkpoint
