#include <gtest/gtest.h>

#include <string>

#include "io/reader_test_util.h"
#include "rivulet/io/record_reader.h"

namespace rivulet::io {
namespace {

using test_util::read_all;
using test_util::read_text;
using test_util::TempFile;

TEST(CsvReaderTest, NumbersAndText) {
  auto rows = read_text("basic.csv", "x,name,y\n1.5,abc,-2\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok);
  ASSERT_EQ(rows[0].cells.size(), 3u);
  EXPECT_TRUE(rows[0].cells[0].is_number);
  EXPECT_EQ(rows[0].cells[0].number, 1.5);
  EXPECT_EQ(rows[0].cells[0].text, "1.5");
  EXPECT_FALSE(rows[0].cells[1].is_number);
  EXPECT_EQ(rows[0].cells[1].text, "abc");
  EXPECT_EQ(rows[0].cells[2].number, -2.0);
  EXPECT_EQ(rows[0].line, 2u);
}

TEST(CsvReaderTest, QuotedFieldsAndDoubledQuotes) {
  auto rows =
      read_text("quoted.csv", "a,b,c\n\"x,y\",\"he said \"\"hi\"\"\",\"3\"\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok) << rows[0].error.to_string();
  EXPECT_EQ(rows[0].find("a")->text, "x,y");
  EXPECT_EQ(rows[0].find("b")->text, "he said \"hi\"");
  EXPECT_TRUE(rows[0].find("c")->is_number);
  EXPECT_EQ(rows[0].find("c")->number, 3.0);
}

TEST(CsvReaderTest, QuotedNewlinesJoinLines) {
  auto rows = read_text("multiline.csv", "a,b\n\"line1\nline2\",2\n3,4\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[0].find("a")->text, "line1\nline2");
  EXPECT_EQ(rows[0].find("b")->number, 2.0);
  ASSERT_TRUE(rows[1].ok);
  EXPECT_EQ(rows[1].line, 4u);
  EXPECT_EQ(rows[1].find("a")->number, 3.0);
}

TEST(CsvReaderTest, CrlfLineEnds) {
  auto rows = read_text("crlf.csv", "a,b\r\n1,x\r\n\"q\r\nr\",2\r\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].find("b")->text, "x");  // no '\r' left
  EXPECT_EQ(rows[1].find("a")->text, "q\nr");
  EXPECT_EQ(rows[1].find("b")->number, 2.0);
}

TEST(CsvReaderTest, EmptyAndQuestionMarkAreMissing) {
  auto rows = read_text("missing.csv", "a,b,c,d\n,?,\"\",1\n?,x,,\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].cells.size(), 1u);
  EXPECT_EQ(rows[0].cells[0].column, "d");
  ASSERT_EQ(rows[1].cells.size(), 1u);
  EXPECT_EQ(rows[1].cells[0].column, "b");
}

TEST(CsvReaderTest, NonFiniteNumbersAreMissing) {
  auto rows = read_text("nan.csv", "a,b,c\nnan,inf,1\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].cells.size(), 1u);
  EXPECT_EQ(rows[0].cells[0].column, "c");
}

TEST(CsvReaderTest, WrongFieldCountIsARowErrorAndReadingGoesOn) {
  TempFile file("count.csv", "a,b\n1,2\n1\n1,2,3\n3,4\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0].ok);
  ASSERT_FALSE(rows[1].ok);
  EXPECT_EQ(rows[1].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows[1].error.message(), file.path() + ":3: expected 2 fields as in the header, got 1");
  EXPECT_EQ(rows[1].line, 3u);
  ASSERT_FALSE(rows[2].ok);
  EXPECT_EQ(rows[2].error.message(), file.path() + ":4: expected 2 fields as in the header, got 3");
  ASSERT_TRUE(rows[3].ok);
  EXPECT_EQ(rows[3].line, 5u);
  EXPECT_EQ(rows[3].find("b")->number, 4.0);
}

TEST(CsvReaderTest, MalformedQuotesAreRowErrors) {
  TempFile file("badquote.csv", "a,b\n\"x\"y,1\nx\"y,2\n3,4\n\"open,5\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows[1].error.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(rows[2].ok);
  EXPECT_EQ(rows[3].error.message(),
            file.path() + ":5: quoted field not closed before the end of the file");
}

TEST(CsvReaderTest, BlankLinesAreSkipped) {
  auto rows = read_text("blank.csv", "a\n\n1\n\r\n\n2\n\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3u);
  EXPECT_EQ(rows[1].line, 6u);
  EXPECT_EQ(rows[1].find("a")->number, 2.0);
}

TEST(CsvReaderTest, LastLineWithoutNewline) {
  auto rows = read_text("nonl.csv", "a,b\n1,2\n3,x", Format::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].find("b")->text, "x");
}

TEST(CsvReaderTest, TrailingEmptyField) {
  auto rows = read_text("trailing.csv", "a,b\n1,\n", Format::kCsv);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[0].cells.size(), 1u);
}

TEST(CsvReaderTest, OtherDelimiter) {
  ReaderOptions options;
  options.delimiter = ';';
  auto rows = read_text("semi.csv", "a;b\n1,5;x\n", Format::kCsv, options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].find("a")->text, "1,5");
}

TEST(CsvReaderTest, LineLongerThanTheLimitIsARowError) {
  const std::string big(20 << 20, '7');  // 20 MB > the default 16 MiB
  TempFile file("big.csv", "a\n1\n" + big + "\n2\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].ok);
  ASSERT_FALSE(rows[1].ok);
  EXPECT_EQ(rows[1].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows[1].error.message(), file.path() + ":3: line longer than 16777216 bytes, skipped");
  ASSERT_TRUE(rows[2].ok);
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[2].find("a")->number, 2.0);
}

TEST(CsvReaderTest, SmallLineLimit) {
  ReaderOptions options;
  options.max_line_bytes = 8;
  auto rows = read_text("small.csv", "a,b\n1,2\n123456,789\n3,4\n", Format::kCsv, options);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[1].error.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(rows[2].ok);
}

TEST(Regression, CsvOversizeLineInsideAQuotedFieldIsARowError) {
  // It used to come back as kOutOfRange, which callers take as the end of the stream.
  ReaderOptions options;
  options.max_line_bytes = 10;
  auto rows =
      read_text("quoted_long.csv", "a,b\n\"x\n0123456789012345\",1\n2,3\n", Format::kCsv, options);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].error.code(), StatusCode::kInvalidArgument);
  for (const auto& r : rows) {
    if (!r.ok) {
      EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_TRUE(rows.back().ok);
  EXPECT_EQ(rows.back().find("b")->number, 3.0);
}

TEST(Regression, CsvOversizeHeaderIsInvalidArgument) {
  ReaderOptions options;
  options.max_line_bytes = 4;
  TempFile file("long_header.csv", "abcdefgh\n1\n");
  EXPECT_EQ(open_reader(file.path(), Format::kCsv, options).status().code(),
            StatusCode::kInvalidArgument);
  TempFile quote("quote_header.csv", "\"abc\n1\n");
  EXPECT_EQ(open_reader(quote.path()).status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvReaderTest, ReadsGzip) {
  TempFile file("data.csv.gz", "a,b\n1,x\n2,y", /*gzip=*/true);
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].find("b")->text, "y");
}

TEST(CsvReaderTest, HeaderErrors) {
  TempFile empty("empty.csv", "");
  EXPECT_EQ(open_reader(empty.path()).status().code(), StatusCode::kInvalidArgument);
  TempFile duplicate("dup.csv", "a,b,a\n1,2,3\n");
  auto status = open_reader(duplicate.path()).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), duplicate.path() + ":1: duplicate column name 'a'");
}

TEST(CsvReaderTest, MissingFileIsNotFound) {
  EXPECT_EQ(open_reader(testing::TempDir() + "rivulet_no_such.csv").status().code(),
            StatusCode::kNotFound);
}

TEST(CsvReaderTest, DirectoryIsAnError) {
  auto reader = open_reader(testing::TempDir(), Format::kCsv);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvReaderTest, Phishing) {
  auto reader = open_reader(std::string(RIVULET_DATA_DIR) + "/river/phishing.csv.gz");
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->columns().size(), 10u);
  EXPECT_EQ((*reader)->columns().back(), "is_phishing");
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 1250u);
  int phishing = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.cells.size(), 10u);
    phishing += r.find("is_phishing")->text == "1";
  }
  EXPECT_EQ(phishing, 548);
}

}  // namespace
}  // namespace rivulet::io
