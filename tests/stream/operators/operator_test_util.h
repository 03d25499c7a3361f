#pragma once
// Helpers for the tests of the record-level operators: schemas, batches from literal rows, and
// running a batch through an operator with the rows, dead letters and counts collected.

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/stream/operator.h"
#include "rivulet/stream/operators.h"

namespace rivulet::stream::test {

inline SchemaPtr schema_of(std::vector<SchemaField> fields) {
  auto schema = Schema::create(std::move(fields));
  EXPECT_TRUE(schema.ok()) << schema.status().message();
  return std::make_shared<const Schema>(std::move(schema).value());
}

inline Value S(const char* s) { return Value::of_string(s); }
inline Value I(int64_t i) { return Value::of_int(i); }
inline Value D(double d) { return Value::of_double(d); }
inline Value B(bool b) { return Value::of_bool(b); }
inline Value N() { return Value(); }

// A batch of `schema` holding `rows` (strings copied into its arena); row r has event time
// 1000 + r.
inline Batch batch_of(const SchemaPtr& schema, const std::vector<std::vector<Value>>& rows) {
  Batch batch(schema);
  for (const auto& values : rows) {
    const size_t r = batch.add_row(1000 + static_cast<int64_t>(batch.size()));
    EXPECT_EQ(values.size(), schema->size());
    for (size_t f = 0; f < values.size() && f < schema->size(); ++f) {
      if (values[f].type() == Type::kString) {
        batch.set_string(r, f, values[f].as_string());
      } else {
        batch.set(r, f, values[f]);
      }
    }
  }
  return batch;
}

inline std::vector<std::string> rows_of(const Batch& batch) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < batch.size(); ++r) rows.push_back(row_to_json(batch, r));
  return rows;
}

// Opens `op` on `input` and returns its output schema (fails the test on an error).
inline SchemaPtr open_ok(Operator& op, const SchemaPtr& input) {
  OpenContext ctx;
  auto out = op.open(input, ctx);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : nullptr;
}

// The message of open's error ("" when it succeeds).
inline std::string open_error(Operator& op, const SchemaPtr& input) {
  OpenContext ctx;
  auto out = op.open(input, ctx);
  return out.ok() ? "" : out.status().message();
}

struct RunResult {
  std::vector<std::string> rows;
  std::vector<std::string> reasons;  // of the dead letters, in order
  std::vector<DeadLetter> dead;
  OperatorCounts counts;
  SchemaPtr schema;  // of the batch after process
};

// Runs `rows` of `input` through `op` (opened) as one batch.
inline RunResult run(Operator& op, const SchemaPtr& input,
                     const std::vector<std::vector<Value>>& rows) {
  Batch batch = batch_of(input, rows);
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  ctx.origin = "events.jsonl";
  const Status status = op.process(batch, ctx);
  EXPECT_TRUE(status.ok()) << status.message();
  RunResult result;
  result.rows = rows_of(batch);
  for (const DeadLetter& d : dead.letters) result.reasons.push_back(d.reason);
  result.dead = std::move(dead.letters);
  result.counts = ctx.counts;
  result.schema = batch.shared_schema();
  EXPECT_EQ(result.counts.in + result.counts.added,
            result.counts.out + result.counts.filtered + result.counts.dead);
  EXPECT_EQ(result.counts.out, batch.size());
  EXPECT_EQ(result.counts.dead, result.dead.size());
  return result;
}

// Snapshot then restore through the Operator interface; returns the bytes written.
inline std::string snapshot_round_trip(Operator& op) {
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    op.snapshot(writer);
  }
  const std::string written = bytes.str();
  std::stringstream empty;
  { StateWriter writer(empty); }
  EXPECT_EQ(written, empty.str()) << "a stateless operator writes nothing";
  std::stringstream in(written);
  StateReader reader(in);
  const Status status = op.restore(reader);
  EXPECT_TRUE(status.ok()) << status.message();
  return written;
}

template <class T>
std::unique_ptr<T> create_ok(Result<std::unique_ptr<T>> made) {
  EXPECT_TRUE(made.ok()) << made.status().message();
  return made.ok() ? std::move(made).value() : nullptr;
}

template <class T>
std::string create_error(Result<std::unique_ptr<T>> made) {
  return made.ok() ? "" : made.status().message();
}

}  // namespace rivulet::stream::test
