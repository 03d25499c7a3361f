#pragma once
/// Readers that stream a data file row by row without loading it whole: CSV with a header, ARFF,
/// libsvm and JSON Lines, each transparently gzip-compressed when the file is (`.gz`).
///
/// Numbers parse to doubles; other values are text (categorical). Missing values (an empty CSV
/// cell, `?`, a JSON null) are left out of the record. Non-finite numbers (`nan`, `inf`) count as
/// missing too: no learner can use them. A malformed row comes back as an error that names the
/// file, the line and the reason; the reader has already moved past it, so the caller decides
/// whether to count it and go on (the default of `rivulet eval`) or to stop (`--strict`).
///
/// Per format:
/// - CSV: a header line names the columns (RFC 4180 quoting; `""` inside quotes; quoted fields
///   may span lines). A row with another field count than the header is a row error.
/// - ARFF (Weka): `@relation`, `@attribute NAME numeric|real|integer|string|date|{a,b,...}`,
///   `@data`; keywords in any case, `%` comments, `'`/`"` quoting, `?` missing, dense rows and
///   sparse rows (`{0 1.5, 3 X}`; attributes a sparse row leaves out are absent, as River reads
///   them). Nominal values that read as numbers are numbers (Electricity's `day {1,...,7}`), the
///   others text; a value not declared for its attribute is a row error.
/// - libsvm/svmlight: `label name:value ... # comment`; column 0 is `label` (the label as
///   written: a number when it reads as one, its text kept), each feature a column named by the
///   text before its `:` ("1", "2", as River's iter_libsvm keys them). `qid:` is skipped.
/// - JSON Lines: one object per line. Numbers are numbers, strings text, `true`/`false` the
///   numbers 1/0 and `null` missing (so are strings listed in ReaderOptions::missing). Nested
///   objects are flattened with dots, `{"a": {"b": 1}}` -> column `a.b`; arrays are flattened by
///   position, `{"a": [5, 6]}` -> columns `a.0`, `a.1` (an empty array or object adds nothing).
///   A line that is not one JSON object, a key repeated in a row (also after flattening) and
///   nesting deeper than 64 levels are row errors; the message names simdjson's error.
/// libsvm and JSON Lines add a column the first time a row names it; a rejected row adds none.
/// Thread safety: none; one reader per thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/numbers.h"
#include "rivulet/core/record.h"
#include "rivulet/core/status.h"

namespace rivulet::io {

enum class Format { kAuto, kCsv, kArff, kLibsvm, kJsonLines };

/// Parses "csv", "arff", "libsvm", "jsonl" (also "json", "ndjson", "svm"), or "auto".
Result<Format> parse_format(std::string_view name);
/// The format a path's extension implies (ignoring a trailing `.gz`); kCsv when unknown.
Format format_from_path(std::string_view path);

struct ReaderOptions {
  char delimiter = ',';                    ///< CSV only.
  size_t max_line_bytes = 16 << 20;        ///< Longer lines are reported and skipped. REQUIRES: > 0.
  std::vector<std::string> missing = {"", "?"};  ///< Text values read as missing.
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;

  /// Reads the next record into `out`. Returns true when a record was read and false at the end
  /// of the input. Errors: kInvalidArgument for a malformed row ("path:line: reason"; the reader
  /// has moved past it and may be called again), kDataLoss for an unreadable file (final).
  virtual Result<bool> next(Record& out) = 0;

  /// Column names known so far. CSV and ARFF know them all from the header; libsvm and JSON
  /// Lines add a column the first time a row names it.
  const std::vector<std::string>& columns() const { return columns_; }
  std::optional<ColumnId> column(std::string_view name) const;
  /// The 1-based line number of the row last returned (or rejected).
  uint64_t line() const { return line_; }
  const std::string& path() const { return path_; }

 protected:
  RecordReader(std::string path, ReaderOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}
  ColumnId add_column(std::string_view name);
  bool is_missing(std::string_view text) const;
  /// Appends `text` to `out` as a number when it parses whole as one, else as text; missing
  /// values and non-finite numbers are left out.
  void add_value(Record& out, ColumnId column, std::string_view text) const;
  Status row_error(std::string_view reason) const;

  std::string path_;
  ReaderOptions options_;
  std::vector<std::string> columns_;
  uint64_t line_ = 0;
};

/// Opens `path` in `format` (kAuto: from the extension). Errors: kNotFound when the file does
/// not exist, kInvalidArgument for a bad header or options, kDataLoss when it cannot be read.
Result<std::unique_ptr<RecordReader>> open_reader(const std::string& path, Format format = Format::kAuto,
                                                  const ReaderOptions& options = {});

}  // namespace rivulet::io
