#include "io/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace rivulet::io::internal {
namespace {

// A file under the test temp dir, unique to this process, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, std::string_view content, bool gzip = false)
      : path_(testing::TempDir() + "rivulet_line_reader_" + std::to_string(::getpid()) + "_" +
              name) {
    if (gzip) {
      gzFile f = gzopen(path_.c_str(), "wb");
      if (!content.empty()) gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
      gzclose(f);
    } else {
      std::ofstream(path_, std::ios::binary) << content;
    }
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> read_all(const std::string& path, size_t max_bytes = 1 << 20) {
  LineReader reader;
  EXPECT_TRUE(reader.open(path).ok());
  std::vector<std::string> lines;
  std::string_view line;
  for (;;) {
    auto got = reader.next(line, max_bytes);
    if (!got.ok()) {
      lines.push_back("<" + std::string(status_code_name(got.status().code())) + ">");
      continue;
    }
    if (!*got) break;
    lines.emplace_back(line);
  }
  return lines;
}

TEST(LineReaderTest, SplitsLinesAndStripsCarriageReturns) {
  TempFile file("crlf.txt", "a,b\r\n\r\nc\n\nlast");
  EXPECT_EQ(read_all(file.path()), (std::vector<std::string>{"a,b", "", "c", "", "last"}));
}

TEST(LineReaderTest, CountsLines) {
  TempFile file("count.txt", "x\ny\n\nz\n");
  LineReader reader;
  ASSERT_TRUE(reader.open(file.path()).ok());
  std::string_view line;
  std::vector<uint64_t> numbers;
  while (*reader.next(line, 100)) numbers.push_back(reader.line_number());
  EXPECT_EQ(numbers, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(LineReaderTest, EmptyFileHasNoLines) {
  TempFile file("empty.txt", "");
  EXPECT_TRUE(read_all(file.path()).empty());
}

TEST(LineReaderTest, LinesAcrossChunkBoundaries) {
  // 300k lines of varying length cross the 256 KiB chunk many times.
  std::string content;
  std::vector<std::string> expected;
  for (int i = 0; i < 300000; ++i) {
    expected.push_back(std::string(static_cast<size_t>(i % 17), 'a' + i % 26) + std::to_string(i));
    content += expected.back();
    content += '\n';
  }
  TempFile file("chunks.txt", content);
  EXPECT_EQ(read_all(file.path()), expected);
}

TEST(LineReaderTest, GrowsForALongLineUnderTheLimit) {
  const std::string big(3 << 20, 'q');  // larger than the first buffer
  TempFile file("grow.txt", "a\n" + big + "\nb");
  EXPECT_EQ(read_all(file.path(), 4 << 20), (std::vector<std::string>{"a", big, "b"}));
}

TEST(LineReaderTest, SkipsALineLongerThanTheLimitAndGoesOn) {
  const std::string big(20 << 20, 'z');  // 20 MB against the default 16 MiB limit
  TempFile file("long.txt", "a\n" + big + "\nb\n" + big);
  LineReader reader;
  ASSERT_TRUE(reader.open(file.path()).ok());
  std::string_view line;
  ASSERT_TRUE(*reader.next(line, 16 << 20));
  EXPECT_EQ(line, "a");
  auto got = reader.next(line, 16 << 20);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find(":2: line longer than"), std::string::npos);
  ASSERT_TRUE(*reader.next(line, 16 << 20));
  EXPECT_EQ(line, "b");
  EXPECT_EQ(reader.line_number(), 3u);
  got = reader.next(line, 16 << 20);  // the last line, without a newline, is too long too
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.line_number(), 4u);
  EXPECT_FALSE(*reader.next(line, 16 << 20));
}

TEST(LineReaderTest, ReadsGzip) {
  TempFile file("lines.txt.gz", "one\r\ntwo\nthree", /*gzip=*/true);
  EXPECT_EQ(read_all(file.path()), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(LineReaderTest, TruncatedGzipIsDataLoss) {
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + "\n";
  std::string compressed;
  {
    TempFile whole("whole.gz", content, /*gzip=*/true);
    std::ifstream in(whole.path(), std::ios::binary);
    compressed.assign(std::istreambuf_iterator<char>(in), {});
  }
  TempFile cut("cut.gz", std::string_view(compressed).substr(0, compressed.size() / 2));
  LineReader reader;
  ASSERT_TRUE(reader.open(cut.path()).ok());
  std::string_view line;
  Result<bool> got = true;
  while (got.ok() && *got) got = reader.next(line, 1000);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

TEST(LineReaderTest, MissingFileIsNotFound) {
  LineReader reader;
  EXPECT_EQ(reader.open(testing::TempDir() + "rivulet_no_such_file.txt").code(),
            StatusCode::kNotFound);
}

TEST(LineReaderTest, DirectoryIsAnError) {
  LineReader reader;
  const Status status = reader.open(testing::TempDir());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("directory"), std::string::npos);
}

TEST(LineReaderTest, UnopenedReaderFails) {
  LineReader reader;
  std::string_view line;
  EXPECT_EQ(reader.next(line, 10).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rivulet::io::internal
