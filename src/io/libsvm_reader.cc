// libsvm / svmlight: "label name:value name:value ... # comment", fields separated by spaces or
// tabs. Column 0 is "label", the label as written (a number when it reads as one, its text kept
// for class labels); each feature is a column named by the text before its ':' ("1", "2", as
// River's iter_libsvm keys them), added the first time a row names it. "qid:N" is skipped. A
// line that is blank or only a comment carries no row.

#include <fmt/format.h>

#include <cmath>

#include "io/dynamic_columns.h"
#include "io/line_reader.h"
#include "io/readers.h"

namespace rivulet::io::internal {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

class LibsvmReader final : public RecordReader {
 public:
  LibsvmReader(std::string path, ReaderOptions options)
      : RecordReader(std::move(path), std::move(options)), dynamic_(columns_) {}

  Status open() {
    RIVULET_RETURN_IF_ERROR(lines_.open(path_));
    dynamic_.find_or_add("label");
    return Status();
  }

  Result<bool> next(Record& out) override {
    out.clear();
    for (;;) {
      std::string_view line;
      auto got = lines_.next(line, options_.max_line_bytes);
      line_ = lines_.line_number();
      if (!got.ok()) return got.status();  // oversize lines are row errors
      if (!*got) return false;
      const size_t comment = line.find('#');
      if (comment != std::string_view::npos) line = line.substr(0, comment);
      size_t pos = 0;
      while (pos < line.size() && is_space(line[pos])) ++pos;
      if (pos == line.size()) continue;  // blank or comment only
      const size_t known = columns_.size();
      Status status = parse(line.substr(pos), out);
      if (!status.ok()) {
        out.clear();
        dynamic_.forget_from(known);  // a rejected row leaves no columns behind
        return status;
      }
      return true;
    }
  }

 private:
  // `line` starts with the label and has no comment.
  Status parse(std::string_view line, Record& out) {
    dynamic_.begin_row();
    size_t pos = 0;
    while (pos < line.size() && !is_space(line[pos])) ++pos;
    const std::string_view label = line.substr(0, pos);
    if (label.find(':') != std::string_view::npos) {
      return row_error(fmt::format("the line starts with '{}', not a label", label));
    }
    add_value(out, 0, label);
    dynamic_.mark(0);
    for (;;) {
      while (pos < line.size() && is_space(line[pos])) ++pos;
      if (pos == line.size()) return Status();
      const size_t start = pos;
      while (pos < line.size() && !is_space(line[pos])) ++pos;
      const std::string_view pair = line.substr(start, pos - start);
      const size_t colon = pair.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        return row_error(fmt::format("expected 'name:value', got '{}'", pair));
      }
      const std::string_view name = pair.substr(0, colon);
      const std::string_view text = pair.substr(colon + 1);
      if (name == "qid") continue;
      if (is_missing(text)) continue;
      auto number = parse_number(text);
      if (!number) {
        return row_error(fmt::format("feature '{}': '{}' is not a number", name, text));
      }
      const ColumnId column = dynamic_.resolve(name);
      if (!dynamic_.mark(column)) {
        return row_error(column == 0
                             ? std::string("a feature is named 'label', as the label column")
                             : fmt::format("feature '{}' appears twice", name));
      }
      if (std::isfinite(*number)) out.add_number(column, *number, text);
    }
  }

  LineReader lines_;
  DynamicColumns dynamic_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> open_libsvm(const std::string& path,
                                                  const ReaderOptions& options) {
  auto reader = std::make_unique<LibsvmReader>(path, options);
  RIVULET_RETURN_IF_ERROR(reader->open());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace rivulet::io::internal
