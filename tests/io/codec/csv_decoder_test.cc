#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

stream::SchemaPtr schema() {
  return make_schema({{"id", Type::kInt},
                      {"amount", Type::kDouble},
                      {"note", Type::kString},
                      {"ok", Type::kBool}});
}

struct Run {
  explicit Run(stream::SchemaPtr s) : batch(std::move(s)), ctx(dead) {}
  Batch batch;
  CollectingDeadLetters dead;
  OperatorContext ctx;
  size_t rows = 0;
  uint64_t skipped = 0;
};

// Each line is (origin, line number, text).
struct Line {
  std::string origin;
  uint64_t number;
  std::string text;
};

std::unique_ptr<Run> decode(const std::vector<Line>& lines, DecoderOptions options = {},
                            stream::SchemaPtr s = schema()) {
  options.encoding = Encoding::kCsv;
  auto decoder = Decoder::create(s, options);
  EXPECT_TRUE(decoder.ok()) << decoder.status().to_string();
  auto run = std::make_unique<Run>(s);
  RawLines raw;
  for (const auto& l : lines) raw.add(l.text, l.number, l.origin);
  run->rows = (*decoder)->decode(raw, run->batch, run->ctx, 42);
  run->skipped = (*decoder)->skipped();
  return run;
}

TEST(CsvDecoderTest, HeaderTypesQuotingAndNulls) {
  auto run = decode({{"a.csv", 1, "id,amount,note,ok"},
                     {"a.csv", 2, "1,2.5,plain,true"},
                     {"a.csv", 3, R"(2,,"a, b",FALSE)"},
                     {"a.csv", 4, R"(3,1e3,"he said ""hi""",1)"},
                     {"a.csv", 5, R"(,-0.5,"",)"},
                     {"a.csv", 6, "4,7,,0\r"}});
  ASSERT_EQ(run->rows, 5u) << (run->dead.letters.empty() ? "" : run->dead.letters[0].reason);
  const Batch& b = run->batch;
  EXPECT_EQ(b.get(0, 0), Value::of_int(1));
  EXPECT_EQ(b.get(0, 1), Value::of_double(2.5));
  EXPECT_EQ(b.get(0, 2), Value::of_string("plain"));
  EXPECT_EQ(b.get(0, 3), Value::of_bool(true));
  EXPECT_EQ(b.get(1, 1), Value());  // empty cell: NULL
  EXPECT_EQ(b.get(1, 2), Value::of_string("a, b"));
  EXPECT_EQ(b.get(1, 3), Value::of_bool(false));
  EXPECT_EQ(b.get(2, 1), Value::of_double(1000.0));
  EXPECT_EQ(b.get(2, 2), Value::of_string("he said \"hi\""));
  EXPECT_EQ(b.get(2, 3), Value::of_bool(true));
  EXPECT_EQ(b.get(3, 0), Value());
  EXPECT_EQ(b.get(3, 1), Value::of_double(-0.5));
  EXPECT_EQ(b.get(3, 2), Value::of_string(""));  // quoted empty: the empty string
  EXPECT_EQ(b.get(3, 3), Value());
  EXPECT_EQ(b.get(4, 2), Value());
  EXPECT_EQ(b.get(4, 3), Value::of_bool(false));
  EXPECT_EQ(b.event_time(0), 42);
  EXPECT_EQ(run->skipped, 1u);  // the header
}

TEST(CsvDecoderTest, HeaderPerOriginMapsColumnsByName) {
  auto run = decode({{"a.csv", 1, "\xEF\xBB\xBFnote,id,unused"},
                     {"b.csv", 1, "ok, id"},
                     {"a.csv", 2, "x,1,zzz"},
                     {"b.csv", 2, "true,2"},
                     {"a.csv", 3, "y,3,zzz"}});
  ASSERT_EQ(run->rows, 3u);
  EXPECT_EQ(run->batch.get(0, 0), Value::of_int(1));
  EXPECT_EQ(run->batch.get(0, 2), Value::of_string("x"));
  EXPECT_EQ(run->batch.get(0, 3), Value());
  EXPECT_EQ(run->batch.get(1, 0), Value::of_int(2));
  EXPECT_EQ(run->batch.get(1, 3), Value::of_bool(true));
  EXPECT_EQ(run->batch.get(2, 0), Value::of_int(3));
  EXPECT_EQ(run->batch.get(2, 2), Value::of_string("y"));
}

TEST(CsvDecoderTest, ByPositionWithoutHeader) {
  auto run = decode({{"s", 0, "1,2,x,true"}, {"s", 0, "5,6,\"y\",false"}}, {.csv_header = false});
  ASSERT_EQ(run->rows, 2u);
  EXPECT_EQ(run->batch.get(1, 0), Value::of_int(5));
  EXPECT_EQ(run->batch.get(1, 2), Value::of_string("y"));
}

TEST(CsvDecoderTest, SocketOriginFirstLineIsHeader) {
  auto run =
      decode({{"tcp://p:1", 0, "id;note"}, {"tcp://p:1", 0, "9;\"a;b\""}}, {.csv_delimiter = ';'});
  ASSERT_EQ(run->rows, 1u);
  EXPECT_EQ(run->batch.get(0, 0), Value::of_int(9));
  EXPECT_EQ(run->batch.get(0, 2), Value::of_string("a;b"));
}

TEST(CsvDecoderTest, DeadLetterReasons) {
  auto run = decode({{"a.csv", 1, "id,amount,note,ok"},
                     {"a.csv", 2, "x,1,n,true"},
                     {"a.csv", 3, "1,abc,n,true"},
                     {"a.csv", 4, "1.5,1,n,true"},
                     {"a.csv", 5, "1,1,n,maybe"},
                     {"a.csv", 6, "1,1,n"},
                     {"a.csv", 7, R"(1,1,"open,true)"},
                     {"a.csv", 8, R"(1,1,"a"b,true)"},
                     {"a.csv", 9, "3.0,1,n,true"}});
  ASSERT_EQ(run->rows, 1u);
  EXPECT_EQ(run->batch.get(0, 0), Value::of_int(3));
  std::vector<std::string> reasons;
  for (const auto& l : run->dead.letters) reasons.push_back(l.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "field 'id': expected bigint, got \"x\"",
                         "field 'amount': expected double, got \"abc\"",
                         "field 'id': expected bigint, got \"1.5\"",
                         "field 'ok': expected boolean, got \"maybe\"",
                         "line has 3 columns, the header has 4",
                         "malformed CSV: unterminated quoted field in column 3 (a quoted field "
                         "cannot span lines)",
                         "malformed CSV: unexpected character after the closing quote of column 3",
                     }));
  EXPECT_EQ(run->dead.letters[0].origin, "a.csv:2");
  EXPECT_EQ(run->dead.letters[0].record, "x,1,n,true");
  EXPECT_EQ(run->dead.letters[0].stage, "decode");
  auto positional = decode({{"s", 0, "1,2"}}, {.csv_header = false});
  ASSERT_EQ(positional->dead.letters.size(), 1u);
  EXPECT_EQ(positional->dead.letters[0].reason, "expected 4 columns (the schema's fields), got 2");
  auto headless = decode({{"nowhere.csv", 5, "1,2,3,true"}});
  ASSERT_EQ(headless->dead.letters.size(), 1u);
  EXPECT_EQ(headless->dead.letters[0].reason,
            "no CSV header seen from 'nowhere.csv' (csv_header is on)");
}

TEST(CsvDecoderTest, EventTimeFromIsoCell) {
  auto s = make_schema({{"ts", Type::kInt}, {"when", Type::kString}});
  auto run = decode({{"a", 1, "ts,when"},
                     {"a", 2, "2024-01-02T03:04:05.678Z,x"},
                     {"a", 3, "1704164645678,y"},
                     {"a", 4, "later,z"}},
                    {.event_time_field = "ts"}, s);
  ASSERT_EQ(run->rows, 2u);
  EXPECT_EQ(run->batch.get(0, 0), Value::of_int(1704164645678));
  EXPECT_EQ(run->batch.event_time(0), 1704164645678);
  EXPECT_EQ(run->batch.event_time(1), 1704164645678);
  ASSERT_EQ(run->dead.letters.size(), 1u);
  EXPECT_EQ(run->dead.letters[0].reason,
            "field 'ts': cannot read \"later\" as an event time (epoch milliseconds, or ISO-8601 "
            "such as 2024-01-02T03:04:05.678Z)");
  auto text_ts =
      decode({{"a", 1, "when,ts"}, {"a", 2, "2024-01-02,1"}}, {.event_time_field = "when"}, s);
  ASSERT_EQ(text_ts->rows, 1u);
  EXPECT_EQ(text_ts->batch.event_time(0), 1704153600000);
}

// After a restore the lines of a file resume past its header: the decoder reads it there.
TEST(CsvDecoderTest, HeaderReadFromFileWhenResumingMidFile) {
  const std::string path =
      testing::TempDir() + "rivulet_csv_resume_" + std::to_string(::getpid()) + ".csv";
  std::ofstream(path) << "note,id\nfirst,1\nsecond,2\n";
  auto run = decode({{path, 3, "second,2"}});
  ASSERT_EQ(run->rows, 1u);
  EXPECT_EQ(run->batch.get(0, 0), Value::of_int(2));
  EXPECT_EQ(run->batch.get(0, 2), Value::of_string("second"));
  std::filesystem::remove(path);
}

TEST(CsvDecoderTest, FuzzRandomBytesNeverCrash) {
  std::mt19937_64 rng(11);
  auto decoder = Decoder::create(schema(), {.encoding = Encoding::kCsv}).value();
  Batch batch(schema());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  uint64_t lines = 0, rows = 0;
  const std::string alphabet = "0123456789.,\"\r xe-+tT";
  for (int round = 0; round < 200; ++round) {
    RawLines raw;
    raw.add("id,amount,note,ok", 1, "f");
    for (int k = 0; k < 50; ++k) {
      std::string line;
      const size_t len = rng() % 40;
      for (size_t i = 0; i < len; ++i) {
        line.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                      : alphabet[rng() % alphabet.size()]);
      }
      raw.add(line, static_cast<uint64_t>(k + 2), "f");
    }
    lines += raw.size();
    rows += decoder->decode(raw, batch, ctx, 0);
    batch.clear();
  }
  EXPECT_EQ(rows + dead.letters.size() + decoder->skipped(), lines);
}

}  // namespace
}  // namespace rivulet::io
