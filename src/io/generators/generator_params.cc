#include "rivulet/io/generators/generator_params.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <utility>

#include "io/generators/json_line.h"

namespace rivulet::io {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '+';
}
bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// Trims blanks; `offset` is moved past the blanks removed at the front.
std::string_view trim(std::string_view s, size_t& offset) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
    ++offset;
  }
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool equals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::string syntax_error(size_t column, std::string_view what) {
  return fmt::format("generator spec, column {}: {}", column, what);
}

}  // namespace

Result<GeneratorParams::Arg> GeneratorParams::parse_value(std::string_view text, size_t column) {
  text = trim(text, column);
  Arg arg;
  if (text.empty()) return Status::invalid_argument(syntax_error(column, "a value is missing"));
  arg.text = std::string(text);
  const char q = text.front();
  if (q == '\'' || q == '"') {
    if (text.size() < 2 || text.back() != q) {
      return Status::invalid_argument(syntax_error(column, "unterminated string"));
    }
    arg.kind = Arg::Kind::kString;
    arg.text = std::string(text.substr(1, text.size() - 2));
    return arg;
  }
  if (equals_lower(text, "true") || equals_lower(text, "false")) {
    arg.kind = Arg::Kind::kBool;
    arg.boolean = equals_lower(text, "true");
    return arg;
  }
  if (equals_lower(text, "none") || equals_lower(text, "null")) {
    arg.kind = Arg::Kind::kNone;
    return arg;
  }
  if (text.find('(') != std::string_view::npos) {  // a nested spec, `kind(args)`
    auto nested = parse_at(text, 0, column - 1);
    if (!nested.ok()) return nested.status();
    if (find_generator_kind(nested->kind()) == nullptr) {
      return Status::invalid_argument(
          syntax_error(column, fmt::format("'{}' is not a generator kind", nested->kind())));
    }
    arg.kind = Arg::Kind::kSpec;
    return arg;
  }
  double v = 0.0;
  const char* first = text.data() + (text.front() == '+' ? 1 : 0);
  const auto r = std::from_chars(first, text.data() + text.size(), v);
  if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
    arg.kind = Arg::Kind::kNumber;
    arg.number = v;
    return arg;
  }
  for (char c : text) {
    if (!is_word(c)) {
      return Status::invalid_argument(syntax_error(
          column,
          fmt::format("cannot read '{}' as a value (quote strings that hold '{}')", text, c)));
    }
  }
  arg.kind = Arg::Kind::kString;  // a bare word
  return arg;
}

Result<GeneratorParams> GeneratorParams::parse(std::string_view spec, uint64_t default_seed) {
  return parse_at(spec, default_seed, 0);
}

Result<GeneratorParams> GeneratorParams::parse_at(std::string_view spec, uint64_t default_seed,
                                                  size_t offset) {
  GeneratorParams p;
  p.default_seed_ = default_seed;
  spec = trim(spec, offset);
  const size_t open = spec.find('(');
  size_t kind_offset = offset;
  const std::string_view kind = trim(spec.substr(0, open), kind_offset);
  if (kind.empty()) return Status::invalid_argument("generator spec: the kind is missing");
  for (char c : kind) {
    if (!is_word(c)) {
      return Status::invalid_argument(
          syntax_error(kind_offset + 1, fmt::format("'{}' is not a generator kind", kind)));
    }
  }
  p.kind_ = std::string(kind);
  if (open == std::string_view::npos) return p;
  if (spec.back() != ')') {
    return Status::invalid_argument(
        syntax_error(offset + spec.size() + 1, "')' expected at the end"));
  }
  const std::string_view body = spec.substr(open + 1, spec.size() - open - 2);
  const size_t body_offset = offset + open + 1;
  size_t start = 0;
  char quote = 0;
  bool named_seen = false;
  size_t depth = 0;  // of parentheses: commas inside a nested spec do not separate arguments
  size_t depth_start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    const char c = i < body.size() ? body[i] : ',';
    if (quote != 0) {
      if (c == quote) quote = 0;
      if (i == body.size()) {
        return Status::invalid_argument(
            syntax_error(body_offset + start + 1, "unterminated string"));
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c == '(') {
      if (depth++ == 0) depth_start = i;
      continue;
    }
    if (c == ')') {
      if (depth == 0) {
        return Status::invalid_argument(syntax_error(body_offset + i + 1, "unmatched ')'"));
      }
      --depth;
      continue;
    }
    if (i == body.size() && depth != 0) {
      return Status::invalid_argument(syntax_error(body_offset + depth_start + 1, "unmatched '('"));
    }
    if (c != ',' || depth != 0) continue;
    std::string_view piece = body.substr(start, i - start);
    size_t column = body_offset + start;
    const size_t piece_start = start;
    start = i + 1;
    size_t probe = column;
    if (trim(piece, probe).empty()) {
      if (i == body.size() && p.args_.empty() && trim(body, probe).empty()) break;  // `kind()`
      return Status::invalid_argument(syntax_error(column + 1, "an argument is missing"));
    }
    std::string name;
    const size_t eq = piece.find('=');
    // `name=` comes before any string or nested spec (whose `=` belong to them).
    const size_t first_quote = piece.find_first_of("'\"(");
    if (eq != std::string_view::npos &&
        (first_quote == std::string_view::npos || eq < first_quote)) {
      size_t name_column = column;
      const std::string_view n = trim(piece.substr(0, eq), name_column);
      if (!is_identifier(n)) {
        return Status::invalid_argument(
            syntax_error(name_column + 1, fmt::format("'{}' is not a parameter name", n)));
      }
      name = std::string(n);
      column = body_offset + piece_start + eq + 1;
      piece = piece.substr(eq + 1);
      named_seen = true;
    } else if (named_seen) {
      return Status::invalid_argument(
          syntax_error(column + 1, "a positional argument follows a named one"));
    }
    auto value = parse_value(piece, column + 1);
    if (!value.ok()) return value.status();
    value->name = std::move(name);
    for (const Arg& a : p.args_) {
      if (!value->name.empty() && a.name == value->name) {
        return Status::invalid_argument(
            syntax_error(column + 1, fmt::format("{} is given twice", a.name)));
      }
    }
    p.args_.push_back(std::move(value).value());
  }
  return p;
}

GeneratorParams GeneratorParams::describe_mode() {
  GeneratorParams p;
  p.describing_ = true;
  return p;
}

Status GeneratorParams::set(std::string_view assignment) {
  const size_t eq = assignment.find('=');
  size_t offset = 0;
  const std::string_view name =
      eq == std::string_view::npos ? std::string_view() : trim(assignment.substr(0, eq), offset);
  if (!is_identifier(name)) {
    return Status::invalid_argument(
        fmt::format("--set {}: expected name=value, e.g. noise=0.1", assignment));
  }
  auto value = parse_value(assignment.substr(eq + 1), eq + 2);
  if (!value.ok()) {
    return Status::invalid_argument(
        fmt::format("--set {}: {}", assignment, value.status().message()));
  }
  value->name = std::string(name);
  for (Arg& a : args_) {
    if (a.name == name) {
      a = std::move(value).value();
      return Status::ok_status();
    }
  }
  args_.push_back(std::move(value).value());
  return Status::ok_status();
}

GeneratorParams::Arg* GeneratorParams::take(std::string_view name, std::string_view type,
                                            std::string default_text, std::string_view help) {
  if (describing_) {
    infos_.push_back(
        {std::string(name), std::string(type), std::move(default_text), std::string(help)});
    return nullptr;
  }
  infos_.push_back(
      {std::string(name), std::string(type), std::move(default_text), std::string(help)});
  Arg* named = nullptr;
  for (Arg& a : args_) {
    if (a.name == name) named = &a;
  }
  Arg* positional = nullptr;
  size_t seen = 0;
  for (Arg& a : args_) {
    if (!a.name.empty()) continue;
    if (seen++ == next_positional_) {
      positional = &a;
      break;
    }
  }
  if (positional != nullptr) {
    ++next_positional_;
    positional->used = true;
    if (named != nullptr) {
      named->used = true;
      fail(Status::invalid_argument(fmt::format("{}: {} is given twice", kind_, name)));
      return nullptr;
    }
    return positional;
  }
  if (named != nullptr) named->used = true;
  return named;
}

void GeneratorParams::type_error(const Arg& arg, std::string_view name, std::string_view expected) {
  fail(Status::invalid_argument(
      fmt::format("{}: {} expects {}, got '{}'", kind_, name, expected, arg.text)));
}

double GeneratorParams::number(std::string_view name, double def, std::string_view help) {
  std::string d;
  internal::append_double(d, def);
  const Arg* a = take(name, "float", d, help);
  if (a == nullptr) return def;
  if (a->kind != Arg::Kind::kNumber || !std::isfinite(a->number)) {
    type_error(*a, name, "a number");
    return def;
  }
  return a->number;
}

int64_t GeneratorParams::integer(std::string_view name, int64_t def, std::string_view help) {
  const Arg* a = take(name, "int", std::to_string(def), help);
  if (a == nullptr) return def;
  if (a->kind != Arg::Kind::kNumber || a->number != std::floor(a->number) ||
      std::fabs(a->number) > 9.0e15) {
    type_error(*a, name, "an integer");
    return def;
  }
  return static_cast<int64_t>(a->number);
}

bool GeneratorParams::boolean(std::string_view name, bool def, std::string_view help) {
  const Arg* a = take(name, "bool", def ? "True" : "False", help);
  if (a == nullptr) return def;
  if (a->kind != Arg::Kind::kBool) {
    type_error(*a, name, "True or False");
    return def;
  }
  return a->boolean;
}

std::string GeneratorParams::string(std::string_view name, std::string_view def,
                                    std::string_view help) {
  const Arg* a = take(name, "str", fmt::format("'{}'", def), help);
  if (a == nullptr) return std::string(def);
  if (a->kind != Arg::Kind::kString) {
    type_error(*a, name, "a string");
    return std::string(def);
  }
  return a->text;
}

uint64_t GeneratorParams::seed(std::string_view name, std::string_view help) {
  const Arg* a = take(name, "int", "--seed", help);
  if (a == nullptr || a->kind == Arg::Kind::kNone) return default_seed_;
  if (a->kind != Arg::Kind::kNumber || a->number < 0 || a->number != std::floor(a->number)) {
    type_error(*a, name, "a non-negative integer");
    return default_seed_;
  }
  // Read the text as an integer: a double holds integers exactly only up to 2^53.
  uint64_t v = 0;
  const auto r = std::from_chars(a->text.data(), a->text.data() + a->text.size(), v);
  if (r.ec == std::errc() && r.ptr == a->text.data() + a->text.size()) return v;
  if (a->number < 9.0e15) return static_cast<uint64_t>(a->number);  // written as 1e3, 5.0, ...
  type_error(*a, name, "an integer below 2^64");
  return default_seed_;
}

std::optional<double> GeneratorParams::optional_number(std::string_view name,
                                                       std::string_view help) {
  const Arg* a = take(name, "float", "None", help);
  if (a == nullptr || a->kind == Arg::Kind::kNone) return std::nullopt;
  if (a->kind != Arg::Kind::kNumber || !std::isfinite(a->number)) {
    type_error(*a, name, "a number or None");
    return std::nullopt;
  }
  return a->number;
}

std::string GeneratorParams::generator_spec(std::string_view name, std::string_view def,
                                            std::string_view help) {
  const Arg* a = take(name, "spec", std::string(def), help);
  if (a == nullptr) return std::string(def);
  if (a->kind != Arg::Kind::kSpec && a->kind != Arg::Kind::kString) {
    type_error(*a, name, "a generator spec, e.g. sea(variant=1)");
    return std::string(def);
  }
  return a->text;
}

void GeneratorParams::fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
}

Status GeneratorParams::finish() const {
  if (!error_.ok()) return error_;
  std::string valid;
  for (const auto& info : infos_) {
    if (!valid.empty()) valid += ", ";
    valid += info.name;
  }
  if (valid.empty()) valid = "none";
  for (const Arg& a : args_) {
    if (a.used) continue;
    if (a.name.empty()) {
      return Status::invalid_argument(
          fmt::format("{}: too many positional arguments (parameters: {})", kind_, valid));
    }
    return Status::invalid_argument(
        fmt::format("{}: unknown parameter '{}' (parameters: {})", kind_, a.name, valid));
  }
  return Status::ok_status();
}

}  // namespace rivulet::io
