#pragma once
// Reads lines from a plain or gzip-compressed file in large chunks (zlib's gzread passes plain
// files through untouched), without loading the file whole.

#include <zlib.h>

#include <string>
#include <string_view>

#include "rivulet/core/status.h"

namespace rivulet::io::internal {

class LineReader {
 public:
  /// Every line handed out is followed by at least this many readable bytes inside the reader's
  /// buffer (their content is unspecified), so a parser that reads ahead, like simdjson, can
  /// parse the line in place.
  static constexpr size_t kPadding = 64;

  LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  /// Errors: kNotFound, kDataLoss.
  Status open(const std::string& path);
  /// Reads the next line (without its "\n" or "\r\n") into `line`. Returns false at the end.
  /// A line longer than `max_bytes` is skipped whole and reported as kInvalidArgument (a row
  /// error naming path:line); the reader stays usable. A read failure is kDataLoss.
  Result<bool> next(std::string_view& line, size_t max_bytes);
  uint64_t line_number() const { return line_number_; }

 private:
  bool fill();  // reads more into buf_; false at EOF or error (error_ set)

  gzFile file_ = nullptr;
  std::string path_;
  std::string buf_;  // capacity_ usable bytes, then kPadding bytes never filled
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  std::string error_;
  uint64_t line_number_ = 0;
};

}  // namespace rivulet::io::internal
