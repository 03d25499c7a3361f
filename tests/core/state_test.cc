#include "rivulet/core/state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace rivulet {
namespace {

// What a std::ostringstream receives from the same writes: the bytes StateBuffer must give.
template <typename F>
std::string through_ostringstream(F&& save) {
  std::ostringstream os;
  {
    StateWriter out(os);
    save(out);
  }
  return std::move(os).str();
}

// Small writes (one byte, eight), a block far larger than the buffer, and more small ones.
void mixed_writes(StateWriter& out) {
  const std::string big(3 << 20, 'b');
  std::vector<int64_t> numbers(1000);
  for (size_t i = 0; i < numbers.size(); ++i) numbers[i] = static_cast<int64_t>(i * i) - 7;
  out(uint8_t{1}, int64_t{-2}, std::string("short"));
  out(big, numbers);
  for (uint32_t i = 0; i < 5000; ++i) out(i, static_cast<double>(i) / 3.0);
}

TEST(StateBufferTest, GivesTheBytesAnOstringstreamWould) {
  const std::string expected = through_ostringstream(mixed_writes);
  ASSERT_GT(expected.size(), 3u << 20);
  // Whatever room it starts with: none, too little, exactly enough, too much.
  for (const size_t room : {size_t{0}, size_t{100}, expected.size(), 2 * expected.size()}) {
    const std::string bytes = state_bytes(mixed_writes, room);
    EXPECT_EQ(bytes.size(), expected.size()) << "room " << room;
    EXPECT_TRUE(bytes == expected) << "room " << room;
  }
}

TEST(StateBufferTest, SingleCharactersGoThroughOverflow) {
  StateBuffer buffer(1);
  std::ostream stream(&buffer);
  for (int i = 0; i < 1000; ++i) stream.put(static_cast<char>('a' + i % 26));
  stream << "end";
  const std::string bytes = std::move(buffer).take();
  ASSERT_EQ(bytes.size(), 1003u);
  EXPECT_EQ(bytes.substr(0, 3), "abc");
  EXPECT_EQ(bytes.substr(26, 2), "ab");
  EXPECT_EQ(bytes.substr(1000), "end");
}

TEST(StateBufferTest, EmptyVectorsWriteOnlyTheirSize) {
  // An empty vector's data() may be null: its bytes are its size alone.
  const auto save = [](StateWriter& out) {
    out(std::vector<double>(), std::string(), std::vector<int64_t>{5});
  };
  EXPECT_EQ(state_bytes(save), through_ostringstream(save));
}

TEST(StateBufferTest, NothingWrittenIsEmpty) {
  StateBuffer buffer(4096);
  EXPECT_EQ(std::move(buffer).take(), "");
  // A StateWriter writes its byte-order byte even with nothing saved.
  EXPECT_EQ(state_bytes([](StateWriter&) {}), through_ostringstream([](StateWriter&) {}));
}

}  // namespace
}  // namespace rivulet
