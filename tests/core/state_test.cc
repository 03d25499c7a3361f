#include "rivulet/core/state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
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

TEST(StateBufferTest, WritesIntoTheMemoryOfEarlierBytes) {
  const std::string expected = through_ostringstream(mixed_writes);
  // Earlier bytes, longer or shorter than these: their memory is reused, their bytes gone.
  for (const size_t earlier : {size_t{0}, size_t{10}, expected.size() / 2, 2 * expected.size()}) {
    std::string storage(earlier, 'x');
    const char* memory = storage.data();
    StateBuffer buffer(std::move(storage), 0);
    {
      std::ostream stream(&buffer);
      StateWriter out(stream);
      mixed_writes(out);
    }
    const std::string bytes = std::move(buffer).take();
    EXPECT_TRUE(bytes == expected) << "earlier " << earlier;
    if (earlier > expected.size()) EXPECT_EQ(bytes.data(), memory);  // not reallocated
  }
}

// A struct of many small fields, as a tree's leaves are: numbers, a string, vectors of numbers,
// of pairs of numbers (empty too), and of structs.
struct Inner {
  uint32_t id = 0;
  std::vector<std::pair<uint32_t, double>> counts;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, counts);
  }
};
struct Outer {
  bool flag = false;
  uint16_t small = 0;
  double value = 0.0;
  std::string name;
  std::vector<uint32_t> ids;
  std::vector<Inner> inner;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(flag, small, value, name, ids, inner);
  }
};

TEST(StateAppenderTest, AppendsTheBytesAStateWriterWrites) {
  std::vector<Outer> values(200);
  for (size_t i = 0; i < values.size(); ++i) {
    Outer& o = values[i];
    o.flag = i % 3 == 0;
    o.small = static_cast<uint16_t>(i * 7);
    o.value = static_cast<double>(i) / 7.0;
    o.name = std::string(i % 40, static_cast<char>('a' + i % 26));
    for (size_t k = 0; k < i % 5; ++k) o.ids.push_back(static_cast<uint32_t>(i * k));
    for (size_t k = 0; k < i % 4; ++k) {
      Inner in{static_cast<uint32_t>(k), {}};
      for (size_t c = 0; c < (i + k) % 6; ++c) in.counts.emplace_back(c, 0.5 * c + i);
      o.inner.push_back(std::move(in));
    }
  }
  const auto save = [&](StateWriter& out) { out(int64_t{-5}, values, std::string("end")); };
  const std::string expected = through_ostringstream(save);
  // Appended after what the string holds, without the StateWriter's byte-order byte.
  std::string appended = "head";
  {
    StateAppender a(appended);
    a(int64_t{-5}, values, std::string("end"));
  }
  EXPECT_EQ(appended.substr(0, 4), "head");
  EXPECT_TRUE(appended.substr(4) == expected.substr(1));
  // save_appended writes them into a StateWriter as one block: the same bytes again.
  const std::string through = state_bytes([&](StateWriter& out) {
    save_appended(out, [&](StateAppender& a) { a(int64_t{-5}, values, std::string("end")); });
  });
  EXPECT_TRUE(through == expected);
}

}  // namespace
}  // namespace rivulet
