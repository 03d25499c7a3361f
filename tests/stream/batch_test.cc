#include "rivulet/stream/batch.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace rivulet::stream {
namespace {

std::shared_ptr<const Schema> schema() {
  return std::make_shared<const Schema>(
      *Schema::create({{"id", Type::kInt}, {"name", Type::kString}, {"score", Type::kDouble}}));
}

TEST(BatchTest, AddSetGet) {
  Batch batch(schema());
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.n_fields(), 3u);
  EXPECT_EQ(batch.schema().field(1).name, "name");
  const size_t r0 = batch.add_row(1000);
  const size_t r1 = batch.add_row();
  EXPECT_EQ(r0, 0u);
  EXPECT_EQ(r1, 1u);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_TRUE(batch.get(0, 0).is_null());  // new rows are NULL
  batch.set(0, 0, Value::of_int(7));
  batch.set(0, 2, Value::of_double(0.5));
  std::string name = "alice";
  batch.set_string(0, 1, name);
  name[0] = 'X';  // the batch holds its own copy
  EXPECT_EQ(batch.get(0, 0), Value::of_int(7));
  EXPECT_EQ(batch.get(0, 1), Value::of_string("alice"));
  EXPECT_EQ(batch.get(0, 2), Value::of_double(0.5));
  EXPECT_EQ(batch.row(0)[1], Value::of_string("alice"));
  EXPECT_EQ(batch.values().size(), 6u);
  batch.mutable_row(1)[0] = Value::of_int(8);
  EXPECT_EQ(batch.get(1, 0), Value::of_int(8));
  EXPECT_EQ(batch.event_time(0), 1000);
  EXPECT_EQ(batch.event_time(1), kNoEventTime);
  batch.set_event_time(1, 2000);
  EXPECT_EQ(batch.event_times()[1], 2000);
  EXPECT_EQ(batch.arena().bytes_used(), 5u);
}

TEST(BatchTest, ClearKeepsCapacity) {
  Batch batch(schema());
  batch.reserve(100);
  for (int i = 0; i < 100; ++i) {
    const size_t r = batch.add_row(i);
    batch.set_string(r, 1, "name-" + std::to_string(i));
  }
  const size_t arena_capacity = batch.arena().capacity();
  const Value* data = batch.values().data();
  batch.clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.arena().bytes_used(), 0u);
  EXPECT_EQ(batch.arena().capacity(), arena_capacity);
  for (int i = 0; i < 100; ++i) {
    const size_t r = batch.add_row(i);
    batch.set_string(r, 1, "name-" + std::to_string(i));
  }
  EXPECT_EQ(batch.values().data(), data);  // same buffer
  EXPECT_EQ(batch.arena().n_chunks(), 1u);
  EXPECT_EQ(batch.get(99, 1), Value::of_string("name-99"));
}

TEST(BatchTest, RetainKeepsSelectedRowsInOrder) {
  Batch batch(schema());
  for (int i = 0; i < 6; ++i) {
    const size_t r = batch.add_row(100 + i);
    batch.set(r, 0, Value::of_int(i));
  }
  const std::vector<uint8_t> keep = {0, 1, 1, 0, 0, 1};
  EXPECT_EQ(batch.retain(keep), 3u);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.get(0, 0), Value::of_int(1));
  EXPECT_EQ(batch.get(1, 0), Value::of_int(2));
  EXPECT_EQ(batch.get(2, 0), Value::of_int(5));
  EXPECT_EQ(batch.event_time(2), 105);
}

TEST(BatchTest, AppendRowCopiesStrings) {
  Batch a(schema()), b(schema());
  a.add_row(5);
  a.set(0, 0, Value::of_int(1));
  a.set_string(0, 1, "bob");
  EXPECT_EQ(b.append_row(a, 0), 0u);
  a.clear();
  (void)a.arena().copy("zzz");  // overwrites where "bob" was
  EXPECT_EQ(b.get(0, 1), Value::of_string("bob"));
  EXPECT_EQ(b.get(0, 0), Value::of_int(1));
  EXPECT_EQ(b.event_time(0), 5);
  // Appending a row of the same batch (its storage may move).
  for (int i = 0; i < 50; ++i) b.append_row(b, 0);
  EXPECT_EQ(b.size(), 51u);
  EXPECT_EQ(b.get(50, 1), Value::of_string("bob"));
}

TEST(BatchTest, MovesWithItsStrings) {
  Batch a(schema());
  a.add_row();
  a.set_string(0, 1, "carol");
  Batch b(std::move(a));
  EXPECT_EQ(b.get(0, 1), Value::of_string("carol"));
  EXPECT_EQ(b.size(), 1u);
}

}  // namespace
}  // namespace rivulet::stream
