// validate: per-field rules (type, required, range, allowed values, length, pattern); failing
// rows go to the dead letters with the first rule they break.

#include <algorithm>
#include <cmath>
#include <regex>

#include "rivulet/stream/operators.h"
#include "stream/expression_internal.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

namespace {

// At most this many bytes of a string value are quoted in a reason.
constexpr size_t kQuoteBytes = 60;
// At most this many allowed values are listed in a reason.
constexpr size_t kShownAllowed = 10;

std::regex::flag_type regex_flags() {
  auto flags = std::regex::ECMAScript | std::regex::optimize;
#ifdef __GLIBCXX__
  // libstdc++'s breadth-first matcher: polynomial time and a stack depth bounded by the pattern,
  // not by the text (the default depth-first one recurses per character and can overflow).
  flags |= std::regex_constants::__polynomial;
#endif
  return flags;
}

Result<std::regex> compile_pattern(const ValidationRule& rule) {
  try {
    return std::regex(rule.pattern, regex_flags());
  } catch (const std::regex_error& e) {
    return error_at(rule.pos, fmt::format("validate: field '{}': invalid pattern '{}': {}",
                                          rule.field, rule.pattern, e.what()));
  }
}

std::string format_number(double d) {
  if (!std::isfinite(d)) return to_string(Value::of_double(d));  // NaN, Infinity, -Infinity
  return fmt::format("{}", d);
}

// A value as reasons show it: strings quoted (and cut), numbers as written.
std::string show(Value v) {
  switch (v.type()) {
    case Type::kString:
      return internal::quote_cut(v.as_string(), kQuoteBytes);
    case Type::kDouble:
      return format_number(v.as_double());
    default:
      return to_string(v);
  }
}

// Whether values of `from` can ever be `to` without loss.
bool can_convert(Type from, Type to) {
  if (from == to || to == Type::kString || from == Type::kString) return true;
  return is_numeric(from) && is_numeric(to);
}

// Converts `v` (not NULL) to `to` when nothing is lost; strings made of numbers use `buf`.
bool convert(Value v, Type to, Value& out, char (&buf)[32]) {
  const Type from = v.type();
  if (from == to) {
    out = v;
    return true;
  }
  switch (to) {
    case Type::kString:
      if (from == Type::kInt) {
        out = Value::of_string({buf, format_int(v.as_int(), buf)});
      } else if (from == Type::kDouble) {
        out = Value::of_string({buf, format_double(v.as_double(), buf)});
      } else {
        out = Value::of_string(v.as_bool() ? "TRUE" : "FALSE");
      }
      return true;
    case Type::kInt:
      if (from == Type::kDouble) {
        const double d = v.as_double();
        if (!(std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
          return false;
        }
        out = Value::of_int(static_cast<int64_t>(d));
        return true;
      }
      if (from == Type::kString) {
        const auto i = internal::parse_bigint(v.as_string());
        if (!i) return false;
        out = Value::of_int(*i);
        return true;
      }
      return false;
    case Type::kDouble:
      if (from == Type::kInt) {
        const int64_t i = v.as_int();
        const double d = static_cast<double>(i);
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
              static_cast<int64_t>(d) == i)) {
          return false;
        }
        out = Value::of_double(d);
        return true;
      }
      if (from == Type::kString) {
        const auto d = internal::parse_double(v.as_string());
        if (!d) return false;
        out = Value::of_double(*d);
        return true;
      }
      return false;
    case Type::kBool:
      if (from == Type::kString) {
        const auto b = internal::parse_boolean(v.as_string());
        if (!b) return false;
        out = Value::of_bool(*b);
        return true;
      }
      return false;
    case Type::kNull:
      return false;
  }
  return false;
}

}  // namespace

struct ValidateOperator::Check {
  size_t field = 0;
  std::string name;
  bool required = false;
  Type as = Type::kString;  // the type values are checked as
  std::optional<double> min, max;
  std::optional<uint64_t> min_length, max_length;
  bool has_allowed = false;
  std::vector<std::string> allowed_strings;  // sorted
  std::vector<int64_t> allowed_ints;         // sorted
  std::vector<double> allowed_doubles;       // sorted
  bool allowed_true = false, allowed_false = false;
  std::string allowed_shown;
  std::optional<std::regex> pattern;
  std::string pattern_text;
};

ValidateOperator::ValidateOperator(Options options) : options_(std::move(options)) {}
ValidateOperator::~ValidateOperator() = default;

Result<std::unique_ptr<ValidateOperator>> ValidateOperator::create(Options options) {
  if (options.rules.empty()) {
    return Status::invalid_argument(
        "validate: 'rules' is empty (give per field: type, required, min, max, allowed, "
        "min_length, max_length, pattern)");
  }
  for (const ValidationRule& rule : options.rules) {
    if (rule.field.empty()) return error_at(rule.pos, "validate: a rule's field name is empty");
    const bool checks_something = rule.type || rule.required || rule.min || rule.max ||
                                  !rule.allowed.empty() || rule.min_length || rule.max_length ||
                                  !rule.pattern.empty();
    if (!checks_something) {
      return error_at(rule.pos,
                      fmt::format("validate: the rule of field '{}' checks nothing (give type, "
                                  "required, min, max, allowed, min_length, max_length or "
                                  "pattern)",
                                  rule.field));
    }
    if (rule.type == Type::kNull) {
      return error_at(rule.pos, fmt::format("validate: field '{}': type cannot be null (valid: "
                                            "boolean, bigint, double, string)",
                                            rule.field));
    }
    if (rule.min && rule.max && !(*rule.min <= *rule.max)) {
      return error_at(rule.pos,
                      fmt::format("validate: field '{}': min {} is above max {}", rule.field,
                                  format_number(*rule.min), format_number(*rule.max)));
    }
    if ((rule.min && std::isnan(*rule.min)) || (rule.max && std::isnan(*rule.max))) {
      return error_at(
          rule.pos,
          fmt::format("validate: field '{}': min and max must be numbers, not NaN", rule.field));
    }
    if (rule.min_length && rule.max_length && *rule.min_length > *rule.max_length) {
      return error_at(rule.pos,
                      fmt::format("validate: field '{}': min_length {} is above max_length {}",
                                  rule.field, *rule.min_length, *rule.max_length));
    }
    if (!rule.pattern.empty()) RIVULET_RETURN_IF_ERROR(compile_pattern(rule).status());
  }
  return std::unique_ptr<ValidateOperator>(new ValidateOperator(std::move(options)));
}

Result<SchemaPtr> ValidateOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  checks_.clear();
  for (const ValidationRule& rule : options_.rules) {
    const auto index = input->index_of(rule.field);
    if (!index) return error_at(rule.pos, input->unknown_field_message(rule.field));
    const SchemaField& field = input->field(*index);
    Check check;
    check.field = *index;
    check.name = rule.field;
    check.required = rule.required;
    check.as = rule.type.value_or(field.type);
    auto rule_error = [&](std::string_view what) {
      return error_at(rule.pos, fmt::format("validate: field '{}': {}", rule.field, what));
    };
    if (!can_convert(field.type, check.as)) {
      return rule_error(
          fmt::format("it is {} and can never be {}", type_name(field.type), type_name(check.as)));
    }
    if ((rule.min || rule.max) && !is_numeric(check.as)) {
      return rule_error(
          fmt::format("min and max apply to numbers, and the field is {} (give "
                      "type: double to check numbers written as text)",
                      type_name(check.as)));
    }
    if ((rule.min_length || rule.max_length || !rule.pattern.empty()) &&
        check.as != Type::kString) {
      return rule_error(
          fmt::format("min_length, max_length and pattern apply to strings, and "
                      "the field is {} (give type: string to check its text)",
                      type_name(check.as)));
    }
    check.min = rule.min;
    check.max = rule.max;
    check.min_length = rule.min_length;
    check.max_length = rule.max_length;
    if (!rule.allowed.empty()) {
      check.has_allowed = true;
      size_t shown = 0;
      for (const std::string& text : rule.allowed) {
        char buf[32];
        Value converted;
        if (!convert(Value::of_string(text), check.as, converted, buf)) {
          return rule_error(
              fmt::format("the allowed value '{}' is not a {}", text, type_name(check.as)));
        }
        switch (check.as) {
          case Type::kString:
            check.allowed_strings.push_back(text);
            break;
          case Type::kInt:
            check.allowed_ints.push_back(converted.as_int());
            break;
          case Type::kDouble:
            check.allowed_doubles.push_back(converted.as_double());
            break;
          case Type::kBool:
            (converted.as_bool() ? check.allowed_true : check.allowed_false) = true;
            break;
          case Type::kNull:
            break;
        }
        if (shown < kShownAllowed) {
          if (shown > 0) check.allowed_shown += ", ";
          check.allowed_shown +=
              check.as == Type::kString ? show(Value::of_string(text)) : show(converted);
          ++shown;
        }
      }
      if (rule.allowed.size() > kShownAllowed) {
        check.allowed_shown += fmt::format(", ... ({} values)", rule.allowed.size());
      }
      std::sort(check.allowed_strings.begin(), check.allowed_strings.end());
      std::sort(check.allowed_ints.begin(), check.allowed_ints.end());
      std::sort(check.allowed_doubles.begin(), check.allowed_doubles.end());
    }
    if (!rule.pattern.empty()) {
      RIVULET_ASSIGN_OR_RETURN(std::regex pattern, compile_pattern(rule));
      check.pattern = std::move(pattern);
      check.pattern_text = rule.pattern;
    }
    checks_.push_back(std::move(check));
  }
  return input;
}

bool ValidateOperator::check_row(const Batch& batch, size_t r, std::string& reason) {
  const Value* row = batch.row(r);
  for (const Check& c : checks_) {
    const Value v = row[c.field];
    if (v.is_null()) {
      if (c.required) {
        reason = fmt::format("field '{}': required but NULL", c.name);
        return false;
      }
      continue;
    }
    char buf[32];
    Value x;
    if (!convert(v, c.as, x, buf)) {
      reason = fmt::format("field '{}': {} is not a {}", c.name, show(v), type_name(c.as));
      return false;
    }
    if (c.min || c.max) {
      const double d = x.to_double();
      if (std::isnan(d)) {
        reason = fmt::format("field '{}': NaN is not a number that can be checked against {} {}",
                             c.name, c.min ? "min" : "max", format_number(c.min ? *c.min : *c.max));
        return false;
      }
      if (c.min && d < *c.min) {
        reason =
            fmt::format("field '{}': {} is below min {}", c.name, show(x), format_number(*c.min));
        return false;
      }
      if (c.max && d > *c.max) {
        reason =
            fmt::format("field '{}': {} is above max {}", c.name, show(x), format_number(*c.max));
        return false;
      }
    }
    if (c.has_allowed) {
      bool found = false;
      switch (c.as) {
        case Type::kString: {
          const std::string_view s = x.as_string();
          const auto it = std::lower_bound(
              c.allowed_strings.begin(), c.allowed_strings.end(), s,
              [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
          found = it != c.allowed_strings.end() && std::string_view(*it) == s;
          break;
        }
        case Type::kInt:
          found = std::binary_search(c.allowed_ints.begin(), c.allowed_ints.end(), x.as_int());
          break;
        case Type::kDouble:
          found =
              std::binary_search(c.allowed_doubles.begin(), c.allowed_doubles.end(), x.as_double());
          break;
        case Type::kBool:
          found = x.as_bool() ? c.allowed_true : c.allowed_false;
          break;
        case Type::kNull:
          break;
      }
      if (!found) {
        reason = fmt::format("field '{}': {} is not one of {}", c.name, show(x), c.allowed_shown);
        return false;
      }
    }
    if (c.min_length || c.max_length) {
      const uint64_t length = internal::utf8_length(x.as_string());
      if (c.min_length && length < *c.min_length) {
        reason = fmt::format("field '{}': length {} is below min_length {}", c.name, length,
                             *c.min_length);
        return false;
      }
      if (c.max_length && length > *c.max_length) {
        reason = fmt::format("field '{}': length {} is above max_length {}", c.name, length,
                             *c.max_length);
        return false;
      }
    }
    if (c.pattern) {
      const std::string_view s = x.as_string();
      bool matched = false;
      try {
        matched = std::regex_search(s.begin(), s.end(), *c.pattern);
      } catch (const std::regex_error&) {
        reason = fmt::format("field '{}': pattern '{}' could not be evaluated on {}", c.name,
                             c.pattern_text, show(x));
        return false;
      }
      if (!matched) {
        reason = fmt::format("field '{}': {} does not match pattern '{}'", c.name, show(x),
                             c.pattern_text);
        return false;
      }
    }
  }
  return true;
}

Status ValidateOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  if (keep_.size() < n) keep_.resize(n);
  size_t kept = 0;
  for (size_t r = 0; r < n; ++r) {
    const bool ok = check_row(batch, r, reason_);
    keep_[r] = ok ? 1 : 0;
    kept += ok ? 1 : 0;
    if (!ok) ctx.dead_letter(internal::stage_of(*this), reason_, batch, r);
  }
  ctx.counts.out += kept;
  if (kept != n) batch.retain({keep_.data(), n});
  return {};
}

std::unique_ptr<Operator> ValidateOperator::clone() const {
  return std::unique_ptr<Operator>(new ValidateOperator(options_));
}

}  // namespace rivulet::stream
