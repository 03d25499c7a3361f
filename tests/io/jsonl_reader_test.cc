#include <gtest/gtest.h>

#include <string>

#include "io/reader_test_util.h"
#include "rivulet/io/record_reader.h"

namespace rivulet::io {
namespace {

using test_util::read_all;
using test_util::read_text;
using test_util::TempFile;

TEST(JsonlReaderTest, ValueTypes) {
  auto rows =
      read_text("types.jsonl",
                R"({"x": 1.50, "name": "abc", "yes": true, "no": false, "gone": null, "e": -2e3})"
                "\n",
                Format::kJsonLines);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok) << rows[0].error.to_string();
  const auto& r = rows[0];
  ASSERT_EQ(r.cells.size(), 5u);
  EXPECT_TRUE(r.find("x")->is_number);
  EXPECT_EQ(r.find("x")->number, 1.5);
  EXPECT_EQ(r.find("x")->text, "1.50");  // the text as written
  EXPECT_FALSE(r.find("name")->is_number);
  EXPECT_EQ(r.find("name")->text, "abc");
  EXPECT_EQ(r.find("yes")->number, 1.0);
  EXPECT_EQ(r.find("yes")->text, "true");
  EXPECT_EQ(r.find("no")->number, 0.0);
  EXPECT_EQ(r.find("gone"), nullptr);
  EXPECT_EQ(r.find("e")->number, -2000.0);
}

TEST(JsonlReaderTest, StringsAreTextEvenWhenTheyLookLikeNumbers) {
  auto rows = read_text("strnum.jsonl", R"({"a": "3.5", "b": "tab\there", "c": "", "d": "?"})",
                        Format::kJsonLines);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_FALSE(rows[0].find("a")->is_number);
  EXPECT_EQ(rows[0].find("b")->text, "tab\there");
  EXPECT_EQ(rows[0].find("c"), nullptr);  // ReaderOptions::missing applies to strings
  EXPECT_EQ(rows[0].find("d"), nullptr);
}

TEST(JsonlReaderTest, NestedObjectsAndArraysAreFlattened) {
  TempFile file(
      "nested.jsonl",
      R"({"a": {"b": 1, "c": {"d": "x"}}, "v": [10, [20, 30], {"w": 40}], "e": {}, "f": []})"
      "\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok) << rows[0].error.to_string();
  EXPECT_EQ((*reader)->columns(),
            (std::vector<std::string>{"a.b", "a.c.d", "v.0", "v.1.0", "v.1.1", "v.2.w"}));
  EXPECT_EQ(rows[0].find("a.c.d")->text, "x");
  EXPECT_EQ(rows[0].find("v.1.1")->number, 30.0);
  EXPECT_EQ(rows[0].find("v.2.w")->number, 40.0);
}

TEST(JsonlReaderTest, ColumnsAreAddedAsTheyAppear) {
  TempFile file("grow.jsonl", "{\"a\": 1}\n{\"b\": 2, \"a\": 3}\n{\"c\": 4}\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->columns().empty());
  Record record;
  ASSERT_TRUE(*(*reader)->next(record));
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"a"}));
  ASSERT_TRUE(*(*reader)->next(record));
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(record.size(), 2u);
  EXPECT_EQ(record.find(0)->number, 3.0);
  EXPECT_EQ(record.find(1)->number, 2.0);
  ASSERT_TRUE(*(*reader)->next(record));
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(*(*reader)->next(record));
}

TEST(JsonlReaderTest, MalformedLinesAreRowErrorsAndReadingGoesOn) {
  TempFile file("bad.jsonl",
                "{\"a\": 1}\n"
                "{\"a\": 2, \"zz\": tru}\n"          // bad atom
                "{\"a\": 3,}\n"                      // trailing comma
                "[1, 2]\n"                           // not an object
                "42\n"                               // not an object
                "{\"a\": 4} {\"a\": 5}\n"            // two objects
                "{\"a\": 6, \"a\": 7}\n"             // repeated key
                "{\"a\": {\"b\": 1}, \"a.b\": 2}\n"  // repeated after flattening
                "{\"a\": \"unterminated}\n"
                "{\"a\": 8\n"  // not closed
                "{\"a\": 9}\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 11u);
  const std::string p = file.path();
  EXPECT_TRUE(rows[0].ok);
  for (size_t i = 1; i < 10; ++i) {
    EXPECT_FALSE(rows[i].ok) << "line " << i + 1;
    EXPECT_EQ(rows[i].error.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(rows[i].error.message().rfind(p + ":" + std::to_string(i + 1) + ": ", 0), 0u)
        << rows[i].error.message();
    EXPECT_EQ(rows[i].line, i + 1);
  }
  EXPECT_NE(rows[1].error.message().find("malformed JSON: "), std::string::npos);
  EXPECT_EQ(rows[3].error.message(), p + ":4: expected a JSON object");
  EXPECT_EQ(rows[5].error.message(), p + ":6: malformed JSON: text after the object");
  EXPECT_EQ(rows[6].error.message(), p + ":7: duplicate key 'a'");
  EXPECT_EQ(rows[7].error.message(), p + ":8: duplicate key 'a.b'");
  ASSERT_TRUE(rows[10].ok);
  EXPECT_EQ(rows[10].find("a")->number, 9.0);
  // Rejected rows added no columns ("zz" came only from line 2).
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"a"}));
}

TEST(JsonlReaderTest, ColumnsOfARejectedRowAreReused) {
  TempFile file(
      "reuse.jsonl",
      "{\"a\": 1}\n{\"a\": 1, \"b\": 1, \"c\": tru}\n{\"a\": 2, \"d\": 2}\n{\"a\": 3, \"b\": 3}\n"
      "{\"b\": 4, \"a\": 4, \"d\": 4}\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_FALSE(rows[1].ok);
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"a", "d", "b"}));
  EXPECT_EQ(rows[2].find("d")->number, 2.0);
  EXPECT_EQ(rows[3].find("b")->number, 3.0);
  EXPECT_EQ(rows[3].find("d"), nullptr);
  EXPECT_EQ(rows[4].find("a")->number, 4.0);
  EXPECT_EQ(rows[4].find("b")->number, 4.0);
  EXPECT_EQ(rows[4].find("d")->number, 4.0);
}

TEST(JsonlReaderTest, DeepNestingIsARowError) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 200; ++i) deep += "}";
  std::string arrays = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto rows = read_text("deep.jsonl", deep + "\n" + arrays + "\n{\"b\":1}\n", Format::kJsonLines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[0].ok);
  EXPECT_FALSE(rows[1].ok);
  EXPECT_TRUE(rows[2].ok);
}

TEST(JsonlReaderTest, BlankLinesCrlfBomAndNoTrailingNewline) {
  auto rows =
      read_text("misc.jsonl", "\xEF\xBB\xBF{\"a\": 1}\r\n\r\n   \n\t{\"a\": 2}  \r\n{\"a\": 3}",
                Format::kJsonLines);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) ASSERT_TRUE(r.ok) << r.error.to_string();
  EXPECT_EQ(rows[1].line, 4u);
  EXPECT_EQ(rows[2].find("a")->number, 3.0);
}

TEST(JsonlReaderTest, NumbersBeyondDoubleRangeAreMissing) {
  auto rows = read_text("huge.jsonl", R"({"a": 1e999, "b": 18446744073709551616, "c": 2})",
                        Format::kJsonLines);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok) << rows[0].error.to_string();
  EXPECT_EQ(rows[0].find("a"), nullptr);
  EXPECT_EQ(rows[0].find("b")->number, 18446744073709551616.0);
  EXPECT_EQ(rows[0].find("c")->number, 2.0);
}

TEST(JsonlReaderTest, ManyLinesAcrossBufferBoundaries) {
  // Lines of every length around the 256 KiB chunk boundary, parsed in place in the buffer.
  std::string content;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    content += "{\"i\":" + std::to_string(i) + ",\"s\":\"" +
               std::string(static_cast<size_t>(i % 23), 'x') + "\",\"v\":[" +
               std::to_string(i % 7) + "]}\n";
  }
  TempFile file("many.jsonl.gz", content, /*gzip=*/true);
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(rows[static_cast<size_t>(i)].ok) << rows[static_cast<size_t>(i)].error.to_string();
    ASSERT_EQ(rows[static_cast<size_t>(i)].find("i")->number, i);
    ASSERT_EQ(rows[static_cast<size_t>(i)].find("v.0")->number, i % 7);
  }
}

TEST(JsonlReaderTest, LineLongerThanTheLimitIsARowError) {
  ReaderOptions options;
  options.max_line_bytes = 20;
  auto rows = read_text("long.jsonl", "{\"a\": 1}\n{\"a\": \"0123456789012345\"}\n{\"a\": 2}\n",
                        Format::kJsonLines, options);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].error.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(rows[2].ok);
}

TEST(JsonlReaderTest, MissingFileAndDirectory) {
  EXPECT_EQ(open_reader(testing::TempDir() + "rivulet_no_such.jsonl").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(open_reader(testing::TempDir(), Format::kJsonLines).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rivulet::io
