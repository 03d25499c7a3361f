#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rivulet/io/generators/generator.h"
#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using std::chrono::milliseconds;
using Lines = std::vector<std::string>;

Lines read_all(Source& source, size_t max_lines = 1000, ReadStatus* last = nullptr) {
  Lines lines;
  for (int i = 0; i < 1000; ++i) {
    RawLines raw;
    auto r = source.read(raw, max_lines, milliseconds(100));
    EXPECT_TRUE(r.ok());
    for (size_t k = 0; k < raw.size(); ++k) lines.emplace_back(raw.line(k));
    if (last != nullptr) *last = *r;
    if (*r != ReadStatus::kData || lines.size() >= max_lines) break;
  }
  return lines;
}

TEST(GeneratorSourceTest, CountEventsThenEnd) {
  auto source = GeneratorSource::create({.kind = "transactions", .count = 5, .seed = 7}).value();
  RawLines raw;
  ASSERT_EQ(*source->read(raw, 100, milliseconds(10)), ReadStatus::kData);
  ASSERT_EQ(raw.size(), 5u);
  EXPECT_EQ(raw.line_number(0), 1u);
  EXPECT_EQ(raw.line_number(4), 5u);
  EXPECT_EQ(raw.origin(0), "generator:transactions");
  // The same events as the generator itself writes (without the '\n').
  auto generator = Generator::create("transactions", 7).value();
  for (size_t i = 0; i < 5; ++i) {
    std::string line;
    generator->next(line);
    line.pop_back();
    EXPECT_EQ(raw.line(i), line);
  }
  RawLines more;
  EXPECT_EQ(*source->read(more, 100, milliseconds(10)), ReadStatus::kEnd);
}

TEST(GeneratorSourceTest, ResumesFromASavedPosition) {
  auto whole = GeneratorSource::create({.kind = "sensors", .count = 10}).value();
  const Lines expected = read_all(*whole);
  ASSERT_EQ(expected.size(), 10u);

  auto first = GeneratorSource::create({.kind = "sensors", .count = 10}).value();
  Lines got = read_all(*first, 4);
  ASSERT_EQ(got.size(), 4u);
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    first->save_position(writer);
  }
  auto second = GeneratorSource::create({.kind = "sensors", .count = 10}).value();
  StateReader reader(bytes);
  ASSERT_TRUE(second->restore_position(reader).ok());
  ReadStatus last = ReadStatus::kData;
  const Lines rest = read_all(*second, 1000, &last);
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, expected);
  RawLines raw;
  EXPECT_EQ(*second->read(raw, 10, milliseconds(1)), ReadStatus::kEnd);
}

TEST(GeneratorSourceTest, RestoreRejectsAnotherSpec) {
  auto sea = GeneratorSource::create({.kind = "sea"}).value();
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    sea->save_position(writer);
  }
  auto sensors = GeneratorSource::create({.kind = "sensors"}).value();
  StateReader reader(bytes);
  EXPECT_EQ(sensors->restore_position(reader).code(), StatusCode::kInvalidArgument);
}

TEST(GeneratorSourceTest, PacedToTheRate) {
  auto source = GeneratorSource::create({.kind = "sea", .rate = 1000, .count = 40}).value();
  const auto start = std::chrono::steady_clock::now();
  ReadStatus last = ReadStatus::kData;
  Lines lines;
  while (last != ReadStatus::kEnd) {
    RawLines raw;
    last = *source->read(raw, 1000, milliseconds(5));
    for (size_t i = 0; i < raw.size(); ++i) lines.emplace_back(raw.line(i));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(lines.size(), 40u);
  // Event k is due at k ms: the 40th at 39 ms.
  EXPECT_GE(took, milliseconds(38));
  EXPECT_LT(took, milliseconds(400));
}

TEST(GeneratorSourceTest, CancelUnblocksAPacedRead) {
  auto source = GeneratorSource::create({.kind = "sea", .rate = 0.1}).value();
  RawLines raw;
  ASSERT_EQ(*source->read(raw, 10, milliseconds(10)), ReadStatus::kData);  // the first is due
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(30));
    source->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*source->read(raw, 10, milliseconds(5000)), ReadStatus::kEnd);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST(GeneratorSourceTest, CreateErrors) {
  EXPECT_EQ(GeneratorSource::create({}).status().message(),
            "generator source: 'kind' is required (e.g. \"transactions\")");
  EXPECT_EQ(GeneratorSource::create({.kind = "sea", .rate = -1}).status().message(),
            "generator source: 'rate' must be >= 0 (0: as fast as possible), got -1");
  const Status unknown = GeneratorSource::create({.kind = "nope"}).status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(unknown.message().starts_with("generator source: 'kind': ")) << unknown.message();
}

TEST(StdinSourceTest, ReadsLinesOfADescriptorUntilItsEnd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto source = StdinSource::create({.fd = fds[0]}).value();
  RawLines raw;
  EXPECT_EQ(*source->read(raw, 10, milliseconds(10)), ReadStatus::kTimeout);
  const std::string text = "x1\nx2\nx3";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(*source->read(raw, 10, milliseconds(100)), ReadStatus::kData);
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw.line(1), "x2");
  EXPECT_EQ(raw.line_number(1), 2u);
  EXPECT_EQ(raw.origin(1), "stdin");
  ::close(fds[1]);
  raw.clear();
  ASSERT_EQ(*source->read(raw, 10, milliseconds(100)), ReadStatus::kData);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw.line(0), "x3");
  EXPECT_EQ(*source->read(raw, 10, milliseconds(100)), ReadStatus::kEnd);
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    source->save_position(writer);
  }
  StateReader reader(bytes);
  EXPECT_EQ(source->restore_position(reader).message(),
            "source 'stdin' is not replayable: it cannot resume from a saved position");
  ::close(fds[0]);
}

TEST(StdinSourceTest, CancelUnblocksAWaitingRead) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto source = StdinSource::create({.fd = fds[0]}).value();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(30));
    source->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  RawLines raw;
  EXPECT_EQ(*source->read(raw, 10, milliseconds(5000)), ReadStatus::kEnd);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace rivulet::io
