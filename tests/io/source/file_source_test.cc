#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

// A directory unique to this process and test, removed at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = testing::TempDir() + "rivulet_file_source_" + std::to_string(::getpid()) + "_" +
            info->name();
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_file(const std::string& path, std::string_view content, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << content;
}

struct Got {
  ReadStatus status;
  std::vector<std::string> lines;  // "origin-basename:line:text"
};

std::string base(const std::string& path) { return fs::path(path).filename().string(); }

Got read(Source& source, size_t max_lines = 100, milliseconds wait = milliseconds(50)) {
  RawLines raw;
  auto r = source.read(raw, max_lines, wait);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  Got got{r.ok() ? *r : ReadStatus::kEnd, {}};
  for (size_t i = 0; i < raw.size(); ++i) {
    got.lines.push_back(base(raw.origin(i)) + ":" + std::to_string(raw.line_number(i)) + ":" +
                        std::string(raw.line(i)));
  }
  return got;
}

// Reads until `n` lines came (or a deadline passes).
std::vector<std::string> read_n(Source& source, size_t n) {
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (lines.size() < n && std::chrono::steady_clock::now() < deadline) {
    Got got = read(source, n - lines.size(), milliseconds(20));
    lines.insert(lines.end(), got.lines.begin(), got.lines.end());
    if (got.status == ReadStatus::kEnd) break;
  }
  return lines;
}

std::string save(const Source& source) {
  std::ostringstream bytes;
  {
    StateWriter writer(bytes);
    source.save_position(writer);
  }
  return bytes.str();
}

Status restore(Source& source, const std::string& bytes) {
  std::istringstream in(bytes);
  StateReader reader(in);
  return source.restore_position(reader);
}

using Lines = std::vector<std::string>;

TEST(FileSourceTest, ReadsAllLinesThenEnds) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "\xEF\xBB\xBF{\"a\":1}\r\n\n{\"a\":2}\n{\"a\":3}");
  auto source = FileSource::create({.path = dir.file("a.jsonl")}).value();
  Got got = read(*source);
  EXPECT_EQ(got.status, ReadStatus::kData);
  EXPECT_EQ(got.lines, (Lines{"a.jsonl:1:{\"a\":1}", "a.jsonl:2:", "a.jsonl:3:{\"a\":2}",
                              "a.jsonl:4:{\"a\":3}"}));
  EXPECT_EQ(read(*source).status, ReadStatus::kEnd);
  EXPECT_EQ(source->describe(), "file " + dir.file("a.jsonl"));
}

TEST(FileSourceTest, SavedPositionResumesAfterTheLastLineReturned) {
  TempDir dir;
  write_file(dir.file("in.csv"), "h\nl1\nl2\nl3\nl4\nl5\n");
  auto first = FileSource::create({.path = dir.file("in.csv")}).value();
  EXPECT_EQ(read(*first, 2).lines, (Lines{"in.csv:1:h", "in.csv:2:l1"}));
  EXPECT_EQ(read(*first, 1).lines, (Lines{"in.csv:3:l2"}));
  const std::string position = save(*first);
  EXPECT_EQ(read(*first, 1).lines, (Lines{"in.csv:4:l3"}));  // read past the save: not saved

  auto second = FileSource::create({.path = dir.file("in.csv")}).value();
  ASSERT_TRUE(restore(*second, position).ok());
  Got rest = read(*second);
  EXPECT_EQ(rest.lines, (Lines{"in.csv:4:l3", "in.csv:5:l4", "in.csv:6:l5"}));
  EXPECT_EQ(read(*second).status, ReadStatus::kEnd);

  // A position saved at the end resumes at the end.
  const std::string at_end = save(*second);
  auto third = FileSource::create({.path = dir.file("in.csv")}).value();
  ASSERT_TRUE(restore(*third, at_end).ok());
  EXPECT_EQ(read(*third).status, ReadStatus::kEnd);
}

TEST(FileSourceTest, RestoreErrors) {
  TempDir dir;
  write_file(dir.file("a.txt"), "one\ntwo\nthree\n");
  auto source = FileSource::create({.path = dir.file("a.txt")}).value();
  read(*source, 2);
  const std::string position = save(*source);
  write_file(dir.file("a.txt"), "x\n");  // shorter than the saved offset
  auto again = FileSource::create({.path = dir.file("a.txt")}).value();
  const Status s = restore(*again, position);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "file source: " + dir.file("a.txt") +
                             ": cannot resume at byte 8: the file has 2 bytes");
  write_file(dir.file("b.txt"), "x\n");
  auto other = FileSource::create({.path = dir.file("b.txt")}).value();
  EXPECT_EQ(restore(*other, position).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(restore(*other, "garbage").code(), StatusCode::kDataLoss);
}

TEST(FileSourceTest, OversizedLinesAreSkippedAndReported) {
  TempDir dir;
  const std::string big(100, 'x');
  write_file(dir.file("a.txt"), "ok1\n" + big + "\r\nok2\n" + big);
  auto source = FileSource::create({.path = dir.file("a.txt"), .max_line_bytes = 10}).value();
  EXPECT_EQ(read(*source).lines, (Lines{"a.txt:1:ok1", "a.txt:3:ok2"}));
  const auto oversized = source->take_oversized();
  ASSERT_EQ(oversized.size(), 2u);
  EXPECT_EQ(oversized[0].origin, dir.file("a.txt"));
  EXPECT_EQ(oversized[0].line, 2u);
  EXPECT_EQ(oversized[0].bytes, 100u);
  EXPECT_EQ(oversized[1].line, 4u);
  EXPECT_TRUE(source->take_oversized().empty());
}

TEST(FileSourceTest, GzipFileAndResume) {
  TempDir dir;
  gzFile gz = gzopen(dir.file("a.jsonl.gz").c_str(), "wb");
  const std::string content = "g1\ng2\ng3\n";
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  auto source = FileSource::create({.path = dir.file("a.jsonl.gz")}).value();
  EXPECT_EQ(read(*source, 1).lines, (Lines{"a.jsonl.gz:1:g1"}));
  const std::string position = save(*source);
  auto again = FileSource::create({.path = dir.file("a.jsonl.gz")}).value();
  ASSERT_TRUE(restore(*again, position).ok());
  EXPECT_EQ(read(*again).lines, (Lines{"a.jsonl.gz:2:g2", "a.jsonl.gz:3:g3"}));
}

TEST(FileSourceTest, DirectoryInNameOrderSkippingHiddenFiles) {
  TempDir dir;
  write_file(dir.file("b.jsonl"), "b1\nb2\n");
  write_file(dir.file("a.jsonl"), "a1\n");
  write_file(dir.file(".hidden"), "h1\n");
  fs::create_directories(dir.file("sub"));
  write_file(dir.file("sub/c.jsonl"), "c1\n");
  auto source = FileSource::create({.path = dir.path()}).value();
  EXPECT_EQ(read(*source, 2).lines, (Lines{"a.jsonl:1:a1", "b.jsonl:1:b1"}));
  const std::string position = save(*source);
  EXPECT_EQ(read(*source).lines, (Lines{"b.jsonl:2:b2"}));
  EXPECT_EQ(read(*source).status, ReadStatus::kEnd);

  auto again = FileSource::create({.path = dir.path() + "/"}).value();  // trailing slash
  ASSERT_TRUE(restore(*again, position).ok());
  EXPECT_EQ(read(*again).lines, (Lines{"b.jsonl:2:b2"}));
  EXPECT_EQ(read(*again).status, ReadStatus::kEnd);
}

TEST(FileSourceTest, FollowPicksUpAppendedLines) {
  TempDir dir;
  const std::string path = dir.file("live.jsonl");
  write_file(path, "l1\nl2\n");
  auto source = FileSource::create({.path = path, .follow = true, .poll_interval_ms = 5}).value();
  EXPECT_EQ(read(*source).lines, (Lines{"live.jsonl:1:l1", "live.jsonl:2:l2"}));
  Got idle = read(*source, 100, milliseconds(20));
  EXPECT_EQ(idle.status, ReadStatus::kTimeout);
  EXPECT_TRUE(idle.lines.empty());
  write_file(path, "l3\nl4 part", true);  // an unterminated line waits for its end
  EXPECT_EQ(read_n(*source, 1), (Lines{"live.jsonl:3:l3"}));
  EXPECT_TRUE(read(*source, 100, milliseconds(20)).lines.empty());
  write_file(path, "ial\n", true);
  EXPECT_EQ(read_n(*source, 1), (Lines{"live.jsonl:4:l4 partial"}));
}

TEST(FileSourceTest, FollowNoticesRotationAndTruncation) {
  TempDir dir;
  const std::string path = dir.file("app.log");
  write_file(path, "old1\n");
  auto source = FileSource::create({.path = path, .follow = true, .poll_interval_ms = 5}).value();
  EXPECT_EQ(read(*source).lines, (Lines{"app.log:1:old1"}));
  // The writer appends a last line, then the file is rotated and a new one starts.
  write_file(path, "old2\n", true);
  fs::rename(path, dir.file("app.log.1"));
  write_file(path, "new1\nnew2\n");
  EXPECT_EQ(read_n(*source, 3), (Lines{"app.log:2:old2", "app.log:1:new1", "app.log:2:new2"}));
  // Truncated in place (copytruncate): read again from the start.
  fs::resize_file(path, 0);
  EXPECT_TRUE(read(*source, 100, milliseconds(20)).lines.empty());
  write_file(path, "t1\n", true);
  EXPECT_EQ(read_n(*source, 1), (Lines{"app.log:1:t1"}));
}

TEST(FileSourceTest, FollowedDirectoryPicksUpNewFiles) {
  TempDir dir;
  write_file(dir.file("part-000"), "a\n");
  auto source =
      FileSource::create({.path = dir.path(), .follow = true, .poll_interval_ms = 5}).value();
  EXPECT_EQ(read(*source).lines, (Lines{"part-000:1:a"}));
  write_file(dir.file("part-000"), "b\n", true);  // the newest file is tailed
  EXPECT_EQ(read_n(*source, 1), (Lines{"part-000:2:b"}));
  write_file(dir.file("part-001"), "c\n");
  write_file(dir.file("part-002"), "d\n");
  EXPECT_EQ(read_n(*source, 2), (Lines{"part-001:1:c", "part-002:1:d"}));
}

TEST(FileSourceTest, CancelUnblocksAWaitingRead) {
  TempDir dir;
  write_file(dir.file("a"), "");
  auto source =
      FileSource::create({.path = dir.file("a"), .follow = true, .poll_interval_ms = 1000}).value();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(30));
    source->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  RawLines raw;
  auto r = source->read(raw, 10, milliseconds(5000));
  const auto waited = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ReadStatus::kEnd);
  EXPECT_LT(waited, milliseconds(500));
}

TEST(FileSourceTest, CreateErrors) {
  EXPECT_EQ(FileSource::create({}).status().message(), "file source: 'path' is required");
  EXPECT_EQ(FileSource::create({.path = "/nonexistent/x.jsonl"}).status().message(),
            "file source: path '/nonexistent/x.jsonl': No such file or directory");
  EXPECT_EQ(FileSource::create({.path = "/tmp", .poll_interval_ms = 0}).status().message(),
            "file source: 'poll_interval_ms' must be > 0, got 0");
  EXPECT_EQ(FileSource::create({.path = "/tmp", .max_line_bytes = 0}).status().message(),
            "file source: 'max_line_bytes' must be > 0");
}

}  // namespace
}  // namespace rivulet::io
