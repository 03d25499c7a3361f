#include "rivulet/ml/spec.h"

#include <fmt/format.h>

#include <cctype>

#include "rivulet/core/numbers.h"

namespace rivulet::ml {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::vector<SpecCall>> pipeline() {
    std::vector<SpecCall> steps;
    for (;;) {
      auto call = parse_call();
      if (!call.ok()) return call.status();
      steps.push_back(std::move(*call));
      skip_space();
      if (at_end()) return steps;
      if (peek() != '|') return error("expected '|' between steps or the end of the spec");
      ++pos_;
    }
  }

  Result<SpecCall> single() {
    auto call = parse_call();
    if (!call.ok()) return call.status();
    skip_space();
    if (!at_end()) return error("unexpected text after the closing of the call");
    return call;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  static bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  Status error(std::string_view what) const {
    const size_t column = pos_ + 1;
    return Status::invalid_argument(fmt::format("model spec, column {}: {}\n  {}\n  {:>{}}", column,
                                                what, text_, "^", column));
  }

  Result<std::string> dotted_name() {
    skip_space();
    if (!ident_start(peek())) return error("expected a name such as linear_model.LogisticRegression");
    const size_t start = pos_;
    for (;;) {
      while (ident_char(peek())) ++pos_;
      if (peek() == '.' && pos_ + 1 < text_.size() && ident_start(text_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      break;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<SpecCall> parse_call() {
    skip_space();
    SpecCall call;
    call.column = pos_ + 1;
    auto name = dotted_name();
    if (!name.ok()) return name.status();
    call.name = std::move(*name);
    skip_space();
    if (peek() != '(') return call;
    ++pos_;
    skip_space();
    if (peek() == ')') {
      ++pos_;
      return call;
    }
    for (;;) {
      skip_space();
      SpecArg arg;
      arg.column = pos_ + 1;
      // name '=' value, or a positional value.
      const size_t save = pos_;
      if (ident_start(peek())) {
        size_t p = pos_;
        while (p < text_.size() && ident_char(text_[p])) ++p;
        size_t q = p;
        while (q < text_.size() && std::isspace(static_cast<unsigned char>(text_[q]))) ++q;
        if (q < text_.size() && text_[q] == '=') {
          arg.name = std::string(text_.substr(pos_, p - pos_));
          pos_ = q + 1;
        } else {
          pos_ = save;
        }
      }
      auto value = parse_value();
      if (!value.ok()) return value.status();
      arg.value = std::move(*value);
      for (const auto& other : call.args) {
        if (!arg.name.empty() && other.name == arg.name) {
          pos_ = arg.column - 1;
          return error(fmt::format("argument '{}' given twice", arg.name));
        }
      }
      if (arg.name.empty() && !call.args.empty() && !call.args.back().name.empty()) {
        pos_ = arg.column - 1;
        return error("positional argument after a named one");
      }
      call.args.push_back(std::move(arg));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ')') {
        ++pos_;
        return call;
      }
      return error("expected ',' or ')'");
    }
  }

  Result<SpecValue> parse_value() {
    skip_space();
    SpecValue v;
    v.column = pos_ + 1;
    const char c = peek();
    if (c == '\'' || c == '"') {
      const size_t start = ++pos_;
      while (!at_end() && peek() != c) ++pos_;
      if (at_end()) {
        pos_ = start - 1;
        return error("string not closed");
      }
      v.kind = SpecValue::Kind::kString;
      v.text = std::string(text_.substr(start, pos_ - start));
      ++pos_;
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
      const size_t start = pos_;
      while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' ||
                           peek() == '-' || peek() == '+' || peek() == '_')) {
        ++pos_;
      }
      std::string raw(text_.substr(start, pos_ - start));
      std::erase(raw, '_');  // Python allows 1_000
      auto number = parse_number(raw);
      if (!number) {
        pos_ = start;
        return error(fmt::format("'{}' is not a number", text_.substr(start, pos_ - start)));
      }
      v.kind = SpecValue::Kind::kNumber;
      v.number = *number;
      v.text = raw;
      return v;
    }
    if (ident_start(c)) {
      const size_t start = pos_;
      auto call = parse_call();
      if (!call.ok()) return call.status();
      if (call->args.empty() && text_.substr(start, pos_ - start).find('(') == std::string_view::npos) {
        if (call->name == "True" || call->name == "False") {
          v.kind = SpecValue::Kind::kBool;
          v.boolean = call->name == "True";
          v.text = call->name;
          return v;
        }
        if (call->name == "None") {
          v.kind = SpecValue::Kind::kNone;
          v.text = "None";
          return v;
        }
      }
      v.kind = SpecValue::Kind::kCall;
      v.text = call->to_string();
      v.call = std::make_shared<SpecCall>(std::move(*call));
      return v;
    }
    if (at_end()) return error("expected a value, found the end of the spec");
    return error(fmt::format("expected a value, found '{}'", c));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::string SpecCall::to_string() const {
  if (args.empty()) return name;
  std::string out = name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    if (!args[i].name.empty()) out += args[i].name + "=";
    const auto& v = args[i].value;
    if (v.kind == SpecValue::Kind::kString) {
      out += "'" + v.text + "'";
    } else {
      out += v.text;
    }
  }
  return out + ")";
}

Result<std::vector<SpecCall>> parse_spec(std::string_view text) { return Parser(text).pipeline(); }

Result<SpecCall> parse_call(std::string_view text) { return Parser(text).single(); }

std::string spec_to_string(const std::vector<SpecCall>& steps) {
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i > 0) out += " | ";
    out += steps[i].to_string();
  }
  return out;
}

}  // namespace rivulet::ml
