// flat_map (explode): one row per element of a JSON array held as text, parsed with simdjson
// On-Demand from a padded copy of the text (the batch's strings are not padded).

#include <simdjson.h>

#include <cmath>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

namespace {

namespace ondemand = simdjson::ondemand;

// At most this many bytes of a bad text are quoted in a dead letter's reason.
constexpr size_t kQuoteBytes = 60;

std::string_view trim_end(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string quote(std::string_view text) {
  return internal::quote_cut(trim_end(text), kQuoteBytes);
}

std::string_view json_type_name(ondemand::json_type t) {
  switch (t) {
    case ondemand::json_type::array:
      return "an array";
    case ondemand::json_type::object:
      return "an object";
    case ondemand::json_type::number:
      return "a number";
    case ondemand::json_type::string:
      return "a string";
    case ondemand::json_type::boolean:
      return "a boolean";
    case ondemand::json_type::null:
      return "null";
  }
  return "a value";
}

}  // namespace

struct FlatMapOperator::Parser {
  ondemand::parser parser;
  std::string padded;  // the text followed by SIMDJSON_PADDING bytes
};

FlatMapOperator::FlatMapOperator(Options options)
    : options_(std::move(options)), parser_(std::make_unique<Parser>()) {}

FlatMapOperator::~FlatMapOperator() = default;

Result<std::unique_ptr<FlatMapOperator>> FlatMapOperator::create(Options options) {
  if (options.field.empty()) {
    return error_at(options.field_pos,
                    "flat_map: 'field' is empty (name the string field holding a JSON array)");
  }
  if (options.type == Type::kNull) {
    return error_at(options.field_pos,
                    "flat_map: 'type' cannot be null (valid: string, bigint, double, boolean)");
  }
  const std::string& as = options.as.empty() ? options.field : options.as;
  if (options.position == as) {
    return error_at(options.field_pos,
                    fmt::format("flat_map: 'position' and 'as' both name '{}'", as));
  }
  return std::unique_ptr<FlatMapOperator>(new FlatMapOperator(std::move(options)));
}

Result<SchemaPtr> FlatMapOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  const auto index = input->index_of(options_.field);
  if (!index) return error_at(options_.field_pos, input->unknown_field_message(options_.field));
  const SchemaField& array = input->field(*index);
  if (array.type != Type::kString) {
    return error_at(options_.field_pos,
                    fmt::format("flat_map: field '{}' is {}; it must be a string holding a JSON "
                                "array, e.g. [1, 2, 3]",
                                array.name, type_name(array.type)));
  }
  field_ = *index;
  std::vector<SchemaField> fields = input->fields();
  const std::string& as = options_.as.empty() ? options_.field : options_.as;
  if (as != options_.field && input->index_of(as)) {
    return error_at(options_.field_pos,
                    fmt::format("flat_map: 'as' names the existing field '{}' (choose a new "
                                "name; the element replaces the field '{}')",
                                as, options_.field));
  }
  fields[field_] = {as, options_.type, true};
  position_field_.reset();
  if (!options_.position.empty()) {
    if (input->index_of(options_.position) && options_.position != options_.field) {
      return error_at(options_.field_pos,
                      fmt::format("flat_map: 'position' names the existing field '{}' (choose "
                                  "a new name)",
                                  options_.position));
    }
    position_field_ = fields.size();
    fields.push_back({options_.position, Type::kInt, options_.outer});
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

bool FlatMapOperator::parse(std::string_view text, Arena& arena, std::string& error) {
  elements_.clear();
  std::string& padded = parser_->padded;
  padded.assign(text);
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  const std::string_view field = options_.field;
  auto fail = [&](std::string_view what) {
    error = fmt::format("field '{}': {}", field, what);
    return false;
  };
  auto malformed = [&](simdjson::error_code code) {
    // simdjson checks a root array's brackets when it starts: "[1, 2" and "[1] 2" both fail so.
    const std::string_view why = code == simdjson::INCOMPLETE_ARRAY_OR_OBJECT
                                     ? "the array is not closed, or text follows it"
                                     : simdjson::error_message(code);
    return fail(fmt::format("malformed JSON array {}: {}", quote(text), why));
  };
  if (internal::is_blank(text)) return fail("expected a JSON array, got an empty text");
  ondemand::document doc;
  auto code = parser_->parser.iterate(padded.data(), text.size(), padded.size()).get(doc);
  if (code) return malformed(code);
  ondemand::array array;
  code = doc.get_array().get(array);
  if (code == simdjson::INCORRECT_TYPE) {
    ondemand::json_type t;
    if (doc.type().get(t) == simdjson::SUCCESS) {
      return fail(fmt::format("expected a JSON array, got {} {}", json_type_name(t), quote(text)));
    }
    return fail(fmt::format("expected a JSON array, got {}", quote(text)));
  }
  if (code) return malformed(code);
  const Type type = options_.type;
  size_t k = 0;
  for (auto item : array) {
    ++k;
    ondemand::value v;
    code = item.get(v);
    if (code) return malformed(code);
    ondemand::json_type t;
    code = v.type().get(t);
    if (code) return malformed(code);
    auto wrong = [&](std::string_view got) {
      return fail(fmt::format("element {} is {}, expected {}", k, got, type_name(type)));
    };
    Value element;
    if (t == ondemand::json_type::null) {
      bool is_null = false;
      code = v.is_null().get(is_null);
      if (code || !is_null) return malformed(simdjson::N_ATOM_ERROR);
      elements_.push_back(element);
      continue;
    }
    switch (type) {
      case Type::kString: {
        std::string_view s;
        if (t == ondemand::json_type::string) {
          code = v.get_string().get(s);
        } else if (t == ondemand::json_type::array) {
          ondemand::array nested;
          code = v.get_array().get(nested);
          if (!code) code = nested.raw_json().get(s);
          s = trim_end(s);
        } else if (t == ondemand::json_type::object) {
          ondemand::object nested;
          code = v.get_object().get(nested);
          if (!code) code = nested.raw_json().get(s);
          s = trim_end(s);
        } else {
          // Numbers and booleans as written; validate them by reading them.
          if (t == ondemand::json_type::boolean) {
            bool b;
            code = v.get_bool().get(b);
          } else {
            ondemand::number number;
            code = v.get_number().get(number);
          }
          if (!code) s = trim_end(v.raw_json_token());
        }
        if (code) return malformed(code);
        element = Value::of_string(arena.copy(s));
        break;
      }
      case Type::kInt: {
        if (t != ondemand::json_type::number) return wrong(json_type_name(t));
        ondemand::number number;
        code = v.get_number().get(number);
        if (code) return malformed(code);
        if (number.is_int64()) {
          element = Value::of_int(number.get_int64());
        } else if (number.is_double()) {
          const double d = number.get_double();
          // Whole doubles within bigint's range convert exactly (2^63 itself does not fit).
          if (!(std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
            return wrong(fmt::format("{}", d));
          }
          element = Value::of_int(static_cast<int64_t>(d));
        } else {
          return wrong(fmt::format("{} (beyond bigint)", number.get_uint64()));
        }
        break;
      }
      case Type::kDouble: {
        if (t != ondemand::json_type::number) return wrong(json_type_name(t));
        double d;
        code = v.get_double().get(d);
        if (code) return malformed(code);
        element = Value::of_double(d);
        break;
      }
      case Type::kBool: {
        if (t != ondemand::json_type::boolean) return wrong(json_type_name(t));
        bool b;
        code = v.get_bool().get(b);
        if (code) return malformed(code);
        element = Value::of_bool(b);
        break;
      }
      case Type::kNull:
        break;
    }
    elements_.push_back(element);
  }
  // Text after the array ("[1] 2") is malformed.
  if (!doc.current_location().error())
    return fail(fmt::format("text after the JSON array {}", quote(text)));
  return true;
}

Status FlatMapOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  out_.reset(out_schema_);
  out_.reserve(n);
  Arena& arena = batch.arena();  // handed over with the output
  const size_t n_in = batch.n_fields();
  for (size_t r = 0; r < n; ++r) {
    const Value text = batch.get(r, field_);
    if (text.is_null()) {
      elements_.clear();
    } else if (!parse(text.as_string(), arena, reason_)) {
      ctx.dead_letter(internal::stage_of(*this), reason_, batch, r);
      continue;
    }
    const size_t k = elements_.size();
    if (k == 0) {
      if (!options_.outer) {
        ++ctx.counts.filtered;
        continue;
      }
      Value* dst = internal::append_prefix(out_, batch.row(r), n_in, batch.event_time(r));
      dst[field_] = Value();
      ++ctx.counts.out;
      continue;
    }
    for (size_t i = 0; i < k; ++i) {
      Value* dst = internal::append_prefix(out_, batch.row(r), n_in, batch.event_time(r));
      dst[field_] = elements_[i];
      if (position_field_) dst[*position_field_] = Value::of_int(static_cast<int64_t>(i));
    }
    ctx.counts.out += k;
    ctx.counts.added += k - 1;
  }
  internal::hand_over(batch, out_);
  return {};
}

std::unique_ptr<Operator> FlatMapOperator::clone() const {
  return std::unique_ptr<Operator>(new FlatMapOperator(options_));
}

}  // namespace rivulet::stream
