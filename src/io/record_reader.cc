#include "rivulet/io/record_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "io/readers.h"

namespace rivulet::io {

Result<Format> parse_format(std::string_view name) {
  if (name == "auto") return Format::kAuto;
  if (name == "csv") return Format::kCsv;
  if (name == "arff") return Format::kArff;
  if (name == "libsvm" || name == "svm") return Format::kLibsvm;
  if (name == "jsonl" || name == "json" || name == "ndjson") return Format::kJsonLines;
  return Status::invalid_argument(
      fmt::format("unknown format '{}' (valid: auto, csv, arff, libsvm, jsonl)", name));
}

Format format_from_path(std::string_view path) {
  if (path.ends_with(".gz")) path.remove_suffix(3);
  auto ext_is = [&](std::string_view ext) { return path.ends_with(ext); };
  if (ext_is(".arff")) return Format::kArff;
  if (ext_is(".libsvm") || ext_is(".svm") || ext_is(".svmlight")) return Format::kLibsvm;
  if (ext_is(".jsonl") || ext_is(".json") || ext_is(".ndjson")) return Format::kJsonLines;
  return Format::kCsv;
}

std::optional<ColumnId> RecordReader::column(std::string_view name) const {
  for (ColumnId i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

ColumnId RecordReader::add_column(std::string_view name) {
  if (auto c = column(name)) return *c;
  columns_.emplace_back(name);
  return static_cast<ColumnId>(columns_.size() - 1);
}

bool RecordReader::is_missing(std::string_view text) const {
  for (const auto& m : options_.missing) {
    if (text == m) return true;
  }
  return false;
}

void RecordReader::add_value(Record& out, ColumnId column, std::string_view text) const {
  if (is_missing(text)) return;
  if (auto number = parse_number(text)) {
    if (std::isfinite(*number)) out.add_number(column, *number, text);
    return;
  }
  out.add_text(column, text);
}

Status RecordReader::row_error(std::string_view reason) const {
  return Status::invalid_argument(fmt::format("{}:{}: {}", path_, line_, reason));
}

Result<std::unique_ptr<RecordReader>> open_reader(const std::string& path, Format format,
                                                  const ReaderOptions& options) {
  if (options.max_line_bytes == 0) return Status::invalid_argument("max_line_bytes must be > 0");
  if (format == Format::kAuto) format = format_from_path(path);
  switch (format) {
    case Format::kCsv: return internal::open_csv(path, options);
    case Format::kArff: return internal::open_arff(path, options);
    case Format::kLibsvm: return internal::open_libsvm(path, options);
    case Format::kJsonLines: return internal::open_jsonl(path, options);
    case Format::kAuto: break;
  }
  return Status::internal("unreachable format");
}

}  // namespace rivulet::io
