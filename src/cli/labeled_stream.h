#pragma once
// Reads a data file as (features, target) samples for the command line: opens the reader,
// resolves the target column, extracts features into the model's space, and counts and reports
// the rows it had to skip.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/model.h"

namespace rivulet::cli {

struct StreamOptions {
  std::string path;
  std::string target;          // empty: no target (predict on unlabeled data)
  io::Format format = io::Format::kAuto;
  bool strict = false;         // a malformed row is an error instead of a skipped row
  bool quiet = false;          // do not report skipped rows on stderr
  uint64_t limit = 0;          // stop after this many samples (0: all)
};

struct Sample {
  const Features* x = nullptr;
  const Field* target = nullptr;  // null when the row has no target (or none was asked for)
  uint64_t line = 0;
};

class LabeledStream {
 public:
  static Result<std::unique_ptr<LabeledStream>> open(const StreamOptions& options, ml::Model& model);

  // The next sample, nullopt at the end; errors only in strict mode or when the file fails.
  Result<std::optional<Sample>> next();
  // A row that the caller rejects (e.g. a non-numeric regression target) is counted here.
  Status reject(std::string_view reason);
  uint64_t skipped() const { return skipped_; }
  const io::RecordReader& reader() const { return *reader_; }

 private:
  LabeledStream(const StreamOptions& options, ml::Model& model)
      : options_(options), model_(model), extractor_(model.space()) {}
  Status resolve_columns();

  StreamOptions options_;
  ml::Model& model_;
  std::unique_ptr<io::RecordReader> reader_;
  FeatureExtractor extractor_;
  std::optional<ColumnId> target_;
  size_t known_columns_ = 0;
  Record record_;
  Features x_;
  uint64_t skipped_ = 0;
  uint64_t reported_ = 0;
  uint64_t samples_ = 0;
};

}  // namespace rivulet::cli
