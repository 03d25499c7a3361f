#include "cli/labeled_stream.h"

#include <fmt/format.h>

#include <cstdio>

namespace rivulet::cli {
namespace {
constexpr uint64_t kMaxReported = 10;
}

Result<std::unique_ptr<LabeledStream>> LabeledStream::open(const StreamOptions& options, ml::Model& model) {
  std::unique_ptr<LabeledStream> s(new LabeledStream(options, model));
  auto reader = io::open_reader(options.path, options.format);
  if (!reader.ok()) return reader.status();
  s->reader_ = std::move(reader).value();
  RIVULET_RETURN_IF_ERROR(s->resolve_columns());
  // Formats with a header know every column now: an unknown target is an error at once.
  const bool has_header = !s->reader_->columns().empty();
  if (!options.target.empty() && has_header && !s->target_) {
    std::string cols;
    for (const auto& c : s->reader_->columns()) cols += (cols.empty() ? "" : ", ") + c;
    return Status::invalid_argument(
        fmt::format("{}: no column '{}' (columns: {})", options.path, options.target, cols));
  }
  return s;
}

Status LabeledStream::resolve_columns() {
  const auto& columns = reader_->columns();
  if (columns.size() == known_columns_) return Status();
  extractor_.set_columns(columns);
  known_columns_ = columns.size();
  if (!target_ && !options_.target.empty()) {
    target_ = reader_->column(options_.target);
    if (target_) extractor_.exclude(*target_);
  }
  return Status();
}

Status LabeledStream::reject(std::string_view reason) {
  const Status error = Status::invalid_argument(fmt::format("{}:{}: {}", reader_->path(), reader_->line(), reason));
  if (options_.strict) return error;
  ++skipped_;
  if (!options_.quiet && reported_ < kMaxReported) {
    ++reported_;
    std::fprintf(stderr, "rivulet: skipped row: %s\n", error.message().c_str());
    if (reported_ == kMaxReported) std::fprintf(stderr, "rivulet: (further skipped rows are counted, not shown)\n");
  }
  return Status();
}

Result<std::optional<Sample>> LabeledStream::next() {
  for (;;) {
    if (options_.limit != 0 && samples_ >= options_.limit) return std::optional<Sample>();
    auto got = reader_->next(record_);
    if (!got.ok()) {
      if (got.status().code() != StatusCode::kInvalidArgument) return got.status();  // the file failed
      if (options_.strict) return got.status();
      ++skipped_;
      if (!options_.quiet && reported_ < kMaxReported) {
        ++reported_;
        std::fprintf(stderr, "rivulet: skipped row: %s\n", got.status().message().c_str());
      }
      continue;
    }
    if (!*got) return std::optional<Sample>();
    RIVULET_RETURN_IF_ERROR(resolve_columns());
    Sample sample;
    sample.line = reader_->line();
    if (target_) sample.target = record_.find(*target_);
    if (!options_.target.empty() && sample.target == nullptr) {
      RIVULET_RETURN_IF_ERROR(reject(fmt::format("no value for the target '{}'", options_.target)));
      continue;
    }
    extractor_.extract(record_, x_);
    sample.x = &x_;
    ++samples_;
    return std::optional<Sample>(sample);
  }
}

}  // namespace rivulet::cli
