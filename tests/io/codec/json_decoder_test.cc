#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rivulet/io/codec.h"
#include "rivulet/stream/operator.h"

namespace rivulet::io {
namespace {

using stream::Batch;
using stream::CollectingDeadLetters;
using stream::OperatorContext;

stream::SchemaPtr make_schema(std::vector<SchemaField> fields) {
  return std::make_shared<const Schema>(*Schema::create(std::move(fields)));
}

stream::SchemaPtr payments() {
  return make_schema({{"id", Type::kInt},
                      {"amount", Type::kDouble},
                      {"country", Type::kString},
                      {"card.country", Type::kString},
                      {"is_fraud", Type::kBool},
                      {"tags", Type::kString},
                      {"meta", Type::kString},
                      {"ts", Type::kInt}});
}

// Decodes `lines` (origin "in.jsonl", numbered from 1) and returns the batch.
struct Decoded {
  explicit Decoded(stream::SchemaPtr schema) : batch(std::move(schema)), ctx(dead) {}
  Batch batch;
  CollectingDeadLetters dead;
  OperatorContext ctx;
  size_t rows = 0;
};

std::unique_ptr<Decoded> decode(const std::vector<std::string>& lines, stream::SchemaPtr schema,
                                DecoderOptions options = {}) {
  auto decoder = Decoder::create(schema, options);
  EXPECT_TRUE(decoder.ok()) << decoder.status().to_string();
  auto out = std::make_unique<Decoded>(schema);
  RawLines raw;
  for (size_t i = 0; i < lines.size(); ++i) raw.add(lines[i], i + 1, "in.jsonl");
  out->rows = (*decoder)->decode(raw, out->batch, out->ctx, /*now_ms=*/42);
  return out;
}

// The reason of the single dead letter of decoding `line` into payments().
std::string reason_of(const std::string& line, DecoderOptions options = {}) {
  auto d = decode({line}, payments(), options);
  EXPECT_EQ(d->rows, 0u) << line;
  if (d->dead.letters.size() != 1) return "(no dead letter)";
  return d->dead.letters[0].reason;
}

TEST(JsonDecoderTest, DecodesTypesNestedAndRawJson) {
  auto d =
      decode({R"({"id": 7, "amount": 12, "country": "FR", "card": {"bin": 4111, "country": "DE"},)"
              R"( "is_fraud": false, "tags": ["a", "b"], "meta": {"x": [1, {"y": 2}]},)"
              R"( "ts": 1700000000123, "extra": {"ignored": true}})"},
             payments(), {.event_time_field = "ts"});
  ASSERT_EQ(d->rows, 1u);
  ASSERT_TRUE(d->dead.letters.empty());
  const Batch& b = d->batch;
  EXPECT_EQ(b.get(0, 0), Value::of_int(7));
  EXPECT_EQ(b.get(0, 1), Value::of_double(12.0));  // an int into a double field
  EXPECT_EQ(b.get(0, 2), Value::of_string("FR"));
  EXPECT_EQ(b.get(0, 3), Value::of_string("DE"));
  EXPECT_EQ(b.get(0, 4), Value::of_bool(false));
  EXPECT_EQ(b.get(0, 5), Value::of_string(R"(["a", "b"])"));
  EXPECT_EQ(b.get(0, 6), Value::of_string(R"({"x": [1, {"y": 2}]})"));
  EXPECT_EQ(b.get(0, 7), Value::of_int(1700000000123));
  EXPECT_EQ(b.event_time(0), 1700000000123);
}

TEST(JsonDecoderTest, MissingAndNullAreNull) {
  auto d =
      decode({R"({"id": null, "card": null})", R"({})", R"({"card": {"bin": 1}})"}, payments());
  ASSERT_EQ(d->rows, 3u);
  for (size_t r = 0; r < 3; ++r) {
    for (size_t f = 0; f < 8; ++f) EXPECT_TRUE(d->batch.get(r, f).is_null()) << r << "," << f;
    EXPECT_EQ(d->batch.event_time(r), 42);  // no event time field: now_ms
  }
}

TEST(JsonDecoderTest, KeysInAnyOrderEscapedAndFlatDotted) {
  auto d = decode({R"({"id": 1, "country": "FR", "amount": 1.5})",
                   R"({"amount": 2.5, "id": 2, "country": "ES"})",
                   R"({"coun\u0074ry": "IT", "card.country": "PT"})",
                   R"({"id": 4, "country": "NL", "amount": 4.5})"},
                  payments());
  ASSERT_EQ(d->rows, 4u);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_int(1));
  EXPECT_EQ(d->batch.get(0, 1), Value::of_double(1.5));
  EXPECT_EQ(d->batch.get(0, 2), Value::of_string("FR"));
  EXPECT_EQ(d->batch.get(1, 0), Value::of_int(2));
  EXPECT_EQ(d->batch.get(1, 1), Value::of_double(2.5));
  EXPECT_EQ(d->batch.get(1, 2), Value::of_string("ES"));
  EXPECT_EQ(d->batch.get(2, 2), Value::of_string("IT"));
  EXPECT_EQ(d->batch.get(2, 3), Value::of_string("PT"));
  EXPECT_EQ(d->batch.get(3, 0), Value::of_int(4));
  EXPECT_EQ(d->batch.get(3, 2), Value::of_string("NL"));
}

TEST(JsonDecoderTest, LosslessConversions) {
  auto d = decode({R"({"id": 3.0, "country": 12.50, "tags": true, "meta": null})",
                   R"({"id": -9223372036854775808, "amount": 1e3})"},
                  payments());
  ASSERT_EQ(d->rows, 2u) << d->dead.letters[0].reason;
  EXPECT_EQ(d->batch.get(0, 0), Value::of_int(3));
  EXPECT_EQ(d->batch.get(0, 2), Value::of_string("12.50"));  // the number as written
  EXPECT_EQ(d->batch.get(0, 5), Value::of_string("true"));
  EXPECT_EQ(d->batch.get(1, 0), Value::of_int(INT64_MIN));
  EXPECT_EQ(d->batch.get(1, 1), Value::of_double(1000.0));
}

TEST(JsonDecoderTest, NestedFieldTypeMismatch) {
  auto schema = make_schema({{"card.bin", Type::kInt}, {"card.country", Type::kString}});
  auto d =
      decode({R"({"card": {"country": 5, "bin": 4111}})", R"({"card": {"bin": "4111"}})"}, schema);
  ASSERT_EQ(d->rows, 1u);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_int(4111));
  EXPECT_EQ(d->batch.get(0, 1), Value::of_string("5"));
  ASSERT_EQ(d->dead.letters.size(), 1u);
  EXPECT_EQ(d->dead.letters[0].reason, "field 'card.bin': expected bigint, got string \"4111\"");
}

TEST(JsonDecoderTest, EventTimeFromIsoStrings) {
  auto schema = make_schema({{"ts", Type::kString}, {"v", Type::kInt}});
  auto d = decode(
      {R"({"ts": "2024-01-02T03:04:05.678Z", "v": 1})",
       R"({"ts": "2024-01-02T04:04:05.678+01:00", "v": 2})", R"({"ts": "2024-01-02", "v": 3})",
       R"({"ts": "2024-01-02 03:04:05", "v": 4})", R"({"ts": "1704164645678", "v": 5})",
       R"({"ts": 1704164645678.4, "v": 6})", R"({"v": 7})"},
      schema, {.event_time_field = "ts"});
  ASSERT_EQ(d->rows, 7u);
  EXPECT_EQ(d->batch.event_time(0), 1704164645678);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_string("2024-01-02T03:04:05.678Z"));
  EXPECT_EQ(d->batch.event_time(1), 1704164645678);
  EXPECT_EQ(d->batch.event_time(2), 1704153600000);
  EXPECT_EQ(d->batch.event_time(3), 1704164645000);
  EXPECT_EQ(d->batch.event_time(4), 1704164645678);
  EXPECT_EQ(d->batch.event_time(5), 1704164645678);
  EXPECT_EQ(d->batch.get(5, 0), Value::of_string("1704164645678.4"));
  EXPECT_EQ(d->batch.event_time(6), 42);  // missing: the processing time
}

TEST(JsonDecoderTest, EventTimeInMicrosecondsOrSeconds) {
  auto schema = make_schema({{"ts", Type::kInt}, {"s", Type::kString}, {"d", Type::kDouble}});
  // Microseconds are rounded down to the millisecond, before the epoch too.
  auto us = decode({R"({"ts": 1704164645678999})", R"({"ts": -1500})",
                    R"({"ts": "2024-01-02T03:04:05.678Z"})", R"({"ts": "1704164645678001"})"},
                   schema, {.event_time_field = "ts", .event_time_unit_us = 1});
  ASSERT_EQ(us->rows, 4u);
  EXPECT_EQ(us->batch.event_time(0), 1704164645678);
  EXPECT_EQ(us->batch.event_time(1), -2);
  // ISO-8601 text is absolute; into a bigint field it is stored in the field's unit.
  EXPECT_EQ(us->batch.event_time(2), 1704164645678);
  EXPECT_EQ(us->batch.get(2, 0), Value::of_int(1704164645678000));
  EXPECT_EQ(us->batch.event_time(3), 1704164645678);
  auto s = decode({R"({"s": "1704164645"})", R"({"s": "2024-01-02T03:04:05.678Z"})"}, schema,
                  {.event_time_field = "s", .event_time_unit_us = 1000000});
  ASSERT_EQ(s->rows, 2u);
  EXPECT_EQ(s->batch.event_time(0), 1704164645000);
  EXPECT_EQ(s->batch.event_time(1), 1704164645678);
  auto d = decode({R"({"d": 1704164645.5})", R"({"d": 1e300})"}, schema,
                  {.event_time_field = "d", .event_time_unit_us = 1000000});
  ASSERT_EQ(d->rows, 1u);
  EXPECT_EQ(d->batch.event_time(0), 1704164645500);
  ASSERT_EQ(d->dead.letters.size(), 1u);
  EXPECT_EQ(d->dead.letters[0].reason, "field 'd': 1e+300 is not an event time");
}

TEST(JsonDecoderTest, IsoStringIntoBigintEventTimeField) {
  auto schema = make_schema({{"ts", Type::kInt}});
  auto d = decode({R"({"ts": "2024-01-02T03:04:05.678Z"})", R"({"ts": "soon"})"}, schema,
                  {.event_time_field = "ts"});
  ASSERT_EQ(d->rows, 1u);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_int(1704164645678));
  EXPECT_EQ(d->batch.event_time(0), 1704164645678);
  ASSERT_EQ(d->dead.letters.size(), 1u);
  EXPECT_EQ(d->dead.letters[0].reason,
            "field 'ts': cannot read \"soon\" as an event time (epoch milliseconds, or ISO-8601 "
            "such as 2024-01-02T03:04:05.678Z)");
}

TEST(JsonDecoderTest, DeadLetterReasons) {
  EXPECT_EQ(reason_of(R"({"amount": "abc"})"),
            "field 'amount': expected double, got string \"abc\"");
  EXPECT_EQ(reason_of(R"({"id": "12"})"), "field 'id': expected bigint, got string \"12\"");
  EXPECT_EQ(reason_of(R"({"id": 3.5})"), "field 'id': expected bigint, got number 3.5");
  EXPECT_EQ(reason_of(R"({"id": 1e30})"), "field 'id': expected bigint, got number 1e30");
  EXPECT_EQ(reason_of(R"({"is_fraud": 1})"), "field 'is_fraud': expected boolean, got number 1");
  EXPECT_EQ(reason_of(R"({"amount": true})"), "field 'amount': expected double, got boolean true");
  EXPECT_EQ(reason_of(R"({"amount": [1]})"), "field 'amount': expected double, got array");
  EXPECT_EQ(reason_of(R"({"id": {"a": 1}})"), "field 'id': expected bigint, got object");
  EXPECT_EQ(reason_of(R"({"amount": "0123456789012345678901234567890123456789xyz"})"),
            "field 'amount': expected double, got string "
            "\"0123456789012345678901234567890123456789...\"");
  EXPECT_EQ(reason_of("[1, 2]"), "expected a JSON object, got array");
  EXPECT_EQ(reason_of("42"), "expected a JSON object, got number");
  EXPECT_EQ(reason_of(R"({"id": 1} {"id": 2})"), "malformed JSON: text after the object");
  EXPECT_EQ(reason_of(R"({"id": 1)"),
            "malformed JSON: JSON document ended early in the middle of an object or array.");
  EXPECT_EQ(reason_of(R"({"id": 1, "amount": 1e999})"),
            "field 'amount': malformed JSON: Problem while parsing a number");
  EXPECT_EQ(reason_of("{\"country\": \"\xff\"}"), "malformed JSON: The input is not valid UTF-8");
  EXPECT_EQ(reason_of("not json"),
            "malformed JSON: Problem while parsing an atom starting with the letter 'n'");
  EXPECT_EQ(reason_of("\"just a string\""), "expected a JSON object, got string");
  EXPECT_EQ(reason_of("null"), "expected a JSON object, got null");
}

TEST(JsonDecoderTest, DeadLetterCarriesOriginAndRawLine) {
  auto d = decode({R"({"id": 1})", R"({"id": "x"})", "", R"({"id": 3})"}, payments());
  auto decoder = Decoder::create(payments(), {}).value();
  EXPECT_EQ(d->rows, 2u);
  ASSERT_EQ(d->dead.letters.size(), 1u);
  const auto& letter = d->dead.letters[0];
  EXPECT_EQ(letter.stage, "decode");
  EXPECT_EQ(letter.origin, "in.jsonl:2");
  EXPECT_EQ(letter.record, R"({"id": "x"})");
  EXPECT_EQ(letter.event_time, stream::kNoEventTime);
  EXPECT_EQ(d->ctx.counts.dead, 1u);
  EXPECT_EQ(d->batch.get(1, 0), Value::of_int(3));
}

TEST(JsonDecoderTest, BlankLinesAreSkippedAndCounted) {
  auto decoder = Decoder::create(payments(), {}).value();
  RawLines raw;
  raw.add(R"({"id": 1})", 1, "x");
  raw.add("   ", 2, "x");
  raw.add("", 3, "x");
  Batch batch(payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  EXPECT_EQ(decoder->decode(raw, batch, ctx, 0), 1u);
  EXPECT_EQ(decoder->skipped(), 2u);
  EXPECT_TRUE(dead.letters.empty());
}

TEST(JsonDecoderTest, LenientNumbers) {
  auto d = decode({R"({"amount": "12.5", "id": " 7", "is_fraud": "true"})"}, payments(),
                  {.lenient_numbers = true});
  ASSERT_EQ(d->rows, 1u);
  EXPECT_EQ(d->batch.get(0, 1), Value::of_double(12.5));
  EXPECT_EQ(d->batch.get(0, 0), Value::of_int(7));
  EXPECT_EQ(d->batch.get(0, 4), Value::of_bool(true));
  EXPECT_EQ(reason_of(R"({"amount": "abc"})", {.lenient_numbers = true}),
            "field 'amount': expected double, got string \"abc\"");
}

TEST(JsonDecoderTest, KeyBothStringFieldAndParent) {
  auto schema = make_schema({{"card", Type::kString}, {"card.country", Type::kString}});
  auto d = decode({R"({"card": {"country": "FR", "bin": 1}})"}, schema);
  ASSERT_EQ(d->rows, 1u);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_string(R"({"country": "FR", "bin": 1})"));
  EXPECT_EQ(d->batch.get(0, 1), Value::of_string("FR"));
}

TEST(JsonDecoderTest, CreateErrors) {
  EXPECT_EQ(Decoder::create(payments(), {.event_time_field = "tss"}).status().message(),
            "decoder: event_time_field: unknown field 'tss' (did you mean 'ts'?)");
  EXPECT_EQ(Decoder::create(payments(), {.event_time_field = "is_fraud"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Decoder::create(payments(), {.encoding = Encoding::kText}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_encoding("xml").status().message(),
            "unknown format 'xml' (valid: json, jsonl, csv, text)");
  EXPECT_EQ(*parse_encoding("jsonl"), Encoding::kJson);
}

TEST(JsonDecoderTest, TextLines) {
  auto schema = make_schema({{"line", Type::kString}});
  auto d =
      decode({"hello world", "", "{\"not\": \"parsed\"}"}, schema, {.encoding = Encoding::kText});
  ASSERT_EQ(d->rows, 3u);
  EXPECT_EQ(d->batch.get(0, 0), Value::of_string("hello world"));
  EXPECT_EQ(d->batch.get(1, 0), Value::of_string(""));
  EXPECT_EQ(d->batch.get(2, 0), Value::of_string("{\"not\": \"parsed\"}"));
  EXPECT_EQ(d->batch.event_time(0), 42);
}

// Random bytes and random damage to valid lines: never a crash, every line accounted for.
TEST(JsonDecoderTest, FuzzRandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> seeds = {
      R"({"id": 7, "amount": 12.5, "country": "FR", "card": {"country": "DE"}, "is_fraud": true, "tags": [1, "x", {"a": null}], "ts": 1700000000123})",
      R"({"meta": {"k": "v\n\u00e9"}, "id": -1, "amount": -0.0e-5})"};
  auto decoder = Decoder::create(payments(), {.event_time_field = "ts"}).value();
  Batch batch(payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  uint64_t lines = 0, rows = 0;
  for (int round = 0; round < 300; ++round) {
    RawLines raw;
    for (int k = 0; k < 50; ++k) {
      std::string line;
      if (rng() % 3 == 0) {
        const size_t len = rng() % 200;
        for (size_t i = 0; i < len; ++i) line.push_back(static_cast<char>(rng() % 256));
      } else {
        line = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !line.empty(); ++e) {
          const size_t at = rng() % line.size();
          switch (rng() % 3) {
            case 0:
              line[at] = static_cast<char>(rng() % 256);
              break;
            case 1:
              line.erase(at, 1 + rng() % 8);
              break;
            default:
              line.insert(at, 1, "{}[]\",:\\0e-"[rng() % 12]);
          }
        }
      }
      raw.add(line, static_cast<uint64_t>(k + 1), "fuzz");
    }
    lines += raw.size();
    rows += decoder->decode(raw, batch, ctx, 0);
    batch.clear();
  }
  EXPECT_EQ(rows + dead.letters.size() + decoder->skipped(), lines);
  EXPECT_GT(rows, 0u);
  EXPECT_GT(dead.letters.size(), 0u);
}

}  // namespace
}  // namespace rivulet::io
