#include <gtest/gtest.h>

#include <string>

#include "io/reader_test_util.h"
#include "rivulet/io/record_reader.h"

namespace rivulet::io {
namespace {

using test_util::read_all;
using test_util::read_text;
using test_util::TempFile;

TEST(LibsvmReaderTest, Banana) {
  auto reader = open_reader(std::string(RIVULET_DATA_DIR) + "/river/banana.libsvm.gz");
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 5300u);
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label", "1", "2"}));
  int positive = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r.ok) << r.error.to_string();
    ASSERT_EQ(r.cells.size(), 3u);
    positive += r.find("label")->text == "1";
  }
  EXPECT_EQ(positive, 2376);
  EXPECT_EQ(rows[0].find("label")->text, "-1");
  EXPECT_EQ(rows[0].find("label")->number, -1.0);
  EXPECT_EQ(rows[0].find("1")->number, 1.617466);
  EXPECT_EQ(rows[0].find("2")->number, -0.919233);
  EXPECT_EQ(rows.back().find("1")->number, -0.472404);
  EXPECT_EQ(rows.back().line, 5300u);
}

TEST(LibsvmReaderTest, RiverExample) {
  // River's iter_libsvm docstring: names are any text, added as they appear.
  TempFile file("river.libsvm", "+1 x:-134.26 y:0.2563\n1 x:-12 z:0.3\n-1 y:.25\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label"}));
  auto rows = read_all(**reader);
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label", "x", "y", "z"}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].find("label")->text, "+1");
  EXPECT_EQ(rows[0].find("label")->number, 1.0);
  EXPECT_EQ(rows[0].find("x")->number, -134.26);
  EXPECT_EQ(rows[1].find("z")->number, 0.3);
  EXPECT_EQ(rows[2].find("y")->number, 0.25);
  EXPECT_EQ(rows[2].cells.size(), 2u);
}

TEST(LibsvmReaderTest, CommentsQidTabsAndBlankLines) {
  auto rows = read_text("misc.svm",
                        "# a comment line\n"
                        "\n"
                        "2 qid:7 3:1.5\t10:2   # trailing comment\r\n"
                        "   \n"
                        "class_a 10:-1 ",
                        Format::kLibsvm);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[0].line, 3u);
  EXPECT_EQ(rows[0].cells.size(), 3u);
  EXPECT_EQ(rows[0].find("qid"), nullptr);
  EXPECT_EQ(rows[0].find("3")->number, 1.5);
  EXPECT_EQ(rows[0].find("10")->number, 2.0);
  ASSERT_TRUE(rows[1].ok);
  EXPECT_FALSE(rows[1].find("label")->is_number);
  EXPECT_EQ(rows[1].find("label")->text, "class_a");
  EXPECT_EQ(rows[1].find("10")->number, -1.0);
}

TEST(LibsvmReaderTest, LabelOnlyRow) {
  auto rows = read_text("label_only.svm", "1\n", Format::kLibsvm);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok);
  EXPECT_EQ(rows[0].cells.size(), 1u);
}

TEST(LibsvmReaderTest, RowErrorsAddNoColumnsAndReadingGoesOn) {
  TempFile file("errors.svm",
                "1 1:0.5\n"
                "1 7:1 8:abc\n"  // not a number
                "1 9:1 9:2\n"    // twice
                "1:2 3:4\n"      // no label
                "1 5\n"          // no ':'
                "1 :5\n"         // no name
                "1 label:3\n"    // clashes with the label column
                "-1 2:1\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_TRUE(rows[0].ok);
  const std::string p = file.path();
  EXPECT_EQ(rows[1].error.message(), p + ":2: feature '8': 'abc' is not a number");
  EXPECT_EQ(rows[2].error.message(), p + ":3: feature '9' appears twice");
  EXPECT_EQ(rows[3].error.message(), p + ":4: the line starts with '1:2', not a label");
  EXPECT_EQ(rows[4].error.message(), p + ":5: expected 'name:value', got '5'");
  EXPECT_EQ(rows[5].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows[6].error.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(rows[7].ok);
  EXPECT_EQ(rows[7].line, 8u);
  // Columns 7, 8 and 9 came only from rejected rows.
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label", "1", "2"}));
}

TEST(LibsvmReaderTest, FeaturesInAnyOrder) {
  TempFile file("order.svm", "1 1:1 2:2\n0 2:3 1:4\n1 3:5 1:6 2:7\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  auto rows = read_all(**reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label", "1", "2", "3"}));
  EXPECT_EQ(rows[1].find("1")->number, 4.0);
  EXPECT_EQ(rows[1].find("2")->number, 3.0);
  EXPECT_EQ(rows[2].find("3")->number, 5.0);
  EXPECT_EQ(rows[2].find("1")->number, 6.0);
  EXPECT_EQ(rows[2].find("2")->number, 7.0);
}

TEST(LibsvmReaderTest, NonFiniteAndMissingValuesAreLeftOut) {
  auto rows = read_text("nan.svm", "1 1:nan 2:inf 3:? 4:1\n", Format::kLibsvm);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].ok) << rows[0].error.to_string();
  EXPECT_EQ(rows[0].cells.size(), 2u);
  EXPECT_EQ(rows[0].find("4")->number, 1.0);
}

TEST(LibsvmReaderTest, MissingFileAndDirectory) {
  EXPECT_EQ(open_reader(testing::TempDir() + "rivulet_no_such.libsvm").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(open_reader(testing::TempDir(), Format::kLibsvm).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rivulet::io
