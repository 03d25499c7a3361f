#include "rivulet/stream/arena.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rivulet::stream {
namespace {

TEST(ArenaTest, CopiesStayValidWhileFilling) {
  Arena arena(64);
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    expected.push_back("value-" + std::to_string(i));
    views.push_back(arena.copy(expected.back()));
  }
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], expected[i]);
  EXPECT_GT(arena.n_chunks(), 1u);
  size_t total = 0;
  for (const auto& s : expected) total += s.size();
  EXPECT_EQ(arena.bytes_used(), total);
}

TEST(ArenaTest, ClearMergesChunksAndKeepsCapacity) {
  Arena arena(64);
  for (int i = 0; i < 100; ++i) (void)arena.copy("0123456789");
  const size_t capacity = arena.capacity();
  EXPECT_GE(capacity, 1000u);
  arena.clear();
  EXPECT_EQ(arena.bytes_used(), 0u);
  EXPECT_EQ(arena.n_chunks(), 1u);
  EXPECT_EQ(arena.capacity(), capacity);
  // The same fill again fits the merged chunk.
  for (int i = 0; i < 100; ++i) (void)arena.copy("0123456789");
  EXPECT_EQ(arena.n_chunks(), 1u);
  EXPECT_EQ(arena.capacity(), capacity);
}

TEST(ArenaTest, LargeAllocationsAndShrink) {
  Arena arena(16);
  char* big = arena.allocate(10000);
  big[9999] = 'x';
  EXPECT_GE(arena.capacity(), 10000u);
  char* p = arena.allocate(100);
  arena.shrink_last(p, 100, 10);
  EXPECT_EQ(arena.bytes_used(), 10010u);
  char* q = arena.allocate(5);
  EXPECT_EQ(q, p + 10);  // the tail given back is reused
  EXPECT_EQ(arena.copy(""), std::string_view());
  EXPECT_NE(arena.allocate(0), nullptr);
}

TEST(ArenaTest, MoveLeavesAnEmptyUsableArena) {
  Arena a;
  const std::string_view s = a.copy("hello");
  Arena b(std::move(a));
  EXPECT_EQ(s, "hello");  // the bytes moved with the chunks
  EXPECT_EQ(b.bytes_used(), 5u);
  EXPECT_EQ(a.bytes_used(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.copy("again"), "again");
  Arena c;
  c = std::move(b);
  EXPECT_EQ(c.bytes_used(), 5u);
}

}  // namespace
}  // namespace rivulet::stream
