#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "rivulet/io/codec.h"
#include "rivulet/stream/operator.h"

namespace rivulet::io {
namespace {

using stream::Batch;

stream::SchemaPtr schema() {
  return std::make_shared<const Schema>(*Schema::create({{"id", Type::kInt},
                                                         {"score", Type::kDouble},
                                                         {"name", Type::kString},
                                                         {"ok", Type::kBool}}));
}

// Rows with the awkward values: escapes, exponents, NaN, NULLs, empty strings.
Batch sample() {
  Batch batch(schema());
  auto add = [&](Value id, Value score, std::string_view name, bool null_name, Value ok) {
    const size_t r = batch.add_row();
    batch.set(r, 0, id);
    batch.set(r, 1, score);
    if (!null_name) batch.set_string(r, 2, name);
    batch.set(r, 3, ok);
  };
  add(Value::of_int(1), Value::of_double(0.1), "plain", false, Value::of_bool(true));
  add(Value::of_int(-42), Value::of_double(12.0), "quote \" back \\ nl \n tab \t cr \r", false,
      Value::of_bool(false));
  add(Value(), Value::of_double(1e21), "a,b", false, Value());
  add(Value::of_int(INT64_MIN), Value::of_double(std::numeric_limits<double>::quiet_NaN()), "",
      false, Value::of_bool(true));
  add(Value::of_int(0), Value::of_double(-1.5e-7), "", true, Value());
  add(Value::of_int(5), Value::of_double(-INFINITY), "ctl \x01 é", false, Value());
  return batch;
}

TEST(EncoderTest, JsonMatchesRowToJsonExactly) {
  auto encoder = Encoder::create(schema(), {}).value();
  Batch batch = sample();
  std::string out;
  encoder->encode(batch, out);
  std::string expected;
  for (size_t r = 0; r < batch.size(); ++r) expected += stream::row_to_json(batch, r) + "\n";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out.substr(0, out.find('\n')),
            R"({"id": 1, "score": 0.1, "name": "plain", "ok": true})");
  // The line of the row with escapes and the one with NaN.
  std::string row;
  encoder->encode_row(batch, 1, row);
  EXPECT_EQ(
      row,
      "{\"id\": -42, \"score\": 12, \"name\": \"quote \\\" back \\\\ nl \\n tab \\t cr \\r\", "
      "\"ok\": false}\n");
  row.clear();
  encoder->encode_row(batch, 3, row);
  EXPECT_EQ(row, "{\"id\": -9223372036854775808, \"score\": null, \"name\": \"\", \"ok\": true}\n");
  row.clear();
  encoder->encode_row(batch, 5, row);
  EXPECT_EQ(row, "{\"id\": 5, \"score\": null, \"name\": \"ctl \\u0001 é\", \"ok\": null}\n");
}

// Random values of every type, strings of any bytes: always the bytes of row_to_json.
TEST(EncoderTest, JsonEqualsRowToJsonOnRandomRows) {
  std::mt19937_64 rng(3);
  auto encoder = Encoder::create(schema(), {}).value();
  Batch batch(schema());
  for (int i = 0; i < 2000; ++i) {
    const size_t r = batch.add_row();
    if (rng() % 5 != 0) batch.set(r, 0, Value::of_int(static_cast<int64_t>(rng())));
    double d = 0;
    const uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (rng() % 2 == 0) d = static_cast<double>(rng() % 100000) / 1000.0;
    batch.set(r, 1, Value::of_double(d));
    std::string text(rng() % 40, ' ');
    for (char& c : text) c = static_cast<char>(rng() % 256);
    batch.set_string(r, 2, text);
    if (rng() % 3 != 0) batch.set(r, 3, Value::of_bool(rng() % 2 == 0));
  }
  std::string out;
  encoder->encode(batch, out);
  std::string expected;
  for (size_t r = 0; r < batch.size(); ++r) expected += stream::row_to_json(batch, r) + "\n";
  EXPECT_EQ(out, expected);
}

TEST(EncoderTest, CsvQuotingAndHeaderOnce) {
  auto encoder = Encoder::create(schema(), {.encoding = Encoding::kCsv}).value();
  Batch batch = sample();
  std::string out;
  encoder->encode(batch, out);
  encoder->encode(batch, out);  // no second header
  const std::string rows =
      "1,0.1,plain,true\n"
      "-42,12,\"quote \"\" back \\ nl \n tab \t cr \r\",false\n"
      ",1e+21,\"a,b\",\n"
      "-9223372036854775808,NaN,\"\",true\n"
      "0,-1.5e-07,,\n"
      "5,-Infinity,ctl \x01 é,\n";
  EXPECT_EQ(out, "id,score,name,ok\n" + rows + rows);
  std::string header;
  encoder->append_header(header);
  EXPECT_EQ(header, "id,score,name,ok\n");
}

TEST(EncoderTest, CsvWithoutHeaderAndOtherDelimiter) {
  auto encoder =
      Encoder::create(schema(),
                      {.encoding = Encoding::kCsv, .csv_header = false, .csv_delimiter = ';'})
          .value();
  Batch batch = sample();
  std::string out;
  encoder->encode_row(batch, 2, out);
  EXPECT_EQ(out, ";1e+21;a,b;\n");
}

TEST(EncoderTest, TextWritesTheOneField) {
  auto one = std::make_shared<const Schema>(*Schema::create({{"line", Type::kString}}));
  auto encoder = Encoder::create(one, {.encoding = Encoding::kText}).value();
  Batch batch(one);
  batch.set_string(batch.add_row(), 0, "hello");
  batch.add_row();
  batch.set_string(batch.add_row(), 0, "two\nlines");
  std::string out;
  encoder->encode(batch, out);
  EXPECT_EQ(out, "hello\n\ntwo lines\n");
  EXPECT_FALSE(Encoder::create(schema(), {.encoding = Encoding::kText}).ok());
  EXPECT_FALSE(Encoder::create(schema(), {.encoding = Encoding::kCsv, .csv_delimiter = '"'}).ok());
}

TEST(EncoderTest, CsvRoundTripsThroughTheDecoder) {
  auto encoder = Encoder::create(schema(), {.encoding = Encoding::kCsv}).value();
  Batch batch = sample();
  std::string out;
  encoder->encode(batch, out);
  // Rows 0, 2 and 4 (lines 2, 5 and 7: row 1 spans two lines) come back equal.
  RawLines raw;
  size_t line_number = 0, start = 0;
  for (size_t nl = out.find('\n'); nl != std::string::npos;
       start = nl + 1, nl = out.find('\n', start)) {
    ++line_number;
    if (line_number == 1 || line_number == 2 || line_number == 5 || line_number == 7) {
      raw.add(std::string_view(out).substr(start, nl - start), line_number, "rt.csv");
    }
  }
  auto decoder = Decoder::create(schema(), {.encoding = Encoding::kCsv}).value();
  Batch back(schema());
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  ASSERT_EQ(decoder->decode(raw, back, ctx, 0), 3u);
  for (size_t f = 0; f < 4; ++f) {
    EXPECT_EQ(back.get(0, f), batch.get(0, f));
    EXPECT_EQ(back.get(1, f), batch.get(2, f));
    EXPECT_EQ(back.get(2, f), batch.get(4, f));
  }
}

}  // namespace
}  // namespace rivulet::io
