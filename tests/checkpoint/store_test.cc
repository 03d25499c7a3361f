#include "rivulet/checkpoint/store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace rivulet::checkpoint {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const std::string dir =
      (fs::temp_directory_path() / fmt::format("rivulet_store_test_{}_{}", ::getpid(), name))
          .string();
  fs::remove_all(dir);
  return dir;
}

// The process's file system, with a fault after `ok_calls` changing calls: every later one
// fails with ENOSPC (`crash` also makes it do nothing at all, the removal of a partial
// checkpoint included: the process died there).
class FaultyEnv final : public Env {
 public:
  Status make_dirs(const std::string& p) override { return gate("mkdir", p, [&] { return real->make_dirs(p); }); }
  Status write_file(const std::string& p, const std::string& b) override {
    return gate("write", p, [&] { return real->write_file(p, b); });
  }
  Result<std::string> read_file(const std::string& p) override { return real->read_file(p); }
  Status rename(const std::string& f, const std::string& t) override {
    return gate("rename", f, [&] { return real->rename(f, t); });
  }
  Status sync_dir(const std::string& p) override { return gate("sync", p, [&] { return real->sync_dir(p); }); }
  Result<std::vector<std::string>> list(const std::string& p) override { return real->list(p); }
  Status remove_all(const std::string& p) override {
    if (crash && calls >= ok_calls) return Status(StatusCode::kIoError, "crashed");
    return real->remove_all(p);
  }
  bool exists(const std::string& p) override { return real->exists(p); }

  template <class F>
  Status gate(const char* what, const std::string& path, F f) {
    if (calls++ >= ok_calls) {
      return Status(StatusCode::kIoError,
                    fmt::format("cannot {} {}: {}", what, path, std::strerror(ENOSPC)));
    }
    return f();
  }
  Env* real = Env::posix();
  uint64_t ok_calls = UINT64_MAX;
  uint64_t calls = 0;
  bool crash = false;
};

Checkpoint parts(const std::string& tag) {
  return {.meta = {{"pipeline", "fraud\nline two"}},
          .parts = {{"source", "offset " + tag}, {"step-1", std::string(1000, tag[0])}}};
}

TEST(CheckpointStoreTest, WritesPublishesAndLoadsTheNewest) {
  const std::string dir = fresh_dir("roundtrip");
  auto store = CheckpointStore::open({.dir = dir}).value();
  EXPECT_FALSE(store->load_latest().value().has_value());
  EXPECT_EQ(store->write(parts("a")).value(), 1u);
  EXPECT_EQ(store->write(parts("b")).value(), 2u);
  EXPECT_EQ(store->list().value(), (std::vector<uint64_t>{1, 2}));
  auto latest = store->load_latest().value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->id, 2u);
  EXPECT_EQ(latest->parts, parts("b").parts);
  EXPECT_EQ(latest->meta.at("pipeline"), "fraud\nline two");
  EXPECT_GT(latest->created_ms, 1700000000000);
  EXPECT_TRUE(fs::exists(dir + "/chk-000002/MANIFEST"));
  EXPECT_TRUE(fs::exists(dir + "/chk-000002/step-1.part"));
  EXPECT_FALSE(fs::exists(dir + "/chk-000002/MANIFEST.tmp"));
  EXPECT_EQ(store->load(1).value().parts, parts("a").parts);
  EXPECT_EQ(store->load(7).status().code(), StatusCode::kNotFound);
}

TEST(CheckpointStoreTest, KeepsTheLastRetainCheckpoints) {
  const std::string dir = fresh_dir("retain");
  auto store = CheckpointStore::open({.dir = dir, .retain = 2}).value();
  for (const char* tag : {"a", "b", "c", "d"}) ASSERT_TRUE(store->write(parts(tag)).ok());
  EXPECT_EQ(store->list().value(), (std::vector<uint64_t>{3, 4}));
  EXPECT_FALSE(fs::exists(dir + "/chk-000001"));
  EXPECT_FALSE(fs::exists(dir + "/chk-000002"));
}

TEST(CheckpointStoreTest, ACheckpointThatFailsVerificationIsNeverLoaded) {
  const std::string dir = fresh_dir("verify");
  const auto setup = [&] {
    fs::remove_all(dir);
    auto store = CheckpointStore::open({.dir = dir}).value();
    EXPECT_TRUE(store->write(parts("a")).ok());
    EXPECT_TRUE(store->write(parts("b")).ok());
    return store;
  };
  const std::string newest = dir + "/chk-000002/";
  struct Damage {
    std::function<void()> apply;
    std::string reason;
  };
  const std::vector<Damage> damages = {
      {[&] {  // a flipped bit in a part
         std::fstream f(newest + "step-1.part", std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(500);
         f.put('z');
       },
       "chk-000002: step-1.part fails its checksum"},
      {[&] { fs::resize_file(newest + "step-1.part", 999); },
       "chk-000002: step-1.part has 999 bytes, the MANIFEST says 1000"},
      {[&] { fs::remove(newest + "source.part"); }, "chk-000002: source.part is missing"},
      {[&] {  // a flipped bit in the manifest
         std::fstream f(newest + "MANIFEST", std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(25);
         f.put('9');
       },
       "chk-000002: MANIFEST: checksum mismatch"},
      {[&] { fs::resize_file(newest + "MANIFEST", 40); },
       "chk-000002: MANIFEST: no checksum line (torn or truncated)"},
      {[&] { fs::remove(newest + "MANIFEST"); }, "chk-000002: no MANIFEST (never published)"},
  };
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.reason);
    auto store = setup();
    d.apply();
    auto latest = store->load_latest().value();
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->id, 1u);  // the previous one
    EXPECT_EQ(latest->parts, parts("a").parts);
    EXPECT_EQ(store->skipped(), std::vector<std::string>{d.reason});
    // Damaged, unless it was never published.
    EXPECT_EQ(store->damaged(), d.reason.ends_with("(never published)") ? 0u : 1u);
    // The next checkpoint takes a new id: the damaged directory is not overwritten.
    EXPECT_EQ(store->write(parts("c")).value(), 3u);
  }
}

TEST(CheckpointStoreTest, AWriteErrorPublishesNothingAndKeepsThePrevious) {
  const std::string dir = fresh_dir("enospc");
  FaultyEnv env;
  auto store = CheckpointStore::open({.dir = dir, .env = &env}).value();
  ASSERT_TRUE(store->write(parts("a")).ok());
  env.ok_calls = env.calls + 2;  // the directory, one part, then the disk is full
  const auto failed = store->write(parts("b"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(failed.status().message(),
            fmt::format("checkpoint 2: cannot write {}/chk-000002/step-1.part: No space left on "
                        "device",
                        dir));
  EXPECT_FALSE(fs::exists(dir + "/chk-000002"));  // the partial directory is removed
  EXPECT_EQ(store->load_latest().value()->id, 1u);
  env.ok_calls = UINT64_MAX;  // space again: checkpoints go on
  EXPECT_EQ(store->write(parts("c")).value(), 2u);
}

// A crash (the process killed) after every possible number of file-system calls of a write:
// what a restart loads is always one whole checkpoint, the old or the new.
TEST(CheckpointStoreTest, ACrashAnywhereInAWriteLeavesAWholeCheckpoint) {
  for (uint64_t k = 0; k < 8; ++k) {
    SCOPED_TRACE(k);
    const std::string dir = fresh_dir("crash");
    FaultyEnv env;
    env.crash = true;
    {
      auto store = CheckpointStore::open({.dir = dir, .env = &env}).value();
      ASSERT_TRUE(store->write(parts("a")).ok());
      env.ok_calls = env.calls + k;
      (void)store->write(parts("b"));
    }
    auto restarted = CheckpointStore::open({.dir = dir}).value();
    auto latest = restarted->load_latest().value();
    ASSERT_TRUE(latest.has_value());
    // Published by the rename of the manifest (the fifth call, after mkdir, 2 parts and
    // MANIFEST.tmp): from then on the new checkpoint is the one loaded.
    EXPECT_EQ(latest->id, k >= 5 ? 2u : 1u);
    EXPECT_EQ(latest->parts, parts(k >= 5 ? "b" : "a").parts);
    EXPECT_EQ(restarted->write(parts("c")).value(), k >= 1 ? 3u : 2u);
  }
}

// Incremental checkpoints share an unchanged part with the checkpoint before: a hard link,
// so that the bytes are written once, yet each directory loads on its own once the earlier one
// is gone.
TEST(CheckpointStoreTest, ALinkedPartIsTheEarlierFileAndOutlivesItsDirectory) {
  const std::string dir = fresh_dir("links");
  auto store = CheckpointStore::open({.dir = dir, .retain = 1}).value();
  ASSERT_EQ(store->write(parts("a")).value(), 1u);
  const std::string base = dir + "/chk-000001/step-1.part";
  struct stat first {};
  ASSERT_EQ(::stat(base.c_str(), &first), 0);
  ASSERT_EQ(store->write({.parts = {{"source", "offset b"}, {"step-1.delta-1", "changes"}},
                          .links = {{"step-1", 1}}})
                .value(),
            2u);
  struct stat second {};
  ASSERT_EQ(::stat((dir + "/chk-000002/step-1.part").c_str(), &second), 0);
  EXPECT_EQ(second.st_ino, first.st_ino);  // the same file, not a copy
  EXPECT_FALSE(fs::exists(dir + "/chk-000001"));  // retention: 1
  auto latest = store->load_latest().value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->id, 2u);
  EXPECT_EQ(latest->parts, (std::map<std::string, std::string>{{"source", "offset b"},
                                                                {"step-1", std::string(1000, 'a')},
                                                                {"step-1.delta-1", "changes"}}));
  // A chain: the third links both of the second's step parts.
  ASSERT_EQ(store->write({.parts = {{"source", "offset c"}, {"step-1.delta-2", "more"}},
                          .links = {{"step-1", 2}, {"step-1.delta-1", 2}}})
                .value(),
            3u);
  EXPECT_EQ(store->load(3).value().parts.at("step-1.delta-1"), "changes");
  EXPECT_EQ(store->load(3).value().parts.at("step-1"), std::string(1000, 'a'));
}

TEST(CheckpointStoreTest, LinksWithoutHardLinksCopyAndBadLinksPublishNothing) {
  const std::string dir = fresh_dir("link_copy");
  FaultyEnv env;  // no link_file of its own: Env's, a copy
  auto store = CheckpointStore::open({.dir = dir, .env = &env}).value();
  ASSERT_EQ(store->write(parts("a")).value(), 1u);
  ASSERT_EQ(store->write({.parts = {{"source", "b"}}, .links = {{"step-1", 1}}}).value(), 2u);
  struct stat first {}, second {};
  ASSERT_EQ(::stat((dir + "/chk-000001/step-1.part").c_str(), &first), 0);
  ASSERT_EQ(::stat((dir + "/chk-000002/step-1.part").c_str(), &second), 0);
  EXPECT_NE(second.st_ino, first.st_ino);
  EXPECT_EQ(store->load(2).value().parts.at("step-1"), std::string(1000, 'a'));
  // A part the earlier checkpoint does not have, or an earlier checkpoint that is not there.
  EXPECT_EQ(store->write({.parts = {{"source", "c"}}, .links = {{"step-9", 1}}}).status().message(),
            "checkpoint 3: chk-000001 has no part 'step-9' to link to");
  EXPECT_EQ(store->write({.parts = {{"source", "c"}}, .links = {{"step-1", 7}}}).status().message(),
            fmt::format("checkpoint 3: cannot open {}/chk-000007/MANIFEST", dir));
  EXPECT_FALSE(fs::exists(dir + "/chk-000003"));
  EXPECT_EQ(store->write({.parts = {{"step-1", "x"}}, .links = {{"step-1", 1}}}).status().message(),
            "checkpoint: linked part name 'step-1' (letters, digits, '.', '_', '-'; not also a "
            "part of its own)");
  // Damage to the earlier file does not reach a copy.
  {
    std::fstream f(dir + "/chk-000001/step-1.part", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('z');
  }
  EXPECT_EQ(store->load(2).value().parts.at("step-1")[10], 'a');  // a copy here
  ASSERT_EQ(store->write({.parts = {{"source", "d"}}, .links = {{"step-1", 2}}}).value(), 3u);
  EXPECT_TRUE(store->load(3).ok());
}

TEST(CheckpointStoreTest, BadOptionsAndNames) {
  EXPECT_EQ(CheckpointStore::open({.dir = ""}).status().message(), "checkpoint: 'dir' is empty");
  EXPECT_EQ(CheckpointStore::open({.dir = "x", .retain = 0}).status().message(),
            "checkpoint: 'retain' must be >= 1");
  auto store = CheckpointStore::open({.dir = fresh_dir("names")}).value();
  EXPECT_EQ(store->write({.parts = {{"../escape", "x"}}}).status().message(),
            "checkpoint: part name '../escape' (letters, digits, '.', '_', '-')");
}

}  // namespace
}  // namespace rivulet::checkpoint
