// JSON Lines: one JSON object per line, parsed in place with simdjson On-Demand (the line
// reader leaves SIMDJSON_PADDING readable bytes after every line, so no copy is made).
// Numbers are numbers, strings text, true/false the numbers 1/0, null missing; nested objects
// and arrays are flattened into "a.b" and "a.0" columns. Columns are added the first time a row
// names them; a rejected row adds none.

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "io/dynamic_columns.h"
#include "io/line_reader.h"
#include "io/readers.h"

namespace rivulet::io::internal {
namespace {

static_assert(LineReader::kPadding >= simdjson::SIMDJSON_PADDING,
              "the line reader must pad lines for simdjson");

// Deeper nesting is a row error; it bounds the recursion of read_value.
constexpr int kMaxDepth = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

class JsonlReader final : public RecordReader {
 public:
  JsonlReader(std::string path, ReaderOptions options)
      : RecordReader(std::move(path), std::move(options)), dynamic_(columns_) {}

  Status open() { return lines_.open(path_); }

  Result<bool> next(Record& out) override {
    out.clear();
    for (;;) {
      std::string_view line;
      auto got = lines_.next(line, options_.max_line_bytes);
      line_ = lines_.line_number();
      if (!got.ok()) return got.status();  // oversize lines are row errors
      if (!*got) return false;
      if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // UTF-8 BOM
      // Only the start moves: the padding after the line's end stays valid.
      while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
      while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
      if (line.empty()) continue;
      const size_t known = columns_.size();
      Status status = parse(line, out);
      if (!status.ok()) {
        out.clear();
        dynamic_.forget_from(known);
        return status;
      }
      return true;
    }
  }

 private:
  Status json_error(simdjson::error_code error) const {
    return row_error(fmt::format("malformed JSON: {}", simdjson::error_message(error)));
  }

  Status parse(std::string_view line, Record& out) {
    dynamic_.begin_row();
    simdjson::ondemand::document doc;
    auto error = parser_.iterate(line, line.size() + LineReader::kPadding).get(doc);
    if (error) return json_error(error);
    simdjson::ondemand::object object;
    error = doc.get_object().get(object);
    if (error == simdjson::INCORRECT_TYPE) return row_error("expected a JSON object");
    if (error) return json_error(error);
    name_.clear();
    RIVULET_RETURN_IF_ERROR(read_object(object, out, 0));
    // A document that goes on after the object ("{...} 1") is malformed.
    if (!doc.current_location().error()) return row_error("malformed JSON: text after the object");
    return Status();
  }

  Status read_object(simdjson::ondemand::object& object, Record& out, int depth) {
    const size_t prefix = name_.size();
    for (auto field_result : object) {
      simdjson::ondemand::field field;
      auto error = std::move(field_result).get(field);
      if (error) return json_error(error);
      std::string_view key;
      error = field.unescaped_key().get(key);
      if (error) return json_error(error);
      if (prefix > 0) name_ += '.';
      name_ += key;
      RIVULET_RETURN_IF_ERROR(read_value(field.value(), out, depth));
      name_.resize(prefix);
    }
    return Status();
  }

  Status read_value(simdjson::ondemand::value value, Record& out, int depth) {
    simdjson::ondemand::json_type type;
    auto error = value.type().get(type);
    if (error) return json_error(error);
    switch (type) {
      case simdjson::ondemand::json_type::object: {
        if (depth + 1 >= kMaxDepth)
          return row_error(fmt::format("nesting deeper than {}", kMaxDepth));
        simdjson::ondemand::object object;
        error = value.get_object().get(object);
        if (error) return json_error(error);
        return read_object(object, out, depth + 1);
      }
      case simdjson::ondemand::json_type::array: {
        if (depth + 1 >= kMaxDepth)
          return row_error(fmt::format("nesting deeper than {}", kMaxDepth));
        simdjson::ondemand::array array;
        error = value.get_array().get(array);
        if (error) return json_error(error);
        const size_t prefix = name_.size();
        size_t i = 0;
        for (auto element_result : array) {
          simdjson::ondemand::value element;
          error = std::move(element_result).get(element);
          if (error) return json_error(error);
          fmt::format_to(std::back_inserter(name_), ".{}", i++);
          RIVULET_RETURN_IF_ERROR(read_value(element, out, depth + 1));
          name_.resize(prefix);
        }
        return Status();
      }
      case simdjson::ondemand::json_type::number: {
        std::string_view token = value.raw_json_token();
        while (!token.empty() && is_space(token.back())) token.remove_suffix(1);
        double number = 0.0;
        error = value.get_double().get(number);
        if (error) {
          // simdjson refuses numbers beyond double's range; like other non-finite values they
          // are missing.
          auto parsed = parse_number(token);
          if (!parsed || std::isfinite(*parsed)) return json_error(error);
          return mark_seen().status();
        }
        RIVULET_ASSIGN_OR_RETURN(const ColumnId column, mark_seen());
        if (std::isfinite(number)) out.add_number(column, number, token);
        return Status();
      }
      case simdjson::ondemand::json_type::string: {
        std::string_view text;
        error = value.get_string().get(text);
        if (error) return json_error(error);
        RIVULET_ASSIGN_OR_RETURN(const ColumnId column, mark_seen());
        if (!is_missing(text)) out.add_text(column, text);
        return Status();
      }
      case simdjson::ondemand::json_type::boolean: {
        bool flag = false;
        error = value.get_bool().get(flag);
        if (error) return json_error(error);
        RIVULET_ASSIGN_OR_RETURN(const ColumnId column, mark_seen());
        out.add_number(column, flag ? 1.0 : 0.0, flag ? "true" : "false");
        return Status();
      }
      case simdjson::ondemand::json_type::null: {
        bool null = false;
        error = value.is_null().get(null);
        if (error) return json_error(error);
        if (!null) return json_error(simdjson::N_ATOM_ERROR);
        return mark_seen().status();
      }
    }
    return json_error(simdjson::INCORRECT_TYPE);
  }

  // The column of name_, added if new; a row error when this row already named it.
  Result<ColumnId> mark_seen() {
    const ColumnId column = dynamic_.resolve(name_);
    if (!dynamic_.mark(column)) return row_error(fmt::format("duplicate key '{}'", name_));
    return column;
  }

  LineReader lines_;
  simdjson::ondemand::parser parser_;
  std::string name_;  // the flattened name of the value being read
  DynamicColumns dynamic_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> open_jsonl(const std::string& path,
                                                 const ReaderOptions& options) {
  auto reader = std::make_unique<JsonlReader>(path, options);
  RIVULET_RETURN_IF_ERROR(reader->open());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace rivulet::io::internal
