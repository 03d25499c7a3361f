#pragma once
// Helpers shared by the reader tests: temporary files and reading a whole file into copies of
// its records and errors.

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/io/record_reader.h"

namespace rivulet::io::test_util {

/// A file under the test temp dir, unique to this process (test binaries of several build
/// directories may run at once), removed when the object goes.
class TempFile {
 public:
  TempFile(const std::string& name, std::string_view content, bool gzip = false)
      : path_(::testing::TempDir() + "rivulet_io_" + std::to_string(::getpid()) + "_" + name) {
    if (gzip) {
      gzFile f = gzopen(path_.c_str(), "wb");
      if (!content.empty()) gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
      gzclose(f);
    } else {
      std::ofstream(path_, std::ios::binary) << content;
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A field copied out of a Record (whose text views die at the reader's next call).
struct Cell {
  std::string column;
  bool is_number;
  double number;
  std::string text;
};

/// One next() outcome: a row (line, cells) or a row error.
struct Outcome {
  bool ok;
  uint64_t line;
  std::vector<Cell> cells;
  Status error;

  /// The cell of `column`, or nullptr when missing.
  const Cell* find(std::string_view column) const {
    for (const auto& c : cells) {
      if (c.column == column) return &c;
    }
    return nullptr;
  }
};

/// Reads `reader` to its end (or to a final error, recorded last); stops after `limit` calls.
inline std::vector<Outcome> read_all(RecordReader& reader, size_t limit = 10'000'000) {
  std::vector<Outcome> outcomes;
  Record record;
  for (size_t i = 0; i < limit; ++i) {
    auto got = reader.next(record);
    if (!got.ok()) {
      outcomes.push_back({false, reader.line(), {}, got.status()});
      if (got.status().code() != StatusCode::kInvalidArgument) break;
      continue;
    }
    if (!*got) break;
    Outcome o{true, reader.line(), {}, Status()};
    for (const auto& f : record.fields()) {
      o.cells.push_back({reader.columns().at(f.column), f.kind == Field::Kind::kNumber, f.number,
                         std::string(f.text)});
    }
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

/// Opens `content` written to a temp file as `format` and reads it whole.
inline std::vector<Outcome> read_text(const std::string& name, std::string_view content,
                                      Format format, const ReaderOptions& options = {}) {
  TempFile file(name, content);
  auto reader = open_reader(file.path(), format, options);
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return {};
  return read_all(**reader);
}

}  // namespace rivulet::io::test_util
