#include <gtest/gtest.h>

#include <string>

#include "io/reader_test_util.h"
#include "rivulet/io/record_reader.h"

namespace rivulet::io {
namespace {

using test_util::read_all;
using test_util::read_text;
using test_util::TempFile;

TEST(ArffReaderTest, Electricity) {
  auto reader = open_reader(std::string(RIVULET_DATA_DIR) + "/electricity/elecNormNew.arff.gz");
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->columns(),
            (std::vector<std::string>{"date", "day", "period", "nswprice", "nswdemand", "vicprice",
                                      "vicdemand", "transfer", "class"}));
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 45312u);
  int up = 0;
  int down = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r.ok) << r.error.to_string();
    ASSERT_EQ(r.cells.size(), 9u);
    const auto* day = r.find("day");
    ASSERT_TRUE(day->is_number);  // day {1,...,7} reads as numbers, as River has it
    ASSERT_GE(day->number, 1.0);
    ASSERT_LE(day->number, 7.0);
    const auto* label = r.find("class");
    ASSERT_FALSE(label->is_number);
    up += label->text == "UP";
    down += label->text == "DOWN";
  }
  EXPECT_EQ(up, 19237);
  EXPECT_EQ(down, 26075);
  // The first row, and the last, which ends the file without a newline.
  EXPECT_EQ(rows.front().find("day")->number, 2.0);
  EXPECT_EQ(rows.front().find("nswdemand")->number, 0.439155);
  EXPECT_EQ(rows.front().find("class")->text, "UP");
  EXPECT_EQ(rows.back().find("date")->number, 0.9158);
  EXPECT_EQ(rows.back().find("day")->number, 7.0);
  EXPECT_EQ(rows.back().find("transfer")->number, 0.23114);
  EXPECT_EQ(rows.back().find("class")->text, "DOWN");
  EXPECT_EQ(rows.back().line, 45312u + 13u);
}

constexpr std::string_view kHeader =
    "% a comment\n"
    "@RELATION 'cars: test'\n"
    "\n"
    "@Attribute make {Toyota, 'Alfa Romeo', \"Dodge,Ram\"}\n"
    "@attribute 'model name' STRING\n"
    "@attribute \"year\" INTEGER % inline comment\n"
    "@attribute price real\n"
    "@attribute mpg Numeric\n"
    "@attribute cylinders{4,6,8}\n"
    "@attribute built date \"yyyy-MM-dd\"\n"
    "@DATA\n";

TEST(ArffReaderTest, HeaderDeclarations) {
  TempFile file("cars.arff", std::string(kHeader));
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"make", "model name", "year", "price",
                                                            "mpg", "cylinders", "built"}));
  Record record;
  EXPECT_FALSE(*(*reader)->next(record));
}

TEST(ArffReaderTest, DenseRowsWithQuotesAndMissingValues) {
  auto rows = read_text("dense.arff",
                        std::string(kHeader) +
                            "Toyota, Corolla, 2018, 15000, 30.5, 4, 2018-01-02\n"
                            "% a comment between rows\n"
                            "\n"
                            "'Alfa Romeo','Giulia \\'Q\\'',?,  ?  ,1e1,8,?\n"
                            "\"Dodge,Ram\",'?',2020,1,2,6,'2020-05-05' % trailing comment\n",
                        Format::kArff);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) ASSERT_TRUE(r.ok) << r.error.to_string();
  EXPECT_EQ(rows[0].cells.size(), 7u);
  EXPECT_EQ(rows[0].find("make")->text, "Toyota");
  EXPECT_FALSE(rows[0].find("make")->is_number);
  EXPECT_EQ(rows[0].find("model name")->text, "Corolla");
  EXPECT_EQ(rows[0].find("year")->number, 2018.0);
  EXPECT_EQ(rows[0].find("mpg")->number, 30.5);
  EXPECT_TRUE(rows[0].find("cylinders")->is_number);
  EXPECT_EQ(rows[0].find("cylinders")->number, 4.0);
  EXPECT_EQ(rows[0].find("built")->text, "2018-01-02");
  EXPECT_EQ(rows[1].line, 15u);
  EXPECT_EQ(rows[1].cells.size(), 4u);  // year, price and built are missing
  EXPECT_EQ(rows[1].find("make")->text, "Alfa Romeo");
  EXPECT_EQ(rows[1].find("model name")->text, "Giulia 'Q'");
  EXPECT_EQ(rows[1].find("mpg")->number, 10.0);
  EXPECT_EQ(rows[1].find("year"), nullptr);
  EXPECT_EQ(rows[2].find("make")->text, "Dodge,Ram");
  EXPECT_EQ(rows[2].find("model name")->text, "?");  // quoted: a value, not missing
  EXPECT_EQ(rows[2].find("built")->text, "2020-05-05");
}

TEST(ArffReaderTest, RowErrorsNameTheLineAndReadingGoesOn) {
  TempFile file("errors.arff",
                "@relation r\n@attribute x numeric\n@attribute c {a,b}\n@data\n"
                "1,a\n"
                "2,z\n"     // not a declared value
                "abc,b\n"   // not a number
                "3\n"       // too few
                "4,a,5\n"   // too many
                "'5,a\n"    // unclosed quote
                "'5'x,a\n"  // text after a quote
                "6,b\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_TRUE(rows[0].ok);
  const std::string p = file.path();
  EXPECT_EQ(rows[1].error.message(), p + ":6: value 'z' is not one of the values of attribute 'c'");
  EXPECT_EQ(rows[2].error.message(), p + ":7: attribute 'x' is numeric, got 'abc'");
  EXPECT_EQ(rows[3].error.message(), p + ":8: expected 2 values as declared, got 1");
  EXPECT_EQ(rows[4].error.message(), p + ":9: expected 2 values as declared, got more");
  EXPECT_EQ(rows[5].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows[6].error.code(), StatusCode::kInvalidArgument);
  for (size_t i = 1; i < 7; ++i) EXPECT_FALSE(rows[i].ok);
  ASSERT_TRUE(rows[7].ok);
  EXPECT_EQ(rows[7].line, 12u);
  EXPECT_EQ(rows[7].find("c")->text, "b");
}

TEST(ArffReaderTest, SparseRows) {
  // River's iter_arff example, plus a nominal text value, a missing value and an empty row.
  auto rows = read_text("sparse.arff",
                        "% traindata\n"
                        "@RELATION \"traindata: -C 6\"\n"
                        "@ATTRIBUTE y0 {0, 1}\n"
                        "@ATTRIBUTE y1 {0, 1}\n"
                        "@ATTRIBUTE X0 NUMERIC\n"
                        "@ATTRIBUTE X1 NUMERIC\n"
                        "@ATTRIBUTE tag {red, 'dark blue'}\n"
                        "@DATA\n"
                        "{ 1 1,2 0.863382,3 0.820094 }\n"
                        "{0 1, 4 'dark blue'}\n"
                        "{}\n"
                        "{2 ?, 4 red}\n"
                        "{1 0, 3 2.5}, {0.5}\n",
                        Format::kArff);
  ASSERT_EQ(rows.size(), 5u);
  for (const auto& r : rows) ASSERT_TRUE(r.ok) << r.error.to_string();
  ASSERT_EQ(rows[0].cells.size(), 3u);
  EXPECT_EQ(rows[0].find("y1")->number, 1.0);
  EXPECT_EQ(rows[0].find("X0")->number, 0.863382);
  EXPECT_EQ(rows[0].find("X1")->number, 0.820094);
  EXPECT_EQ(rows[0].find("y0"), nullptr);  // left out of a sparse row: absent, as in River
  EXPECT_EQ(rows[1].find("tag")->text, "dark blue");
  EXPECT_EQ(rows[2].cells.size(), 0u);
  ASSERT_EQ(rows[3].cells.size(), 1u);
  EXPECT_EQ(rows[3].find("tag")->text, "red");
  EXPECT_EQ(rows[4].find("X1")->number, 2.5);  // the instance weight is ignored
}

TEST(ArffReaderTest, SparseRowErrors) {
  TempFile file("sparse_err.arff",
                "@relation r\n@attribute a numeric\n@attribute b {x,y}\n@data\n"
                "{5 1}\n"       // index out of range
                "{1 x, 0 1}\n"  // decreasing
                "{0 1, 1 z}\n"  // undeclared value
                "{0 1\n"        // not closed
                "{a 1}\n"       // no index
                "{0 1} junk\n"  // trailing text
                "{0 2}\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].error.message(),
            file.path() + ":5: attribute index 5 out of range (the header declares 2)");
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_FALSE(rows[i].ok) << i;
    EXPECT_EQ(rows[i].error.code(), StatusCode::kInvalidArgument);
  }
  ASSERT_TRUE(rows[6].ok);
  EXPECT_EQ(rows[6].find("a")->number, 2.0);
}

TEST(ArffReaderTest, DenseInstanceWeightIsIgnored) {
  auto rows =
      read_text("weight.arff", "@relation r\n@attribute a numeric\n@data\n1,{2}\n", Format::kArff);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[0].cells.size(), 1u);
}

TEST(ArffReaderTest, HeaderErrors) {
  auto error_of = [](const std::string& name, const std::string& content) {
    TempFile file(name, content);
    auto reader = open_reader(file.path());
    EXPECT_FALSE(reader.ok());
    if (reader.ok()) return std::string();
    EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
    return reader.status().message().substr(file.path().size());
  };
  EXPECT_EQ(error_of("h1.arff", "@relation r\n@attribute a numeric\n"), ":2: no @data section");
  EXPECT_EQ(error_of("h2.arff", "@relation r\n@data\n1\n"), ":2: no @attribute before @data");
  EXPECT_EQ(error_of("h3.arff", "@attribute a numeric\n@attribute a real\n@data\n"),
            ":2: duplicate attribute name 'a'");
  EXPECT_EQ(error_of("h4.arff", "@attribute a blob\n@data\n"),
            ":1: attribute 'a' has an unknown type 'blob'");
  EXPECT_EQ(error_of("h5.arff", "@attribute a {x,y\n@data\n"),
            ":1: nominal values of attribute 'a' not closed by '}'");
  EXPECT_EQ(error_of("h6.arff", "@attribute a relational\n@data\n"),
            ":1: attribute 'a': relational attributes are not supported");
  EXPECT_EQ(error_of("h7.arff", "1,2\n"),
            ":1: expected @relation, @attribute or @data before the data");
  EXPECT_EQ(error_of("h8.arff", "@attribute a\n@data\n"), ":1: attribute 'a' has no type");
  EXPECT_EQ(error_of("h9.arff", "@frobnicate\n"), ":1: unknown declaration '@frobnicate'");
  EXPECT_EQ(error_of("h10.arff", "@attribute 'a numeric\n@data\n"), ":1: unclosed ' quote");
  EXPECT_EQ(error_of("h11.arff", ""), ":0: no @data section");
}

TEST(ArffReaderTest, CrlfAndGzip) {
  TempFile file("crlf.arff.gz",
                "@relation r\r\n@attribute a numeric\r\n@attribute c {u,v}\r\n@data\r\n1,u\r\n2,v",
                /*gzip=*/true);
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].find("c")->text, "v");
}

TEST(ArffReaderTest, MissingFileAndDirectory) {
  EXPECT_EQ(open_reader(testing::TempDir() + "rivulet_no_such.arff").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(open_reader(testing::TempDir(), Format::kArff).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rivulet::io
