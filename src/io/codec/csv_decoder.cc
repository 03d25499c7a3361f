// CSV decoder (RFC 4180 quoting within one line): cells are cut without copying (a quoted cell
// with doubled quotes is unescaped into a scratch buffer), mapped to schema fields by the header
// of their origin (or by position) and typed as the JSON decoder types strings. An unquoted empty
// cell is NULL; a quoted empty cell ("") is the empty string in a string field.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "io/codec/codec_decoders.h"
#include "io/codec/codec_internal.h"
#include "io/line_reader.h"

namespace rivulet::io::internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

class CsvDecoder final : public Decoder {
 public:
  CsvDecoder(stream::SchemaPtr schema, DecoderOptions options, int event_field)
      : schema_(std::move(schema)), options_(std::move(options)), event_field_(event_field) {
    staging_.resize(schema_->size());
    for (size_t f = 0; f < schema_->size(); ++f) positional_.push_back(static_cast<int32_t>(f));
  }

  size_t decode(const RawLines& lines, stream::Batch& out, stream::OperatorContext& ctx,
                int64_t now_ms) override {
    out_ = &out;
    size_t added = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string_view line = lines.line(i);
      const uint64_t number = lines.line_number(i);
      const std::vector<int32_t>* columns = &positional_;
      if (options_.csv_header) {
        Header* header = header_for(lines.origin(i));
        if (number == 1 || (number == 0 && header == nullptr)) {
          ++skipped_;
          if (!read_header(lines.origin(i), line)) dead(lines, i, ctx);
          continue;
        }
        if (header == nullptr) header = header_from_file(lines.origin(i));
        if (header == nullptr) {
          reason_ = fmt::format("no CSV header seen from '{}' (csv_header is on)", lines.origin(i));
          dead(lines, i, ctx);
          continue;
        }
        columns = &header->columns;
      }
      if (trim(line).empty()) {
        ++skipped_;
        continue;
      }
      std::fill(staging_.begin(), staging_.end(), Value());
      int64_t event_time = now_ms;
      if (decode_line(line, *columns, event_time)) {
        const size_t r = out.add_row(event_time);
        std::memcpy(static_cast<void*>(out.mutable_row(r)), staging_.data(),
                    staging_.size() * sizeof(Value));
        ++added;
      } else {
        dead(lines, i, ctx);
      }
    }
    out_ = nullptr;
    return added;
  }

  uint64_t skipped() const override { return skipped_; }

 private:
  struct Cell {
    size_t begin = 0;  // in the line, or in scratch_ when unescaped
    size_t size = 0;
    bool quoted = false;
    bool unescaped = false;
  };
  struct Header {
    std::string origin;
    std::vector<int32_t> columns;  // schema field of each column, -1: not in the schema
  };

  void dead(const RawLines& lines, size_t i, stream::OperatorContext& ctx) {
    stream::DeadLetter letter;
    letter.stage = "decode";
    letter.reason = reason_;
    letter.record = std::string(lines.line(i));
    letter.origin = origin_with_line(lines.origin(i), lines.line_number(i));
    ctx.dead_letter(std::move(letter));
  }

  Header* header_for(const std::string& origin) {
    if (last_ < headers_.size() && headers_[last_].origin == origin) return &headers_[last_];
    for (size_t h = 0; h < headers_.size(); ++h) {
      if (headers_[h].origin == origin) {
        last_ = h;
        return &headers_[h];
      }
    }
    return nullptr;
  }

  bool read_header(const std::string& origin, std::string_view line) {
    if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
    if (!split(line)) {
      reason_ = "malformed CSV header: " + reason_;
      return false;
    }
    Header* header = header_for(origin);
    if (header == nullptr) {
      headers_.push_back({origin, {}});
      last_ = headers_.size() - 1;
      header = &headers_.back();
    }
    header->columns.assign(cells_.size(), -1);
    std::vector<bool> taken(schema_->size(), false);
    for (size_t c = 0; c < cells_.size(); ++c) {
      const auto index = schema_->index_of(trim(cell_text(cells_[c])));
      if (index && !taken[*index]) {
        header->columns[c] = static_cast<int32_t>(*index);
        taken[*index] = true;
      }
    }
    return true;
  }

  // After a restore, lines of a file come without its first line: read the header there.
  Header* header_from_file(const std::string& origin) {
    LineReader reader;
    if (!reader.open(origin).ok()) return nullptr;
    std::string_view first;
    auto got = reader.next(first, size_t{1} << 20);
    if (!got.ok() || !*got) return nullptr;
    const std::string copy(first);
    if (!read_header(origin, copy)) return nullptr;
    return header_for(origin);
  }

  std::string_view cell_text(const Cell& c) const {
    return c.unescaped ? std::string_view(scratch_).substr(c.begin, c.size)
                       : line_.substr(c.begin, c.size);
  }

  // Cuts `line` into cells_; false with reason_ on malformed quoting.
  bool split(std::string_view line) {
    line_ = line;
    cells_.clear();
    scratch_.clear();
    const char delimiter = options_.csv_delimiter;
    size_t i = 0;
    const size_t n = line.size();
    for (;;) {
      Cell cell;
      if (i < n && line[i] == '"') {
        cell.quoted = true;
        size_t j = i + 1;
        size_t segment = j;
        bool closed = false;
        while (j < n) {
          const char* q = static_cast<const char*>(std::memchr(line.data() + j, '"', n - j));
          if (q == nullptr) break;
          const size_t at = static_cast<size_t>(q - line.data());
          if (at + 1 < n && line[at + 1] == '"') {
            // A doubled quote: the cell needs unescaping.
            if (!cell.unescaped) {
              cell.unescaped = true;
              cell.begin = scratch_.size();
            }
            scratch_.append(line.data() + segment, at + 1 - segment);
            j = segment = at + 2;
            continue;
          }
          if (cell.unescaped) {
            scratch_.append(line.data() + segment, at - segment);
            cell.size = scratch_.size() - cell.begin;
          } else {
            cell.begin = i + 1;
            cell.size = at - (i + 1);
          }
          i = at + 1;
          closed = true;
          break;
        }
        if (!closed) {
          reason_ = fmt::format(
              "malformed CSV: unterminated quoted field in column {} (a quoted field cannot span "
              "lines)",
              cells_.size() + 1);
          return false;
        }
        if (i < n && line[i] != delimiter) {
          reason_ = fmt::format(
              "malformed CSV: unexpected character after the closing quote of column {}",
              cells_.size() + 1);
          return false;
        }
      } else {
        const char* d = static_cast<const char*>(std::memchr(line.data() + i, delimiter, n - i));
        const size_t end = d == nullptr ? n : static_cast<size_t>(d - line.data());
        cell.begin = i;
        cell.size = end - i;
        i = end;
      }
      cells_.push_back(cell);
      if (i >= n) return true;
      ++i;  // the delimiter
      if (i == n) {
        cells_.push_back(Cell{i, 0, false, false});  // a trailing delimiter: an empty last cell
        return true;
      }
    }
  }

  bool decode_line(std::string_view line, const std::vector<int32_t>& columns,
                   int64_t& event_time) {
    // A trailing "\r" of a CRLF file is the terminator, not data.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!split(line)) return false;
    if (cells_.size() != columns.size()) {
      if (options_.csv_header) {
        reason_ =
            fmt::format("line has {} columns, the header has {}", cells_.size(), columns.size());
      } else {
        reason_ = fmt::format("expected {} columns (the schema's fields), got {}", columns.size(),
                              cells_.size());
      }
      return false;
    }
    for (size_t c = 0; c < cells_.size(); ++c) {
      if (columns[c] < 0) continue;
      if (!convert(static_cast<size_t>(columns[c]), cells_[c])) return false;
    }
    if (event_field_ >= 0) return resolve_event_time(static_cast<size_t>(event_field_), event_time);
    return true;
  }

  bool mismatch(size_t f, std::string_view text) {
    const auto& field = schema_->field(f);
    reason_ = fmt::format("field '{}': expected {}, got {}", field.name, type_name(field.type),
                          quote_for_message(text));
    return false;
  }

  bool convert(size_t f, const Cell& cell) {
    const std::string_view text = cell_text(cell);
    const Type want = schema_->field(f).type;
    if (want == Type::kString) {
      if (text.empty() && !cell.quoted) return true;  // NULL
      staging_[f] = Value::of_string(out_->arena().copy(text));
      return true;
    }
    const std::string_view t = trim(text);
    if (t.empty()) return true;  // NULL
    const char* end = t.data() + t.size();
    switch (want) {
      case Type::kInt: {
        int64_t i = 0;
        auto r = std::from_chars(t.data(), end, i);
        if (r.ec == std::errc() && r.ptr == end) {
          staging_[f] = Value::of_int(i);
          return true;
        }
        double d = 0.0;
        auto rd = std::from_chars(t.data(), end, d);
        if (rd.ec == std::errc() && rd.ptr == end && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
          staging_[f] = Value::of_int(static_cast<int64_t>(d));
          return true;
        }
        break;
      }
      case Type::kDouble: {
        double d = 0.0;
        auto r = std::from_chars(t.data(), end, d);
        if (r.ec == std::errc() && r.ptr == end) {
          staging_[f] = Value::of_double(d);
          return true;
        }
        break;
      }
      case Type::kBool:
        if (iequals(t, "true") || t == "1") {
          staging_[f] = Value::of_bool(true);
          return true;
        }
        if (iequals(t, "false") || t == "0") {
          staging_[f] = Value::of_bool(false);
          return true;
        }
        break;
      case Type::kString:
      case Type::kNull:
        break;
    }
    if (static_cast<int>(f) == event_field_ && is_numeric(want)) {
      if (auto ms = parse_iso8601_ms(t)) {
        staging_[f] =
            want == Type::kInt ? Value::of_int(*ms) : Value::of_double(static_cast<double>(*ms));
        return true;
      }
      reason_ = event_time_error(schema_->field(f).name, text);
      return false;
    }
    return mismatch(f, text);
  }

  bool resolve_event_time(size_t f, int64_t& event_time) {
    const Value v = staging_[f];
    switch (v.type()) {
      case Type::kInt:
        if (auto ms = event_time_of_int(v.as_int(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        reason_ = event_time_error(schema_->field(f).name, fmt::format("{}", v.as_int()));
        return false;
      case Type::kDouble:
        if (auto ms = event_time_of_double(v.as_double(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        reason_ = event_time_error(schema_->field(f).name, fmt::format("{}", v.as_double()));
        return false;
      case Type::kString:
        if (auto ms = parse_event_time_text(v.as_string(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        reason_ = event_time_error(schema_->field(f).name, v.as_string());
        return false;
      case Type::kNull:
      case Type::kBool:
        return true;
    }
    return true;
  }

  stream::SchemaPtr schema_;
  DecoderOptions options_;
  int event_field_;
  std::vector<int32_t> positional_;
  std::vector<Header> headers_;
  size_t last_ = 0;
  std::vector<Cell> cells_;
  std::string scratch_;
  std::string_view line_;
  std::vector<Value> staging_;
  std::string reason_;
  stream::Batch* out_ = nullptr;
  uint64_t skipped_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> make_csv_decoder(stream::SchemaPtr schema, DecoderOptions options,
                                          int event_field) {
  return std::make_unique<CsvDecoder>(std::move(schema), std::move(options), event_field);
}

}  // namespace rivulet::io::internal
