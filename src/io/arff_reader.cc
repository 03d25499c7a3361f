// ARFF, Weka's format: a header of @relation / @attribute declarations, then @data rows, dense
// ("1.5,UP") or sparse ("{0 1.5, 3 UP}"). Keywords are case-insensitive, '%' starts a comment,
// names and values may be quoted with ' or " (backslash escapes inside), '?' is missing.
//
// Value types follow River's reading of the Electricity data: numeric/real/integer attributes
// are numbers (a value that is not one is a row error); a nominal value must be one of the
// declared values (else a row error) and is a number when it reads as one (Electricity's day
// {1,...,7}) and text otherwise (class {UP,DOWN}); string and date attributes are text.
// A sparse row leaves the attributes it does not name absent, as River's iter_arff does (Weka
// reads them as 0). An optional instance weight ("..., {2.5}") is accepted and ignored.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "io/line_reader.h"
#include "io/readers.h"

namespace rivulet::io::internal {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_stop(char c, std::string_view stops) {
  for (char s : stops) {
    if (c == s) return true;
  }
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A cursor over one line. value() unescapes quoted text into `arena` (whose capacity the
// caller has reserved, so views into it stay valid for the whole line).
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  // True at the end of the line or at a '%' comment.
  bool at_end() const { return pos_ >= text_.size() || text_[pos_] == '%'; }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void advance() { ++pos_; }
  std::string_view rest() const { return text_.substr(pos_); }

  // Reads a value ending at one of `stops` (or a comment, or the end of the line). A quoted
  // value is unescaped into `arena`; an unquoted one is trimmed. kInvalidArgument for an
  // unclosed quote or text after a closing quote.
  Status value(std::string_view stops, std::string& arena, std::string_view& out, bool& quoted) {
    skip_spaces();
    quoted = false;
    const char q = peek();
    if (q == '\'' || q == '"') {
      quoted = true;
      ++pos_;
      const size_t start = arena.size();
      for (;;) {
        if (pos_ >= text_.size())
          return Status::invalid_argument(fmt::format("unclosed {} quote", q));
        char c = text_[pos_++];
        if (c == q) break;
        if (c == '\\' && pos_ < text_.size()) {
          c = text_[pos_++];
          if (c == 'n')
            c = '\n';
          else if (c == 't')
            c = '\t';
          else if (c == 'r')
            c = '\r';
        }
        arena += c;
      }
      out = std::string_view(arena).substr(start);
      if (!at_end() && !is_space(peek()) && !is_stop(peek(), stops)) {
        return Status::invalid_argument(
            fmt::format("unexpected character '{}' after a closing quote", peek()));
      }
      skip_spaces();
      return Status();
    }
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '%' || is_stop(c, stops)) break;
      if (c == '\'' || c == '"') return Status::invalid_argument("quote inside an unquoted value");
      ++pos_;
    }
    out = trim(text_.substr(start, pos_ - start));
    return Status();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

struct Attribute {
  enum class Type : uint8_t { kNumeric, kNominal, kString };
  Type type = Type::kNumeric;
  std::vector<std::string> sorted_values;      // nominal only, for binary search
  std::vector<std::optional<double>> numbers;  // of sorted_values, when they read as numbers
};

class ArffReader final : public RecordReader {
 public:
  ArffReader(std::string path, ReaderOptions options)
      : RecordReader(std::move(path), std::move(options)) {}

  Status open() {
    RIVULET_RETURN_IF_ERROR(lines_.open(path_));
    for (;;) {
      std::string_view line;
      auto got = lines_.next(line, options_.max_line_bytes);
      line_ = lines_.line_number();
      if (!got.ok()) return got.status();  // oversize lines are row errors
      if (!*got) return header_error("no @data section");
      line = trim(line);
      if (line.empty() || line.front() == '%') continue;
      if (line.front() != '@') {
        return header_error("expected @relation, @attribute or @data before the data");
      }
      size_t end = 1;
      while (end < line.size() && !is_space(line[end]) && line[end] != '{') ++end;
      const std::string_view keyword = line.substr(1, end - 1);
      if (iequals(keyword, "relation")) continue;
      if (iequals(keyword, "attribute")) {
        RIVULET_RETURN_IF_ERROR(parse_attribute(line.substr(end)));
        continue;
      }
      if (iequals(keyword, "data")) break;
      return header_error(fmt::format("unknown declaration '@{}'", keyword));
    }
    if (attributes_.empty()) return header_error("no @attribute before @data");
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
      line = trim(line);
      if (line.empty() || line.front() == '%') continue;
      arena_.clear();
      arena_.reserve(line.size());  // unescaped values are never longer than the line
      Status status = line.front() == '{' ? parse_sparse(line, out) : parse_dense(line, out);
      if (!status.ok()) {
        out.clear();
        return status;
      }
      return true;
    }
  }

 private:
  Status header_error(std::string_view reason) const {
    return Status::invalid_argument(fmt::format("{}:{}: {}", path_, line_, reason));
  }

  Status parse_attribute(std::string_view rest) {
    Cursor cursor(rest);
    std::string_view name;
    bool quoted = false;
    std::string names;
    names.reserve(rest.size());
    Status status = cursor.value(" \t{", names, name, quoted);
    if (!status.ok()) return header_error(status.message());
    if (name.empty()) return header_error("@attribute without a name");
    if (column(name)) return header_error(fmt::format("duplicate attribute name '{}'", name));
    cursor.skip_spaces();
    Attribute attribute;
    if (cursor.peek() == '{') {
      attribute.type = Attribute::Type::kNominal;
      cursor.advance();
      std::string values;
      values.reserve(rest.size());
      for (;;) {
        std::string_view value;
        status = cursor.value(",}", values, value, quoted);
        if (!status.ok()) return header_error(status.message());
        if (cursor.peek() == '}' && value.empty() && !quoted && attribute.sorted_values.empty()) {
          break;  // "{}" or "{ }"
        }
        if (value.empty() && !quoted) {
          return header_error(fmt::format("empty nominal value in attribute '{}'", name));
        }
        attribute.sorted_values.emplace_back(value);
        if (cursor.peek() == ',') {
          cursor.advance();
          continue;
        }
        if (cursor.peek() == '}') break;
        return header_error(
            fmt::format("nominal values of attribute '{}' not closed by '}}'", name));
      }
      cursor.advance();  // '}'
      cursor.skip_spaces();
      if (!cursor.at_end()) {
        return header_error(
            fmt::format("unexpected text after the values of attribute '{}'", name));
      }
      std::sort(attribute.sorted_values.begin(), attribute.sorted_values.end());
      attribute.sorted_values.erase(
          std::unique(attribute.sorted_values.begin(), attribute.sorted_values.end()),
          attribute.sorted_values.end());
      for (const auto& value : attribute.sorted_values)
        attribute.numbers.push_back(parse_number(value));
    } else {
      std::string_view type = cursor.rest();
      const size_t comment = type.find('%');
      if (comment != std::string_view::npos) type = type.substr(0, comment);
      type = trim(type);
      size_t word_end = 0;
      while (word_end < type.size() && !is_space(type[word_end])) ++word_end;
      const std::string_view word = type.substr(0, word_end);
      const bool alone = word_end == type.size();
      if (alone &&
          (iequals(word, "numeric") || iequals(word, "real") || iequals(word, "integer"))) {
        attribute.type = Attribute::Type::kNumeric;
      } else if (alone && iequals(word, "string")) {
        attribute.type = Attribute::Type::kString;
      } else if (iequals(word, "date")) {
        attribute.type = Attribute::Type::kString;  // the date text, format unused
      } else if (iequals(word, "relational")) {
        return header_error(
            fmt::format("attribute '{}': relational attributes are not supported", name));
      } else if (type.empty()) {
        return header_error(fmt::format("attribute '{}' has no type", name));
      } else {
        return header_error(fmt::format("attribute '{}' has an unknown type '{}'", name, type));
      }
    }
    add_column(name);
    attributes_.push_back(std::move(attribute));
    return Status();
  }

  // Adds one value of attribute `index` to `out`; a row error when it does not fit the type.
  Status add(Record& out, size_t index, std::string_view text, bool quoted) {
    const ColumnId column = static_cast<ColumnId>(index);
    if (!quoted && is_missing(text)) return Status();
    const Attribute& attribute = attributes_[index];
    switch (attribute.type) {
      case Attribute::Type::kNumeric: {
        auto number = parse_number(text);
        if (!number) {
          return row_error(
              fmt::format("attribute '{}' is numeric, got '{}'", columns_[index], text));
        }
        if (std::isfinite(*number)) out.add_number(column, *number, text);
        return Status();
      }
      case Attribute::Type::kNominal: {
        const auto& values = attribute.sorted_values;
        auto it = std::lower_bound(values.begin(), values.end(), text,
                                   [](const std::string& a, std::string_view b) { return a < b; });
        if (it == values.end() || *it != text) {
          return row_error(fmt::format("value '{}' is not one of the values of attribute '{}'",
                                       text, columns_[index]));
        }
        const auto& number = attribute.numbers[static_cast<size_t>(it - values.begin())];
        if (number) {
          if (std::isfinite(*number)) out.add_number(column, *number, text);
        } else {
          out.add_text(column, text);
        }
        return Status();
      }
      case Attribute::Type::kString:
        out.add_text(column, text);
        return Status();
    }
    return Status();
  }

  // A trailing "{weight}" after a row.
  static bool is_weight(std::string_view text) {
    return text.size() >= 2 && text.front() == '{' && text.back() == '}';
  }

  Status parse_dense(std::string_view line, Record& out) {
    Cursor cursor(line);
    size_t count = 0;
    for (;;) {
      std::string_view value;
      bool quoted = false;
      Status status = cursor.value(",", arena_, value, quoted);
      if (!status.ok()) return row_error(status.message());
      if (count == attributes_.size()) {
        cursor.skip_spaces();
        if (!quoted && is_weight(value) && cursor.at_end()) return Status();
        return row_error(
            fmt::format("expected {} values as declared, got more", attributes_.size()));
      }
      RIVULET_RETURN_IF_ERROR(add(out, count, value, quoted));
      ++count;
      if (cursor.peek() == ',') {
        cursor.advance();
        continue;
      }
      if (!cursor.at_end()) return row_error("expected ',' after a quoted value");
      break;
    }
    if (count != attributes_.size()) {
      return row_error(
          fmt::format("expected {} values as declared, got {}", attributes_.size(), count));
    }
    return Status();
  }

  Status parse_sparse(std::string_view line, Record& out) {
    Cursor cursor(line.substr(1));
    long previous = -1;
    cursor.skip_spaces();
    if (cursor.peek() != '}') {
      for (;;) {
        cursor.skip_spaces();
        const std::string_view rest = cursor.rest();
        size_t digits = 0;
        while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
        if (digits == 0) return row_error("sparse entry without an attribute index");
        if (digits > 9) return row_error("attribute index out of range in a sparse row");
        long index = 0;
        for (size_t i = 0; i < digits; ++i) index = index * 10 + (rest[i] - '0');
        if (index >= static_cast<long>(attributes_.size())) {
          return row_error(fmt::format("attribute index {} out of range (the header declares {})",
                                       index, attributes_.size()));
        }
        if (index <= previous) return row_error("sparse row indices must increase");
        previous = index;
        for (size_t i = 0; i < digits; ++i) cursor.advance();
        if (!is_space(cursor.peek())) return row_error("sparse entry must be 'index value'");
        std::string_view value;
        bool quoted = false;
        Status status = cursor.value(",}", arena_, value, quoted);
        if (!status.ok()) return row_error(status.message());
        RIVULET_RETURN_IF_ERROR(add(out, static_cast<size_t>(index), value, quoted));
        if (cursor.peek() == ',') {
          cursor.advance();
          continue;
        }
        if (cursor.peek() == '}') break;
        return row_error("sparse row not closed by '}'");
      }
    }
    cursor.advance();  // '}'
    cursor.skip_spaces();
    if (cursor.peek() == ',') {  // an instance weight
      cursor.advance();
      cursor.skip_spaces();
      std::string_view rest = cursor.rest();
      const size_t comment = rest.find('%');
      if (comment != std::string_view::npos) rest = rest.substr(0, comment);
      if (is_weight(trim(rest))) return Status();
      return row_error("unexpected text after a sparse row");
    }
    if (!cursor.at_end()) return row_error("unexpected text after a sparse row");
    return Status();
  }

  LineReader lines_;
  std::vector<Attribute> attributes_;
  std::string arena_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> open_arff(const std::string& path,
                                                const ReaderOptions& options) {
  auto reader = std::make_unique<ArffReader>(path, options);
  RIVULET_RETURN_IF_ERROR(reader->open());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace rivulet::io::internal
