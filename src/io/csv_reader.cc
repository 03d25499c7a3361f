// CSV with a header line (RFC 4180): quoted fields, doubled quotes inside them, quoted fields
// spanning lines. Each row must have as many fields as the header.

#include <fmt/format.h>

#include "io/line_reader.h"
#include "io/readers.h"

namespace rivulet::io::internal {
namespace {

class CsvReader final : public RecordReader {
 public:
  CsvReader(std::string path, ReaderOptions options) : RecordReader(std::move(path), std::move(options)) {}

  Status open() {
    RIVULET_RETURN_IF_ERROR(lines_.open(path_));
    std::string_view header;
    auto got = lines_.next(header, options_.max_line_bytes);
    if (!got.ok()) return got.status();  // oversize lines are row errors
    if (!*got) return Status::invalid_argument(fmt::format("{}: empty file, expected a header line", path_));
    line_ = lines_.line_number();
    Status split_status = split(header);
    if (!split_status.ok()) {
      return Status::invalid_argument(fmt::format("{}:1: header: {}", path_, split_status.message()));
    }
    for (size_t i = 0; i < bounds_.size(); ++i) {
      std::string_view name = field(i);
      if (column(name)) {
        return Status::invalid_argument(fmt::format("{}:1: duplicate column name '{}'", path_, name));
      }
      add_column(name);
    }
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
      if (line.empty()) continue;  // blank lines carry no row
      const uint64_t first_line = line_;
      auto split_status = split(line);
      while (split_status.code() == StatusCode::kOutOfRange) {
        // A quoted field goes on past the end of the line: join the next one.
        if (line.data() != multiline_.data()) multiline_.assign(line);
        std::string_view more;
        auto again = lines_.next(more, options_.max_line_bytes);
        line_ = lines_.line_number();
        if (!again.ok()) return again.status();  // oversize lines are row errors
        if (!*again) {
          line_ = first_line;
          return row_error("quoted field not closed before the end of the file");
        }
        multiline_ += '\n';
        multiline_.append(more);
        if (multiline_.size() > options_.max_line_bytes) {
          return row_error("quoted field longer than the line limit");
        }
        line = multiline_;
        split_status = split(line);
      }
      if (!split_status.ok()) return row_error(split_status.message());
      if (bounds_.size() != columns_.size()) {
        return row_error(fmt::format("expected {} fields as in the header, got {}", columns_.size(),
                                     bounds_.size()));
      }
      for (size_t i = 0; i < bounds_.size(); ++i) add_value(out, static_cast<ColumnId>(i), field(i));
      return true;
    }
  }

 private:
  std::string_view field(size_t i) const {
    const auto& b = bounds_[i];
    return b.in_arena ? std::string_view(arena_).substr(b.begin, b.size)
                      : std::string_view(source_.data() + b.begin, b.size);
  }

  // Splits `line` into bounds_. Unquoted fields point into the line; quoted ones are unescaped
  // into arena_. kOutOfRange means a quote is still open at the end of the line.
  Status split(std::string_view line) {
    source_ = line;
    bounds_.clear();
    arena_.clear();
    const char delim = options_.delimiter;
    size_t i = 0;
    for (;;) {
      if (i < line.size() && line[i] == '"') {
        const size_t start = arena_.size();
        ++i;
        for (;;) {
          if (i >= line.size()) return Status::out_of_range("open quote");
          if (line[i] == '"') {
            if (i + 1 < line.size() && line[i + 1] == '"') {
              arena_ += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          arena_ += line[i++];
        }
        bounds_.push_back({start, arena_.size() - start, true});
        if (i < line.size() && line[i] != delim) {
          return Status::invalid_argument(
              fmt::format("unexpected character '{}' after a closing quote", line[i]));
        }
      } else {
        const size_t start = i;
        while (i < line.size() && line[i] != delim) {
          if (line[i] == '"') return Status::invalid_argument("quote inside an unquoted field");
          ++i;
        }
        bounds_.push_back({start, i - start, false});
      }
      if (i >= line.size()) return Status();
      ++i;  // the delimiter
      if (i == line.size()) {
        bounds_.push_back({i, 0, false});  // trailing empty field
        return Status();
      }
    }
  }

  struct Bound {
    size_t begin;
    size_t size;
    bool in_arena;
  };
  LineReader lines_;
  std::string_view source_;
  std::vector<Bound> bounds_;
  std::string arena_;
  std::string multiline_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> open_csv(const std::string& path, const ReaderOptions& options) {
  auto reader = std::make_unique<CsvReader>(path, options);
  RIVULET_RETURN_IF_ERROR(reader->open());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace rivulet::io::internal
