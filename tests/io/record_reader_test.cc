#include "rivulet/io/record_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "io/reader_test_util.h"

namespace rivulet::io {
namespace {

using test_util::TempFile;

TEST(RecordReaderTest, ParseFormat) {
  EXPECT_EQ(*parse_format("auto"), Format::kAuto);
  EXPECT_EQ(*parse_format("csv"), Format::kCsv);
  EXPECT_EQ(*parse_format("arff"), Format::kArff);
  EXPECT_EQ(*parse_format("svm"), Format::kLibsvm);
  EXPECT_EQ(*parse_format("libsvm"), Format::kLibsvm);
  EXPECT_EQ(*parse_format("ndjson"), Format::kJsonLines);
  EXPECT_EQ(parse_format("xml").status().code(), StatusCode::kInvalidArgument);
}

TEST(RecordReaderTest, FormatFromPath) {
  EXPECT_EQ(format_from_path("a/b.csv"), Format::kCsv);
  EXPECT_EQ(format_from_path("elec.arff.gz"), Format::kArff);
  EXPECT_EQ(format_from_path("banana.libsvm.gz"), Format::kLibsvm);
  EXPECT_EQ(format_from_path("x.svmlight"), Format::kLibsvm);
  EXPECT_EQ(format_from_path("events.jsonl"), Format::kJsonLines);
  EXPECT_EQ(format_from_path("events.json.gz"), Format::kJsonLines);
  EXPECT_EQ(format_from_path("noext"), Format::kCsv);
}

TEST(RecordReaderTest, ZeroLineLimitIsInvalid) {
  ReaderOptions options;
  options.max_line_bytes = 0;
  EXPECT_EQ(open_reader("whatever.csv", Format::kAuto, options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RecordReaderTest, ColumnLookup) {
  TempFile file("lookup.csv", "a,b\n1,2\n");
  auto reader = open_reader(file.path());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->column("b"), 1u);
  EXPECT_EQ((*reader)->column("c"), std::nullopt);
  EXPECT_EQ((*reader)->path(), file.path());
}

// Valid samples of each format; the fuzz test truncates and mutates them.
struct Sample {
  Format format;
  const char* name;
  std::string content;
};

std::vector<Sample> samples() {
  return {
      {Format::kCsv, "fuzz.csv",
       "a,b,\"c d\"\n1,x,\"q \"\"u\"\"\"\n2.5,?,\"multi\nline\"\r\n\n-3,y,\n4,\"z,w\",5"},
      {Format::kArff, "fuzz.arff",
       "% c\n@relation 'r'\n@attribute a numeric\n@attribute 'b c' {x,'y z',3}\n@attribute s "
       "string\n"
       "@data\n1,x,'hi'\n?,'y z',\"a\\\"b\" % note\n{0 2, 1 3}\n{}\n2.5,3,s, {1}\n"},
      {Format::kLibsvm, "fuzz.libsvm",
       "1 1:0.5 2:-1 # c\n-1 qid:3 2:1e-3 10:7\n\n+1 a:1\tb:2\n0 3:inf\n2"},
      {Format::kJsonLines, "fuzz.jsonl",
       "{\"a\": 1, \"b\": \"x\\u00e9\", \"c\": [1, {\"d\": null}], \"e\": true}\n"
       "\n{\"a\": -2.5e3, \"f\": {\"g\": {\"h\": \"\"}}}\r\n{\"b\": \"q\\\"\"}"},
  };
}

// Opens `path` and reads it to the end, checking that every outcome is a status of the kinds
// the interface allows and that records only name known columns.
void read_fuzzed(const std::string& path, Format format, const std::string& what) {
  auto reader = open_reader(path, format);
  if (!reader.ok()) {
    const StatusCode code = reader.status().code();
    ASSERT_TRUE(code == StatusCode::kInvalidArgument || code == StatusCode::kDataLoss)
        << what << ": " << reader.status().to_string();
    return;
  }
  Record record;
  size_t bytes = 0;
  for (int calls = 0;; ++calls) {
    ASSERT_LT(calls, 100000) << what << ": the reader does not end";
    auto got = (*reader)->next(record);
    if (!got.ok()) {
      const StatusCode code = got.status().code();
      ASSERT_TRUE(code == StatusCode::kInvalidArgument || code == StatusCode::kDataLoss)
          << what << ": " << got.status().to_string();
      if (code == StatusCode::kInvalidArgument) {
        ASSERT_EQ(got.status().message().rfind(path + ":", 0), 0u) << what;
        continue;
      }
      return;
    }
    if (!*got) return;
    for (const auto& f : record.fields()) {
      ASSERT_LT(f.column, (*reader)->columns().size()) << what;
      for (char c : f.text) bytes += static_cast<unsigned char>(c);  // touch every byte
    }
  }
  (void)bytes;
}

std::string gzip_bytes(const std::string& content) {
  TempFile file("gzip_tmp.gz", content, /*gzip=*/true);
  std::ifstream in(file.path(), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(RecordReaderTest, FuzzedInputOnlyGivesStatuses) {
  std::mt19937_64 rng(20240611);
  const std::string alphabet = "{}[]\":,.-+e0123456789 \t\r\n?%'@#\\abnqx";
  for (const auto& sample : samples()) {
    const TempFile file(sample.name, "");
    auto run = [&](const std::string& bytes, const std::string& what) {
      std::ofstream(file.path(), std::ios::binary | std::ios::trunc) << bytes;
      read_fuzzed(file.path(), sample.format, std::string(sample.name) + " " + what);
    };
    const std::string& valid = sample.content;
    run(valid, "valid");
    for (size_t n = 0; n < valid.size(); ++n)
      run(valid.substr(0, n), "prefix " + std::to_string(n));
    for (int i = 0; i < 400; ++i) {
      std::string bytes = valid;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !bytes.empty(); ++e) {
        const size_t at = rng() % bytes.size();
        const char c =
            rng() % 2 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() % 256);
        switch (rng() % 3) {
          case 0:
            bytes[at] = c;
            break;
          case 1:
            bytes.insert(bytes.begin() + static_cast<long>(at), c);
            break;
          default:
            bytes.erase(at, 1);
            break;
        }
      }
      run(bytes, "mutation " + std::to_string(i));
    }
    for (int i = 0; i < 60; ++i) {
      std::string bytes(rng() % 1500, '\0');
      for (auto& c : bytes)
        c = rng() % 2 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() % 256);
      run(bytes, "random " + std::to_string(i));
    }
    const std::string compressed = gzip_bytes(valid);
    for (size_t n = 0; n < compressed.size(); n += 3) {
      run(compressed.substr(0, n), "gzip prefix " + std::to_string(n));
    }
    for (int i = 0; i < 30; ++i) {
      std::string bytes = compressed;
      bytes[10 + rng() % (bytes.size() - 10)] = static_cast<char>(rng() % 256);
      run(bytes, "gzip mutation " + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace rivulet::io
