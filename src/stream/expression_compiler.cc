// The compiler of the expression language: tokenizer, recursive-descent parser and type
// checker, which together build the typed tree of a Program (children before parents), folding
// constant subtrees as they are built.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <utility>

#include "rivulet/stream/expression.h"
#include "stream/expression_internal.h"

namespace rivulet::stream::internal {
namespace {

enum class Tok : uint8_t { kEnd, kInt, kDouble, kString, kIdent, kQuoted, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  uint32_t pos = 0;
  uint32_t len = 0;
  std::string text;  // identifiers and symbols as written; strings and quoted names unescaped
  int64_t i = 0;
  double d = 0.0;
  bool min_magnitude = false;  // the integer 9223372036854775808, valid only after a minus
};

char upper_ascii(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = upper_ascii(c);
  return out;
}

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// Words that cannot name a field without backquotes.
bool reserved(std::string_view upper_word) {
  static constexpr std::string_view kReserved[] = {
      "AND",  "OR",   "NOT",  "IS",  "NULL",    "TRUE", "FALSE", "CASE",
      "WHEN", "THEN", "ELSE", "END", "BETWEEN", "IN",   "LIKE",
  };
  return std::find(std::begin(kReserved), std::end(kReserved), upper_word) != std::end(kReserved);
}

// A SQL literal of a value, for explain() and messages.
std::string literal_text(Value v) {
  if (v.type() != Type::kString) return to_string(v);
  std::string out = "'";
  for (char c : v.as_string()) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string name_text(std::string_view name) {
  bool plain = !name.empty() && ident_start(name[0]);
  for (char c : name) plain = plain && ident_char(c);
  if (plain && !reserved(upper(name))) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

enum class Fn : uint8_t {
  kAbs,
  kMath1,
  kLog,
  kPower,
  kFloor,
  kCeil,
  kRound,
  kSign,
  kMod,
  kLeast,
  kGreatest,
  kCoalesce,
  kIf,
  kNullIf,
  kIfNull,
  kLower,
  kUpper,
  kCharLength,
  kTrim,
  kLTrim,
  kRTrim,
  kSubstring,
  kConcat,
  kPosition,
  kLocate,
  kReplace,
  kStartsWith,
  kEndsWith,
  kRegexp,
  kRegexpExtract,
  kRegexpReplace,
  kSplitIndex,
  kToTimestampMs,
  kTimePart,
  kDateFormat,
  // Special syntax, parsed apart.
  kCast,
  kTryCast,
  kExtract,
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  uint8_t min_args;
  uint8_t max_args;  // 255: any number
  uint8_t aux;
};

constexpr uint8_t kAny = 255;

constexpr FnInfo kFunctions[] = {
    {"ABS", Fn::kAbs, 1, 1, 0},
    {"SQRT", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kSqrt)},
    {"LN", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kLn)},
    {"LOG10", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kLog10)},
    {"LOG2", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kLog2)},
    {"EXP", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kExp)},
    {"SIN", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kSin)},
    {"COS", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kCos)},
    {"TAN", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kTan)},
    {"ASIN", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kAsin)},
    {"ACOS", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kAcos)},
    {"ATAN", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kAtan)},
    {"DEGREES", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kDegrees)},
    {"RADIANS", Fn::kMath1, 1, 1, static_cast<uint8_t>(MathFn::kRadians)},
    {"LOG", Fn::kLog, 1, 2, 0},
    {"POWER", Fn::kPower, 2, 2, 0},
    {"POW", Fn::kPower, 2, 2, 0},
    {"FLOOR", Fn::kFloor, 1, 1, 0},
    {"CEIL", Fn::kCeil, 1, 1, 0},
    {"CEILING", Fn::kCeil, 1, 1, 0},
    {"ROUND", Fn::kRound, 1, 2, 0},
    {"SIGN", Fn::kSign, 1, 1, 0},
    {"MOD", Fn::kMod, 2, 2, 0},
    {"LEAST", Fn::kLeast, 1, kAny, 0},
    {"GREATEST", Fn::kGreatest, 1, kAny, 0},
    {"COALESCE", Fn::kCoalesce, 1, kAny, 0},
    {"IF", Fn::kIf, 3, 3, 0},
    {"NULLIF", Fn::kNullIf, 2, 2, 0},
    {"IFNULL", Fn::kIfNull, 2, 2, 0},
    {"LOWER", Fn::kLower, 1, 1, 0},
    {"UPPER", Fn::kUpper, 1, 1, 0},
    {"CHAR_LENGTH", Fn::kCharLength, 1, 1, 0},
    {"CHARACTER_LENGTH", Fn::kCharLength, 1, 1, 0},
    {"LENGTH", Fn::kCharLength, 1, 1, 0},
    {"TRIM", Fn::kTrim, 1, 1, 0},
    {"LTRIM", Fn::kLTrim, 1, 1, 0},
    {"RTRIM", Fn::kRTrim, 1, 1, 0},
    {"SUBSTRING", Fn::kSubstring, 2, 3, 0},
    {"SUBSTR", Fn::kSubstring, 2, 3, 0},
    {"CONCAT", Fn::kConcat, 1, kAny, 0},
    {"POSITION", Fn::kPosition, 2, 2, 0},
    {"LOCATE", Fn::kLocate, 2, 3, 0},
    {"REPLACE", Fn::kReplace, 3, 3, 0},
    {"STARTS_WITH", Fn::kStartsWith, 2, 2, 0},
    {"ENDS_WITH", Fn::kEndsWith, 2, 2, 0},
    {"REGEXP", Fn::kRegexp, 2, 2, 0},
    {"REGEXP_EXTRACT", Fn::kRegexpExtract, 2, 3, 0},
    {"REGEXP_REPLACE", Fn::kRegexpReplace, 3, 3, 0},
    {"SPLIT_INDEX", Fn::kSplitIndex, 3, 3, 0},
    {"TO_TIMESTAMP_MS", Fn::kToTimestampMs, 1, 1, 0},
    {"YEAR", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kYear)},
    {"QUARTER", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kQuarter)},
    {"MONTH", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kMonth)},
    {"DAYOFMONTH", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kDayOfMonth)},
    {"DAYOFWEEK", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kDayOfWeek)},
    {"DAYOFYEAR", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kDayOfYear)},
    {"HOUR", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kHour)},
    {"MINUTE", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kMinute)},
    {"SECOND", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kSecond)},
    {"MILLISECOND", Fn::kTimePart, 1, 1, static_cast<uint8_t>(TimePart::kMillisecond)},
    {"DATE_FORMAT", Fn::kDateFormat, 2, 2, 0},
    {"CAST", Fn::kCast, 1, 1, 0},
    {"TRY_CAST", Fn::kTryCast, 1, 1, 0},
    {"EXTRACT", Fn::kExtract, 1, 1, 0},
};

const FnInfo* find_function(std::string_view upper_name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == upper_name) return &f;
  }
  return nullptr;
}

// EXTRACT(unit FROM x) units.
std::optional<TimePart> extract_unit(std::string_view u) {
  struct Unit {
    std::string_view name;
    TimePart part;
  };
  static constexpr Unit kUnits[] = {
      {"YEAR", TimePart::kYear},
      {"QUARTER", TimePart::kQuarter},
      {"MONTH", TimePart::kMonth},
      {"DAY", TimePart::kDayOfMonth},
      {"DAYOFMONTH", TimePart::kDayOfMonth},
      {"DOW", TimePart::kDayOfWeek},
      {"DAYOFWEEK", TimePart::kDayOfWeek},
      {"DOY", TimePart::kDayOfYear},
      {"DAYOFYEAR", TimePart::kDayOfYear},
      {"HOUR", TimePart::kHour},
      {"MINUTE", TimePart::kMinute},
      {"SECOND", TimePart::kSecond},
      {"MILLISECOND", TimePart::kMillisecond},
  };
  for (const Unit& x : kUnits) {
    if (x.name == u) return x.part;
  }
  return std::nullopt;
}

std::string_view cmp_text(CmpOp op) {
  static constexpr std::string_view kText[] = {"=", "<>", "<", "<=", ">", ">="};
  return kText[static_cast<int>(op)];
}

class Compiler {
 public:
  Compiler(const Schema& schema, Program& prog) : schema_(schema), prog_(prog) {}

  Result<uint32_t> compile() {
    RIVULET_RETURN_IF_ERROR(tokenize());
    if (peek().kind == Tok::kEnd) return error(0, "empty expression");
    RIVULET_ASSIGN_OR_RETURN(uint32_t root, parse_or());
    if (peek().kind != Tok::kEnd) {
      return error(peek().pos,
                   "expected an operator or the end of the expression, found " + describe(peek()));
    }
    return root;
  }

 private:
  // ---------------------------------------------------------------- tokens
  Status error(uint32_t pos, const std::string& message) const {
    return Status::invalid_argument(prog_.where(pos) + ": " + message);
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "the end of the expression";
      case Tok::kInt:
      case Tok::kDouble:
        return "number " + t.text;
      case Tok::kString:
        return "string " + literal_text(Value::of_string(t.text.substr(0, 40)));
      case Tok::kQuoted:
        return "name `" + t.text + "`";
      case Tok::kIdent:
        if (reserved(upper(t.text))) return "keyword " + upper(t.text);
        return "'" + t.text + "'";
      case Tok::kSymbol:
        return "'" + t.text + "'";
    }
    return "?";
  }

  Status tokenize() {
    const std::string_view s = prog_.text;
    size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {  // -- comment to the end of line
        while (i < s.size() && s[i] != '\n') ++i;
        continue;
      }
      Token t;
      t.pos = static_cast<uint32_t>(i);
      if (digit(c) || (c == '.' && i + 1 < s.size() && digit(s[i + 1]))) {
        RIVULET_RETURN_IF_ERROR(lex_number(s, &i, &t));
      } else if (c == '\'') {
        RIVULET_RETURN_IF_ERROR(lex_quoted(s, &i, '\'', &t));
        t.kind = Tok::kString;
      } else if (c == '`') {
        RIVULET_RETURN_IF_ERROR(lex_quoted(s, &i, '`', &t));
        t.kind = Tok::kQuoted;
        if (t.text.empty()) return error(t.pos, "empty quoted name ``");
      } else if (ident_start(c)) {
        size_t j = i;
        while (j < s.size() && ident_char(s[j])) ++j;
        t.kind = Tok::kIdent;
        t.text = std::string(s.substr(i, j - i));
        i = j;
      } else {
        static constexpr std::string_view kTwo[] = {"||", "<=", ">=", "<>", "!=", "=="};
        static constexpr std::string_view kOne = "(),+-*/%=<>.";
        t.kind = Tok::kSymbol;
        const std::string_view two = s.substr(i, 2);
        if (std::find(std::begin(kTwo), std::end(kTwo), two) != std::end(kTwo)) {
          t.text = std::string(two);
          i += 2;
        } else if (kOne.find(c) != std::string_view::npos) {
          t.text = std::string(1, c);
          i += 1;
        } else {
          return error(t.pos, unexpected_char(s, i));
        }
      }
      t.len = static_cast<uint32_t>(i - t.pos);
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = static_cast<uint32_t>(s.size());
    tokens_.push_back(end);
    return Status::ok_status();
  }

  static std::string unexpected_char(std::string_view s, size_t i) {
    const char c = s[i];
    switch (c) {
      case '"':
        return "unexpected '\"': strings use single quotes ('text') and odd field names "
               "backquotes (`my field`)";
      case '|':
        return "unexpected '|' (use || to join strings, OR for logic)";
      case '&':
        return "unexpected '&' (use AND)";
      case '!':
        return "unexpected '!' (use NOT, or != to compare)";
      case ';':
        return "unexpected ';': an expression is a single expression";
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      return std::string("unexpected character \\x") + kHex[u >> 4] + kHex[u & 15];
    }
    return "unexpected character '" + std::string(1, c) + "'";
  }

  Status lex_number(std::string_view s, size_t* i, Token* t) {
    size_t j = *i;
    bool is_double = false;
    while (j < s.size() && digit(s[j])) ++j;
    if (j < s.size() && s[j] == '.') {
      is_double = true;
      ++j;
      while (j < s.size() && digit(s[j])) ++j;
    }
    if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
      size_t k = j + 1;
      if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
      if (k >= s.size() || !digit(s[k])) {
        return error(t->pos, "malformed number '" + std::string(s.substr(*i, k - *i)) +
                                 "' (an exponent needs digits, e.g. 1e3)");
      }
      is_double = true;
      j = k;
      while (j < s.size() && digit(s[j])) ++j;
    }
    const std::string_view text = s.substr(*i, j - *i);
    if (j < s.size() && (ident_char(s[j]) || s[j] == '.')) {
      return error(static_cast<uint32_t>(j), "unexpected '" + std::string(1, s[j]) +
                                                 "' after the number " + std::string(text));
    }
    t->text = std::string(text);
    if (is_double) {
      t->kind = Tok::kDouble;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), t->d);
      if (ec == std::errc::result_out_of_range) {
        // Beyond double's range: overflow to infinity is an error, underflow is zero.
        const auto e = text.find_first_of("eE");
        const bool tiny = e != std::string_view::npos && text.substr(e + 1).starts_with('-');
        if (!tiny) return error(t->pos, "number " + t->text + " is out of range for double");
        t->d = 0.0;
      }
      (void)p;
    } else {
      t->kind = Tok::kInt;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), t->i);
      (void)p;
      if (ec != std::errc()) {
        if (text == "9223372036854775808") {
          t->min_magnitude = true;
        } else {
          return error(t->pos, "integer " + t->text + " is out of range for bigint (write " +
                                   t->text + ".0 for a double)");
        }
      }
    }
    *i = j;
    return Status::ok_status();
  }

  Status lex_quoted(std::string_view s, size_t* i, char quote, Token* t) {
    size_t j = *i + 1;
    while (true) {
      if (j >= s.size()) {
        return error(t->pos, quote == '\'' ? "unterminated string: a closing ' is missing"
                                           : "unterminated quoted name: a closing ` is missing");
      }
      if (s[j] == quote) {
        if (j + 1 < s.size() && s[j + 1] == quote) {
          t->text += quote;
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      t->text += s[j++];
    }
    if (t->text.size() > Value::kMaxStringLength) return error(t->pos, "string too long");
    *i = j;
    return Status::ok_status();
  }

  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(p_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[p_];
    if (p_ + 1 < tokens_.size()) ++p_;
    return t;
  }
  bool is_kw(const Token& t, std::string_view kw) const {
    if (t.kind != Tok::kIdent || t.text.size() != kw.size()) return false;
    for (size_t i = 0; i < kw.size(); ++i) {
      if (upper_ascii(t.text[i]) != kw[i]) return false;
    }
    return true;
  }
  bool is_sym(const Token& t, std::string_view sym) const {
    return t.kind == Tok::kSymbol && t.text == sym;
  }
  bool accept_kw(std::string_view kw) {
    if (!is_kw(peek(), kw)) return false;
    next();
    return true;
  }
  bool accept_sym(std::string_view sym) {
    if (!is_sym(peek(), sym)) return false;
    next();
    return true;
  }
  Status expect_kw(std::string_view kw, std::string_view context) {
    if (accept_kw(kw)) return Status::ok_status();
    return error(peek().pos, "expected " + std::string(kw) + " " + std::string(context) +
                                 ", found " + describe(peek()));
  }
  Status expect_close(uint32_t open_pos) {
    if (accept_sym(")")) return Status::ok_status();
    return error(peek().pos, "expected ')' to close the '(' at " + prog_.where(open_pos) +
                                 ", found " + describe(peek()));
  }

  // Guards the parser's recursion (parentheses, calls, prefix operators).
  struct Nesting {
    explicit Nesting(size_t* depth) : depth_(depth) { ++*depth_; }
    ~Nesting() { --*depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    size_t* depth_;
  };
  Status check_nesting(uint32_t pos) const {
    if (nesting_ > Expression::kMaxNesting) {
      return error(pos, "expression nested too deeply (more than " +
                            std::to_string(Expression::kMaxNesting) + " levels)");
    }
    return Status::ok_status();
  }

  // ---------------------------------------------------------------- grammar
  Result<uint32_t> parse_or() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_and());
    while (is_kw(peek(), "OR")) {
      const uint32_t pos = next().pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_and());
      RIVULET_ASSIGN_OR_RETURN(left, logic(Op::kOr, pos, left, right));
    }
    return left;
  }

  Result<uint32_t> parse_and() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_not());
    while (is_kw(peek(), "AND")) {
      const uint32_t pos = next().pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_not());
      RIVULET_ASSIGN_OR_RETURN(left, logic(Op::kAnd, pos, left, right));
    }
    return left;
  }

  Result<uint32_t> parse_not() {
    if (is_kw(peek(), "NOT")) {
      const uint32_t pos = next().pos;
      Nesting guard(&nesting_);
      RIVULET_RETURN_IF_ERROR(check_nesting(pos));
      RIVULET_ASSIGN_OR_RETURN(uint32_t operand, parse_not());
      RIVULET_RETURN_IF_ERROR(require_bool(operand, "NOT", ""));
      return strict(Op::kNot, Type::kBool, pos, {operand});
    }
    return parse_is();
  }

  Result<uint32_t> parse_is() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_comparison());
    while (is_kw(peek(), "IS")) {
      const uint32_t pos = next().pos;
      const bool negate = accept_kw("NOT");
      if (accept_kw("NULL")) {
        RIVULET_ASSIGN_OR_RETURN(left,
                                 is_test(negate ? IsTest::kNotNull : IsTest::kNull, pos, left));
      } else if (accept_kw("TRUE")) {
        RIVULET_RETURN_IF_ERROR(require_bool(left, "IS TRUE", ""));
        RIVULET_ASSIGN_OR_RETURN(left,
                                 is_test(negate ? IsTest::kNotTrue : IsTest::kTrue, pos, left));
      } else if (accept_kw("FALSE")) {
        RIVULET_RETURN_IF_ERROR(require_bool(left, "IS FALSE", ""));
        RIVULET_ASSIGN_OR_RETURN(left,
                                 is_test(negate ? IsTest::kNotFalse : IsTest::kFalse, pos, left));
      } else if (accept_kw("UNKNOWN")) {
        RIVULET_RETURN_IF_ERROR(require_bool(left, "IS UNKNOWN", ""));
        RIVULET_ASSIGN_OR_RETURN(left,
                                 is_test(negate ? IsTest::kNotNull : IsTest::kNull, pos, left));
      } else if (accept_kw("DISTINCT")) {
        RIVULET_RETURN_IF_ERROR(expect_kw("FROM", "after IS DISTINCT"));
        RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_comparison());
        RIVULET_RETURN_IF_ERROR(require_comparable(left, right, pos, "IS DISTINCT FROM"));
        Node nd;
        nd.op = Op::kDistinct;
        nd.type = Type::kBool;
        nd.nullable = false;
        nd.flag = negate;
        nd.pos = pos;
        RIVULET_ASSIGN_OR_RETURN(left, add(nd, {left, right}));
      } else {
        return error(peek().pos,
                     std::string("expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS") +
                         (negate ? " NOT" : "") + ", found " + describe(peek()));
      }
    }
    return left;
  }

  std::optional<CmpOp> peek_cmp() const {
    const Token& t = peek();
    if (t.kind != Tok::kSymbol) return std::nullopt;
    if (t.text == "=" || t.text == "==") return CmpOp::kEq;
    if (t.text == "<>" || t.text == "!=") return CmpOp::kNe;
    if (t.text == "<") return CmpOp::kLt;
    if (t.text == "<=") return CmpOp::kLe;
    if (t.text == ">") return CmpOp::kGt;
    if (t.text == ">=") return CmpOp::kGe;
    return std::nullopt;
  }

  Result<uint32_t> parse_comparison() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_predicate());
    const auto op = peek_cmp();
    if (!op) return left;
    const uint32_t pos = next().pos;
    RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_predicate());
    if (peek_cmp()) {
      return error(peek().pos,
                   "comparisons cannot be chained: write a < b AND b < c, or use BETWEEN");
    }
    return compare(*op, pos, left, right);
  }

  Result<uint32_t> parse_predicate() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_concat());
    size_t ahead = 0;
    bool negate = false;
    if (is_kw(peek(), "NOT") &&
        (is_kw(peek(1), "BETWEEN") || is_kw(peek(1), "IN") || is_kw(peek(1), "LIKE"))) {
      negate = true;
      ahead = 1;
    }
    const Token& kw = peek(ahead);
    if (is_kw(kw, "BETWEEN")) {
      const uint32_t pos = kw.pos;
      p_ += ahead + 1;
      RIVULET_ASSIGN_OR_RETURN(uint32_t lo, parse_concat());
      RIVULET_RETURN_IF_ERROR(expect_kw("AND", "in BETWEEN low AND high"));
      RIVULET_ASSIGN_OR_RETURN(uint32_t hi, parse_concat());
      return between(pos, negate, left, lo, hi);
    }
    if (is_kw(kw, "IN")) {
      const uint32_t pos = kw.pos;
      p_ += ahead + 1;
      const uint32_t open = peek().pos;
      if (!accept_sym("(")) {
        return error(peek().pos, "expected '(' after IN, found " + describe(peek()) +
                                     " (write x IN ('a', 'b'))");
      }
      if (is_sym(peek(), ")")) return error(peek().pos, "IN needs at least one value");
      std::vector<uint32_t> items{left};
      do {
        RIVULET_ASSIGN_OR_RETURN(uint32_t item, parse_or());
        items.push_back(item);
      } while (accept_sym(","));
      RIVULET_RETURN_IF_ERROR(expect_close(open));
      return in_list(pos, negate, items);
    }
    if (is_kw(kw, "LIKE")) {
      const uint32_t pos = kw.pos;
      p_ += ahead + 1;
      RIVULET_ASSIGN_OR_RETURN(uint32_t pattern, parse_concat());
      int escape = -1;
      if (accept_kw("ESCAPE")) {
        const Token& e = next();
        if (e.kind != Tok::kString || e.text.size() != 1) {
          return error(e.pos, "ESCAPE takes a string of one character, e.g. ESCAPE '\\', found " +
                                  describe(e));
        }
        escape = static_cast<unsigned char>(e.text[0]);
      }
      return like(pos, negate, left, pattern, escape);
    }
    return left;
  }

  Result<uint32_t> parse_concat() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_additive());
    while (is_sym(peek(), "||")) {
      const uint32_t pos = next().pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_additive());
      RIVULET_ASSIGN_OR_RETURN(left, concat(pos, {left, right}));
    }
    return left;
  }

  Result<uint32_t> parse_additive() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_multiplicative());
    while (is_sym(peek(), "+") || is_sym(peek(), "-")) {
      const Token& op = next();
      const char c = op.text[0];
      const uint32_t pos = op.pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_multiplicative());
      RIVULET_ASSIGN_OR_RETURN(left, arithmetic(c, pos, left, right));
    }
    return left;
  }

  Result<uint32_t> parse_multiplicative() {
    RIVULET_ASSIGN_OR_RETURN(uint32_t left, parse_unary());
    while (is_sym(peek(), "*") || is_sym(peek(), "/") || is_sym(peek(), "%")) {
      const Token& op = next();
      const char c = op.text[0];
      const uint32_t pos = op.pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t right, parse_unary());
      RIVULET_ASSIGN_OR_RETURN(left, arithmetic(c, pos, left, right));
    }
    return left;
  }

  Result<uint32_t> parse_unary() {
    if (is_sym(peek(), "-") || is_sym(peek(), "+")) {
      const Token& op = next();
      const bool minus = op.text == "-";
      const uint32_t pos = op.pos;
      if (minus && peek().kind == Tok::kInt && peek().min_magnitude) {
        next();
        return literal(Value::of_int(INT64_MIN), pos);
      }
      Nesting guard(&nesting_);
      RIVULET_RETURN_IF_ERROR(check_nesting(pos));
      RIVULET_ASSIGN_OR_RETURN(uint32_t operand, parse_unary());
      const Type t = type_of(operand);
      if (t != Type::kNull && !is_numeric(t)) {
        return error(pos, std::string("unary ") + (minus ? "-" : "+") + " expects a number, got " +
                              std::string(type_name(t)));
      }
      if (!minus) return operand;
      return strict(t == Type::kDouble ? Op::kNegDouble : Op::kNegInt, t, pos, {operand});
    }
    return parse_primary();
  }

  Result<uint32_t> parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kInt:
        if (t.min_magnitude) {
          return error(t.pos,
                       "integer 9223372036854775808 is out of range for bigint (write "
                       "9223372036854775808.0 for a double)");
        }
        next();
        return literal(Value::of_int(t.i), t.pos);
      case Tok::kDouble:
        next();
        return literal(Value::of_double(t.d), t.pos);
      case Tok::kString: {
        next();
        return literal(Value::of_string(prog_.constants.copy(t.text)), t.pos);
      }
      case Tok::kQuoted:
        next();
        return field(t.text, t.pos);
      case Tok::kSymbol:
        if (t.text == "(") {
          const uint32_t open = next().pos;
          Nesting guard(&nesting_);
          RIVULET_RETURN_IF_ERROR(check_nesting(open));
          if (is_sym(peek(), ")")) return error(peek().pos, "expected an expression inside ( )");
          RIVULET_ASSIGN_OR_RETURN(uint32_t inner, parse_or());
          RIVULET_RETURN_IF_ERROR(expect_close(open));
          return inner;
        }
        return error(t.pos, "expected an expression, found " + describe(t));
      case Tok::kEnd:
        return error(t.pos, "expected an expression, found the end of the expression");
      case Tok::kIdent:
        break;
    }
    const std::string word = upper(t.text);
    if (is_sym(peek(1), "(") && !reserved(word)) return parse_call();
    if (word == "TRUE" || word == "FALSE") {
      next();
      return literal(Value::of_bool(word == "TRUE"), t.pos);
    }
    if (word == "NULL") {
      next();
      return literal(Value(), t.pos);
    }
    if (word == "CASE") return parse_case();
    if (reserved(word)) {
      return error(t.pos, "expected an expression, found keyword " + word + " (write `" + t.text +
                              "` for a field of that name)");
    }
    // A field: name, or dotted name a.b.c for a field whose name holds dots.
    const uint32_t pos = next().pos;
    std::string name = t.text;
    while (is_sym(peek(), ".") && peek(1).kind == Tok::kIdent) {
      next();
      name += "." + next().text;
    }
    return field(name, pos);
  }

  Result<uint32_t> parse_case() {
    const uint32_t pos = next().pos;
    Nesting guard(&nesting_);
    RIVULET_RETURN_IF_ERROR(check_nesting(pos));
    std::optional<uint32_t> operand;
    if (is_kw(peek(), "END") || is_kw(peek(), "ELSE") || is_kw(peek(), "THEN")) {
      return error(peek().pos, "expected WHEN in CASE, found " + describe(peek()));
    }
    if (!is_kw(peek(), "WHEN")) {
      RIVULET_ASSIGN_OR_RETURN(operand, parse_or());
    }
    std::vector<uint32_t> kids;
    if (!is_kw(peek(), "WHEN")) {
      return error(peek().pos, "expected WHEN in CASE, found " + describe(peek()));
    }
    while (is_kw(peek(), "WHEN")) {
      const uint32_t when_pos = next().pos;
      RIVULET_ASSIGN_OR_RETURN(uint32_t cond, parse_or());
      if (operand) {
        RIVULET_ASSIGN_OR_RETURN(cond, compare(CmpOp::kEq, when_pos, *operand, cond));
      } else {
        RIVULET_RETURN_IF_ERROR(
            require_bool(cond, "WHEN", " (in CASE x WHEN v ..., x is compared with v)"));
      }
      RIVULET_RETURN_IF_ERROR(expect_kw("THEN", "after the WHEN condition"));
      RIVULET_ASSIGN_OR_RETURN(uint32_t value, parse_or());
      kids.push_back(cond);
      kids.push_back(value);
    }
    bool has_else = false;
    if (accept_kw("ELSE")) {
      RIVULET_ASSIGN_OR_RETURN(uint32_t otherwise, parse_or());
      kids.push_back(otherwise);
      has_else = true;
    }
    if (!accept_kw("END")) {
      return error(peek().pos, std::string("expected ") + (has_else ? "" : "WHEN, ELSE or ") +
                                   "END to close the CASE at " + prog_.where(pos) + ", found " +
                                   describe(peek()));
    }
    return case_node(pos, std::move(kids), has_else);
  }

  // Parses the arguments after '(' up to ')'.
  Result<std::vector<uint32_t>> parse_args(uint32_t open) {
    std::vector<uint32_t> args;
    if (accept_sym(")")) return args;
    do {
      RIVULET_ASSIGN_OR_RETURN(uint32_t a, parse_or());
      args.push_back(a);
    } while (accept_sym(","));
    RIVULET_RETURN_IF_ERROR(expect_close(open));
    return args;
  }

  Result<uint32_t> parse_call() {
    const Token& name_tok = next();
    const uint32_t pos = name_tok.pos;
    const std::string name = upper(name_tok.text);
    const uint32_t open = next().pos;  // '('
    Nesting guard(&nesting_);
    RIVULET_RETURN_IF_ERROR(check_nesting(pos));
    const FnInfo* info = find_function(name);
    if (info == nullptr) return unknown_function(name_tok.text, pos);
    switch (info->fn) {
      case Fn::kCast:
      case Fn::kTryCast: {
        RIVULET_ASSIGN_OR_RETURN(uint32_t x, parse_or());
        RIVULET_RETURN_IF_ERROR(expect_kw("AS", "in " + name + "(x AS type)"));
        const Token& type_tok = next();
        std::optional<Type> target;
        if (type_tok.kind == Tok::kIdent) target = parse_type(type_tok.text);
        if (!target || *target == Type::kNull) {
          std::vector<std::string_view> names = {"boolean", "bigint", "double", "string"};
          std::string msg = "unknown type " + describe(type_tok) + " in " + name +
                            " (valid: boolean, bigint, double, string";
          if (type_tok.kind == Tok::kIdent) {
            if (upper(type_tok.text).starts_with("TIMESTAMP")) {
              msg += "; times are bigint epoch milliseconds: TO_TIMESTAMP_MS(text)";
            }
            msg += ")" + did_you_mean(suggest_names(type_tok.text, names));
          } else {
            msg += ")";
          }
          return error(type_tok.pos, msg);
        }
        // VARCHAR(10), DECIMAL(10, 2): the size is accepted and ignored.
        if (is_sym(peek(), "(")) {
          const uint32_t size_open = next().pos;
          while (peek().kind == Tok::kInt || is_sym(peek(), ",")) next();
          RIVULET_RETURN_IF_ERROR(expect_close(size_open));
        }
        RIVULET_RETURN_IF_ERROR(expect_close(open));
        return cast(pos, x, *target, info->fn == Fn::kTryCast);
      }
      case Fn::kExtract: {
        const Token& unit = next();
        const auto part = unit.kind == Tok::kIdent ? extract_unit(upper(unit.text)) : std::nullopt;
        if (!part) {
          return error(unit.pos, "unknown EXTRACT unit " + describe(unit) +
                                     " (valid: YEAR, QUARTER, MONTH, DAY, DOW, DOY, HOUR, "
                                     "MINUTE, SECOND, MILLISECOND)");
        }
        RIVULET_RETURN_IF_ERROR(expect_kw("FROM", "in EXTRACT(unit FROM time)"));
        RIVULET_ASSIGN_OR_RETURN(uint32_t x, parse_or());
        RIVULET_RETURN_IF_ERROR(expect_close(open));
        RIVULET_ASSIGN_OR_RETURN(uint32_t ms, time_arg(x, "EXTRACT", 1));
        return strict(Op::kTimePart, Type::kInt, pos, {ms}, static_cast<uint8_t>(*part));
      }
      case Fn::kPosition: {
        // POSITION(needle IN haystack) or POSITION(needle, haystack).
        RIVULET_ASSIGN_OR_RETURN(uint32_t needle, parse_concat());
        if (!accept_kw("IN") && !accept_sym(",")) {
          return error(peek().pos,
                       "expected IN in POSITION(needle IN text), found " + describe(peek()));
        }
        RIVULET_ASSIGN_OR_RETURN(uint32_t hay, parse_or());
        RIVULET_RETURN_IF_ERROR(expect_close(open));
        return function(*info, pos, {needle, hay});
      }
      case Fn::kSubstring: {
        // SUBSTRING(s FROM start [FOR length]) or SUBSTRING(s, start[, length]).
        RIVULET_ASSIGN_OR_RETURN(uint32_t s, parse_or());
        if (accept_kw("FROM")) {
          std::vector<uint32_t> args{s};
          RIVULET_ASSIGN_OR_RETURN(uint32_t start, parse_or());
          args.push_back(start);
          if (accept_kw("FOR")) {
            RIVULET_ASSIGN_OR_RETURN(uint32_t len, parse_or());
            args.push_back(len);
          }
          RIVULET_RETURN_IF_ERROR(expect_close(open));
          return function(*info, pos, args);
        }
        std::vector<uint32_t> args{s};
        while (accept_sym(",")) {
          RIVULET_ASSIGN_OR_RETURN(uint32_t a, parse_or());
          args.push_back(a);
        }
        RIVULET_RETURN_IF_ERROR(expect_close(open));
        return function(*info, pos, args);
      }
      case Fn::kTrim: {
        // TRIM(s) or TRIM([BOTH | LEADING | TRAILING] [characters] FROM s).
        TrimMode mode = TrimMode::kBoth;
        bool has_mode = true;
        if (accept_kw("BOTH")) {
          mode = TrimMode::kBoth;
        } else if (accept_kw("LEADING")) {
          mode = TrimMode::kLeading;
        } else if (accept_kw("TRAILING")) {
          mode = TrimMode::kTrailing;
        } else {
          has_mode = false;
        }
        std::optional<uint32_t> chars;
        uint32_t s = 0;
        if (has_mode && accept_kw("FROM")) {
          RIVULET_ASSIGN_OR_RETURN(s, parse_or());
        } else {
          RIVULET_ASSIGN_OR_RETURN(uint32_t first, parse_or());
          if (accept_kw("FROM")) {
            chars = first;
            RIVULET_ASSIGN_OR_RETURN(s, parse_or());
          } else if (has_mode) {
            return error(peek().pos, "expected FROM in TRIM(" +
                                         std::string(mode == TrimMode::kBoth      ? "BOTH"
                                                     : mode == TrimMode::kLeading ? "LEADING"
                                                                                  : "TRAILING") +
                                         " characters FROM text), found " + describe(peek()));
          } else {
            s = first;
          }
        }
        RIVULET_RETURN_IF_ERROR(expect_close(open));
        return trim_node(pos, "TRIM", mode, s, chars);
      }
      default:
        break;
    }
    RIVULET_ASSIGN_OR_RETURN(std::vector<uint32_t> args, parse_args(open));
    return function(*info, pos, args);
  }

  Status unknown_function(const std::string& name, uint32_t pos) const {
    const std::string u = upper(name);
    if (u == "MAX" || u == "MIN" || u == "SUM" || u == "AVG" || u == "COUNT") {
      std::string msg = "aggregate function " + u + " is not available in expressions";
      if (u == "MAX") msg += " (GREATEST(a, b, ...) gives the largest of several values)";
      if (u == "MIN") msg += " (LEAST(a, b, ...) gives the smallest of several values)";
      return error(pos, msg);
    }
    std::vector<std::string_view> names;
    for (const FnInfo& f : kFunctions) names.push_back(f.name);
    return error(pos, "unknown function '" + name + "'" + did_you_mean(suggest_names(u, names)) +
                          (suggest_names(u, names).empty() ? " (see docs/expressions.md)" : ""));
  }

  // ---------------------------------------------------------------- typed nodes
  Type type_of(uint32_t id) const { return prog_.nodes[id].type; }
  bool nullable(uint32_t id) const { return prog_.nodes[id].nullable; }
  bool is_null_type(uint32_t id) const { return type_of(id) == Type::kNull; }
  uint32_t pos_of(uint32_t id) const { return prog_.nodes[id].pos; }

  Result<uint32_t> add(Node nd, const std::vector<uint32_t>& kids) {
    nd.first = static_cast<uint32_t>(prog_.kids.size());
    nd.count = static_cast<uint32_t>(kids.size());
    uint32_t depth = 0;
    bool constant = true;
    for (uint32_t k : kids) {
      prog_.kids.push_back(k);
      depth = std::max(depth, prog_.nodes[k].depth);
      constant = constant && prog_.nodes[k].op == Op::kLiteral;
    }
    nd.depth = depth + 1;
    if (nd.depth > Expression::kMaxDepth) {
      return error(nd.pos, "expression too deep (more than " +
                               std::to_string(Expression::kMaxDepth) +
                               " nested operations; use IN (...) for long lists of alternatives)");
    }
    prog_.max_kids = std::max(prog_.max_kids, nd.count);
    const auto id = static_cast<uint32_t>(prog_.nodes.size());
    prog_.nodes.push_back(nd);
    if (constant && !is_leaf(nd.op)) RIVULET_RETURN_IF_ERROR(fold(id));
    return id;
  }

  // Evaluates a node whose children are all constants, and makes it a constant.
  Status fold(uint32_t id) {
    Node& nd = prog_.nodes[id];
    nd.slot = 0;
    nd.sel = 0;
    Value column[1];
    uint16_t sels[2] = {0, 0};
    int32_t err_node[1] = {-1};
    Value err_value[1];
    std::vector<View> views(std::max<uint32_t>(1, nd.count));
    Evaluator ev(prog_, column, sels, views.data(), 1, err_node, err_value);
    ev.bind(nullptr, &prog_.constants);
    const uint16_t row = 0;
    ev.run(id, &row, 1);
    Node& done = prog_.nodes[id];
    if (err_node[0] >= 0) {
      return error(
          prog_.nodes[err_node[0]].pos,
          cast_error_message(err_value[0], static_cast<Type>(prog_.nodes[err_node[0]].aux)));
    }
    done.op = Op::kLiteral;
    done.constant = column[0];
    done.count = 0;
    done.depth = 1;
    done.nullable = column[0].is_null();
    return Status::ok_status();
  }

  Result<uint32_t> literal(Value v, uint32_t pos, Type type) {
    Node nd;
    nd.op = Op::kLiteral;
    nd.type = type;
    nd.nullable = v.is_null();
    nd.constant = v;
    nd.pos = pos;
    return add(nd, {});
  }
  Result<uint32_t> literal(Value v, uint32_t pos) { return literal(v, pos, v.type()); }
  Result<uint32_t> null_of(Type type, uint32_t pos) { return literal(Value(), pos, type); }

  Result<uint32_t> field(const std::string& name, uint32_t pos) {
    const auto index = schema_.index_of(name);
    if (!index) return error(pos, schema_.unknown_field_message(name));
    const SchemaField& f = schema_.field(*index);
    Node nd;
    nd.op = Op::kField;
    nd.type = f.type;
    nd.nullable = f.nullable;
    nd.field = static_cast<uint32_t>(*index);
    nd.pos = pos;
    return add(nd, {});
  }

  // A strict operation: NULL when any operand is NULL (an operand of type null makes it NULL).
  Result<uint32_t> strict(Op op, Type type, uint32_t pos, const std::vector<uint32_t>& kids,
                          uint8_t aux = 0, bool may_be_null = false, uint32_t extra = 0) {
    bool any_nullable = may_be_null;
    for (uint32_t k : kids) {
      if (is_null_type(k)) return null_of(type, pos);
      any_nullable = any_nullable || nullable(k);
    }
    Node nd;
    nd.op = op;
    nd.type = type;
    nd.nullable = any_nullable;
    nd.aux = aux;
    nd.extra = extra;
    nd.pos = pos;
    return add(nd, kids);
  }

  Result<uint32_t> to_double(uint32_t id) {
    if (type_of(id) != Type::kInt) return id;
    return strict(Op::kIntToDouble, Type::kDouble, pos_of(id), {id});
  }

  Result<uint32_t> to_string_node(uint32_t id) {
    if (type_of(id) == Type::kString || is_null_type(id)) return id;
    return cast(pos_of(id), id, Type::kString, false);
  }

  Status require_bool(uint32_t id, std::string_view what, std::string_view hint) const {
    const Type t = type_of(id);
    if (t == Type::kBool || t == Type::kNull) return Status::ok_status();
    std::string msg = std::string(what) + " expects a boolean, got " + std::string(type_name(t));
    if (is_numeric(t)) msg += " (compare it, e.g. x <> 0)";
    if (t == Type::kString) msg += " (compare it, e.g. x = 'yes')";
    return error(pos_of(id), msg + std::string(hint));
  }

  static std::string ordinal(size_t i) {
    static constexpr std::string_view kWords[] = {"first", "second", "third", "fourth"};
    return i < 4 ? std::string(kWords[i]) : "argument " + std::to_string(i + 1);
  }

  // What a function argument must be.
  enum class Want : uint8_t { kNumber, kBigint, kString, kBool, kTime };

  Status require_arg(uint32_t id, std::string_view fn, size_t index, Want want) const {
    const Type t = type_of(id);
    if (t == Type::kNull) return Status::ok_status();
    bool ok = false;
    std::string_view expected;
    switch (want) {
      case Want::kNumber:
        ok = is_numeric(t);
        expected = "a number";
        break;
      case Want::kBigint:
        ok = t == Type::kInt;
        expected = "a bigint";
        break;
      case Want::kString:
        ok = t == Type::kString;
        expected = "a string";
        break;
      case Want::kBool:
        ok = t == Type::kBool;
        expected = "a boolean";
        break;
      case Want::kTime:
        ok = t == Type::kInt || t == Type::kString;
        expected = "epoch milliseconds (bigint) or an ISO-8601 string";
        break;
    }
    if (ok) return Status::ok_status();
    std::string msg = std::string(fn) + " expects " + std::string(expected) + " as its " +
                      ordinal(index) + " argument, got " + std::string(type_name(t));
    if (want == Want::kString) msg += " (CAST it AS string)";
    if (want == Want::kBigint && t == Type::kDouble) msg += " (CAST it AS bigint)";
    if (want == Want::kNumber && t == Type::kString) msg += " (CAST it AS double)";
    return error(pos_of(id), msg);
  }

  static bool comparable(Type a, Type b) {
    return a == Type::kNull || b == Type::kNull || a == b || (is_numeric(a) && is_numeric(b));
  }

  Status require_comparable(uint32_t a, uint32_t b, uint32_t pos, std::string_view what) const {
    const Type ta = type_of(a), tb = type_of(b);
    if (comparable(ta, tb)) return Status::ok_status();
    std::string msg = "cannot compare " + std::string(type_name(ta)) + " with " +
                      std::string(type_name(tb)) + " in " + std::string(what);
    const Type target = ta == Type::kString ? tb : ta;
    msg += " (CAST one side, e.g. CAST(x AS " + std::string(type_name(target)) + "))";
    return error(pos, msg);
  }

  // The common type of values that meet in one result (CASE branches, COALESCE, ...).
  Result<Type> unify(const std::vector<uint32_t>& ids, std::string_view what) const {
    Type t = Type::kNull;
    uint32_t first = 0;
    for (uint32_t id : ids) {
      const Type u = type_of(id);
      if (u == Type::kNull) continue;
      if (t == Type::kNull) {
        t = u;
        first = id;
      } else if (t != u) {
        if (is_numeric(t) && is_numeric(u)) {
          t = Type::kDouble;
        } else {
          return error(pos_of(id), std::string(what) + " mixes " + std::string(type_name(u)) +
                                       " with " + std::string(type_name(t)) + " (at " +
                                       prog_.where(pos_of(first)) + "); CAST them to one type");
        }
      }
    }
    return t;
  }

  Result<std::vector<uint32_t>> promote_all(std::vector<uint32_t> ids, Type t) {
    if (t != Type::kDouble) return ids;
    for (uint32_t& id : ids) {
      RIVULET_ASSIGN_OR_RETURN(id, to_double(id));
    }
    return ids;
  }

  Result<uint32_t> logic(Op op, uint32_t pos, uint32_t a, uint32_t b) {
    const char* name = op == Op::kAnd ? "AND" : "OR";
    RIVULET_RETURN_IF_ERROR(require_bool(a, name, ""));
    RIVULET_RETURN_IF_ERROR(require_bool(b, name, ""));
    Node nd;
    nd.op = op;
    nd.type = Type::kBool;
    nd.nullable = nullable(a) || nullable(b);
    nd.pos = pos;
    return add(nd, {a, b});
  }

  Result<uint32_t> is_test(IsTest test, uint32_t pos, uint32_t x) {
    Node nd;
    nd.op = Op::kIsTest;
    nd.type = Type::kBool;
    nd.nullable = false;
    nd.aux = static_cast<uint8_t>(test);
    nd.pos = pos;
    return add(nd, {x});
  }

  Result<uint32_t> arithmetic(char op, uint32_t pos, uint32_t a, uint32_t b) {
    const Type ta = type_of(a), tb = type_of(b);
    const bool ok_a = ta == Type::kNull || is_numeric(ta);
    const bool ok_b = tb == Type::kNull || is_numeric(tb);
    if (!ok_a || !ok_b) {
      std::string msg = "operator '" + std::string(1, op) + "' expects numbers, got " +
                        std::string(type_name(ta)) + " and " + std::string(type_name(tb));
      if (op == '+' && (ta == Type::kString || tb == Type::kString)) {
        msg += " (use || or CONCAT to join strings)";
      } else if (ta == Type::kString || tb == Type::kString) {
        msg += " (CAST the string AS double)";
      } else if (ta == Type::kBool || tb == Type::kBool) {
        msg += " (CAST the boolean AS bigint)";
      }
      return error(pos, msg);
    }
    const Type t = ta == Type::kDouble || tb == Type::kDouble
                       ? Type::kDouble
                       : (ta == Type::kNull && tb == Type::kNull ? Type::kNull : Type::kInt);
    if (t == Type::kNull) return null_of(Type::kNull, pos);
    RIVULET_ASSIGN_OR_RETURN(a, t == Type::kDouble ? to_double(a) : Result<uint32_t>(a));
    RIVULET_ASSIGN_OR_RETURN(b, t == Type::kDouble ? to_double(b) : Result<uint32_t>(b));
    const bool dbl = t == Type::kDouble;
    Op code = Op::kAddInt;
    switch (op) {
      case '+':
        code = dbl ? Op::kAddDouble : Op::kAddInt;
        break;
      case '-':
        code = dbl ? Op::kSubDouble : Op::kSubInt;
        break;
      case '*':
        code = dbl ? Op::kMulDouble : Op::kMulInt;
        break;
      case '/':
        code = dbl ? Op::kDivDouble : Op::kDivInt;
        break;
      default:
        code = dbl ? Op::kModDouble : Op::kModInt;
        break;
    }
    // Division and modulo give NULL for a zero divisor.
    return strict(code, t, pos, {a, b}, 0, op == '/' || op == '%');
  }

  Result<uint32_t> compare(CmpOp op, uint32_t pos, uint32_t a, uint32_t b) {
    const Type ta = type_of(a), tb = type_of(b);
    const std::string what = "'" + std::string(cmp_text(op)) + "'";
    RIVULET_RETURN_IF_ERROR(require_comparable(a, b, pos, what));
    if (ta == Type::kNull || tb == Type::kNull) return null_of(Type::kBool, pos);
    Op code;
    if (is_numeric(ta)) {
      if (ta != tb) {
        RIVULET_ASSIGN_OR_RETURN(a, to_double(a));
        RIVULET_ASSIGN_OR_RETURN(b, to_double(b));
      }
      code = ta == Type::kInt && tb == Type::kInt ? Op::kCmpInt : Op::kCmpDouble;
    } else if (ta == Type::kString) {
      code = Op::kCmpString;
    } else {
      code = Op::kCmpBool;
    }
    return strict(code, Type::kBool, pos, {a, b}, static_cast<uint8_t>(op));
  }

  Result<uint32_t> between(uint32_t pos, bool negate, uint32_t x, uint32_t lo, uint32_t hi) {
    RIVULET_RETURN_IF_ERROR(require_comparable(x, lo, pos, "BETWEEN"));
    RIVULET_RETURN_IF_ERROR(require_comparable(x, hi, pos, "BETWEEN"));
    RIVULET_RETURN_IF_ERROR(require_comparable(lo, hi, pos, "BETWEEN"));
    if (is_null_type(x)) return null_of(Type::kBool, pos);
    Node nd;
    nd.op = Op::kBetween;
    nd.type = Type::kBool;
    nd.nullable = nullable(x) || nullable(lo) || nullable(hi);
    nd.flag = negate;
    nd.pos = pos;
    return add(nd, {x, lo, hi});
  }

  Result<uint32_t> in_list(uint32_t pos, bool negate, const std::vector<uint32_t>& items) {
    bool any_nullable = false;
    for (size_t i = 1; i < items.size(); ++i) {
      if (!comparable(type_of(items[0]), type_of(items[i]))) {
        return error(pos_of(items[i]), "IN list value " + std::to_string(i) + " is " +
                                           std::string(type_name(type_of(items[i]))) +
                                           ", which cannot be compared with " +
                                           std::string(type_name(type_of(items[0]))) +
                                           " (CAST one side)");
      }
    }
    for (uint32_t id : items) any_nullable = any_nullable || nullable(id);
    if (is_null_type(items[0])) return null_of(Type::kBool, pos);
    Node nd;
    nd.op = Op::kIn;
    nd.type = Type::kBool;
    nd.nullable = any_nullable;
    nd.flag = negate;
    nd.pos = pos;
    return add(nd, items);
  }

  Result<uint32_t> like(uint32_t pos, bool negate, uint32_t text, uint32_t pattern, int escape) {
    for (uint32_t id : {text, pattern}) {
      const Type t = type_of(id);
      if (t != Type::kString && t != Type::kNull) {
        return error(pos_of(id), "LIKE expects strings, got " + std::string(type_name(t)) +
                                     " (CAST it AS string)");
      }
    }
    if (is_null_type(text) || is_null_type(pattern)) return null_of(Type::kBool, pos);
    LikePlan plan;
    plan.escape = escape;
    const Node& p = prog_.nodes[pattern];
    if (p.op == Op::kLiteral) {
      const auto problem = plan_like(p.constant.as_string(), escape, prog_.constants, &plan);
      if (problem) return error(p.pos, *problem);
    } else {
      plan.per_row = true;
    }
    prog_.likes.push_back(plan);
    Node nd;
    nd.op = Op::kLike;
    nd.type = Type::kBool;
    nd.nullable = nullable(text) || nullable(pattern);
    nd.flag = negate;
    nd.extra = static_cast<uint32_t>(prog_.likes.size());
    nd.pos = pos;
    return add(nd, {text, pattern});
  }

  Result<uint32_t> concat(uint32_t pos, std::vector<uint32_t> parts) {
    // a || b || c is one n-ary concatenation; operands that are not strings are CAST.
    std::vector<uint32_t> kids;
    for (uint32_t id : parts) {
      const Node& nd = prog_.nodes[id];
      if (nd.op == Op::kConcat) {
        for (uint32_t i = 0; i < nd.count; ++i) kids.push_back(prog_.kid(nd, i));
      } else {
        RIVULET_ASSIGN_OR_RETURN(uint32_t s, to_string_node(id));
        kids.push_back(s);
      }
    }
    return strict(Op::kConcat, Type::kString, pos, kids);
  }

  Result<uint32_t> cast(uint32_t pos, uint32_t x, Type target, bool try_cast) {
    const Type from = type_of(x);
    if (from == Type::kNull) return null_of(target, pos);
    if (from == target) return x;
    const bool can_fail = from == Type::kString ? target != Type::kString
                                                : (from == Type::kDouble && target == Type::kInt);
    Node nd;
    nd.op = Op::kCast;
    nd.type = target;
    nd.nullable = nullable(x) || (try_cast && can_fail);
    nd.flag = try_cast;
    nd.aux = static_cast<uint8_t>(target);
    nd.pos = pos;
    return add(nd, {x});
  }

  Result<uint32_t> case_node(uint32_t pos, std::vector<uint32_t> kids, bool has_else,
                             std::string_view what = "CASE") {
    std::vector<uint32_t> values;
    for (size_t i = 1; i < kids.size(); i += 2) values.push_back(kids[i]);
    if (has_else) values.push_back(kids.back());
    RIVULET_ASSIGN_OR_RETURN(Type t, unify(values, what));
    bool any_nullable = !has_else;
    for (size_t i = 0; i < kids.size(); ++i) {
      const bool is_value = i % 2 == 1 || (has_else && i + 1 == kids.size());
      if (!is_value) continue;
      if (t == Type::kDouble) {
        RIVULET_ASSIGN_OR_RETURN(kids[i], to_double(kids[i]));
      }
      any_nullable = any_nullable || nullable(kids[i]);
    }
    Node nd;
    nd.op = Op::kCase;
    nd.type = t;
    nd.nullable = any_nullable;
    nd.flag = has_else;
    nd.pos = pos;
    return add(nd, kids);
  }

  Result<uint32_t> trim_node(uint32_t pos, std::string_view fn, TrimMode mode, uint32_t s,
                             std::optional<uint32_t> chars) {
    RIVULET_RETURN_IF_ERROR(require_arg(s, fn, chars ? 1 : 0, Want::kString));
    uint32_t c = 0;
    if (chars) {
      RIVULET_RETURN_IF_ERROR(require_arg(*chars, fn, 0, Want::kString));
      c = *chars;
    } else {
      RIVULET_ASSIGN_OR_RETURN(c, literal(Value::of_string(" "), pos));
    }
    return strict(Op::kTrim, Type::kString, pos, {s, c}, static_cast<uint8_t>(mode));
  }

  Result<uint32_t> time_arg(uint32_t x, std::string_view fn, size_t index) {
    RIVULET_RETURN_IF_ERROR(require_arg(x, fn, index - 1, Want::kTime));
    if (type_of(x) != Type::kString) return x;
    return strict(Op::kToTimestampMs, Type::kInt, pos_of(x), {x}, 0, true);
  }

  // REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE: a constant pattern is compiled here, once; a bad
  // one is an error at its position, as is a constant group beyond the pattern's groups.
  Result<uint32_t> regexp(const FnInfo& f, uint32_t pos, std::vector<uint32_t> args) {
    const std::string_view name = f.name;
    const bool extract = f.fn == Fn::kRegexpExtract;
    for (size_t i = 0; i < args.size(); ++i) {
      RIVULET_RETURN_IF_ERROR(
          require_arg(args[i], name, i, extract && i == 2 ? Want::kBigint : Want::kString));
    }
    uint32_t extra = 0;
    const Node& pattern = prog_.nodes[args[1]];
    if (pattern.op == Op::kLiteral && !pattern.constant.is_null()) {
      std::string problem;
      auto re = compile_regex(pattern.constant.as_string(), &problem);
      if (re == nullptr) {
        return error(pattern.pos, "invalid regular expression " + literal_text(pattern.constant) +
                                      " in " + std::string(name) + ": " + problem);
      }
      if (extract && args.size() == 3) {
        const Node& group = prog_.nodes[args[2]];
        const int groups = regex_groups(*re);
        if (group.op == Op::kLiteral && !group.constant.is_null() &&
            (group.constant.as_int() < 0 || group.constant.as_int() > groups)) {
          return error(group.pos,
                       "REGEXP_EXTRACT group " + std::to_string(group.constant.as_int()) +
                           " does not exist: the pattern has " + std::to_string(groups) + " group" +
                           (groups == 1 ? "" : "s") + " (0 is the whole match)");
        }
      }
      prog_.regexes.push_back(std::move(re));
      extra = static_cast<uint32_t>(prog_.regexes.size());
    }
    switch (f.fn) {
      case Fn::kRegexp:
        return strict(Op::kRegexp, Type::kBool, pos, args, 0, false, extra);
      case Fn::kRegexpExtract:
        if (args.size() == 2) {  // Flink's default group is 0, the whole match
          RIVULET_ASSIGN_OR_RETURN(uint32_t zero, literal(Value::of_int(0), pos));
          args.push_back(zero);
        }
        return strict(Op::kRegexpExtract, Type::kString, pos, args, 0, true, extra);
      default:  // a pattern of each row that is not a regular expression gives NULL
        return strict(Op::kRegexpReplace, Type::kString, pos, args, 0, extra == 0, extra);
    }
  }

  Result<uint32_t> function(const FnInfo& f, uint32_t pos, std::vector<uint32_t> args) {
    const size_t n = args.size();
    if (n < f.min_args || (f.max_args != kAny && n > f.max_args)) {
      std::string takes;
      if (f.max_args == kAny) {
        takes =
            "at least " + std::to_string(f.min_args) + " argument" + (f.min_args > 1 ? "s" : "");
      } else if (f.min_args == f.max_args) {
        takes = std::to_string(f.min_args) + " argument" + (f.min_args > 1 ? "s" : "");
      } else {
        takes = std::to_string(f.min_args) + " to " + std::to_string(f.max_args) + " arguments";
      }
      return error(pos, "function " + std::string(f.name) + " takes " + takes + ", got " +
                            std::to_string(n));
    }
    const std::string_view name = f.name;
    auto need = [&](size_t i, Want w) { return require_arg(args[i], name, i, w); };
    switch (f.fn) {
      case Fn::kAbs:
      case Fn::kSign: {
        RIVULET_RETURN_IF_ERROR(need(0, Want::kNumber));
        const Type t = type_of(args[0]);
        const bool dbl = t == Type::kDouble;
        const Op op = f.fn == Fn::kAbs ? (dbl ? Op::kAbsDouble : Op::kAbsInt)
                                       : (dbl ? Op::kSignDouble : Op::kSignInt);
        return strict(op, t == Type::kNull ? Type::kInt : t, pos, args);
      }
      case Fn::kMath1: {
        RIVULET_RETURN_IF_ERROR(need(0, Want::kNumber));
        RIVULET_ASSIGN_OR_RETURN(args[0], to_double(args[0]));
        return strict(Op::kMath1, Type::kDouble, pos, args, f.aux);
      }
      case Fn::kLog:
      case Fn::kPower: {
        for (size_t i = 0; i < n; ++i) {
          RIVULET_RETURN_IF_ERROR(need(i, Want::kNumber));
          RIVULET_ASSIGN_OR_RETURN(args[i], to_double(args[i]));
        }
        if (f.fn == Fn::kLog && n == 1) {
          return strict(Op::kMath1, Type::kDouble, pos, args, static_cast<uint8_t>(MathFn::kLn));
        }
        return strict(f.fn == Fn::kLog ? Op::kLogBase : Op::kPower, Type::kDouble, pos, args);
      }
      case Fn::kFloor:
      case Fn::kCeil: {
        RIVULET_RETURN_IF_ERROR(need(0, Want::kNumber));
        if (type_of(args[0]) != Type::kDouble) return args[0];  // bigint: already whole
        const auto fn = f.fn == Fn::kFloor ? MathFn::kFloor : MathFn::kCeil;
        return strict(Op::kMath1, Type::kDouble, pos, args, static_cast<uint8_t>(fn));
      }
      case Fn::kRound: {
        RIVULET_RETURN_IF_ERROR(need(0, Want::kNumber));
        if (n == 2) {
          RIVULET_RETURN_IF_ERROR(need(1, Want::kBigint));
        } else {
          RIVULET_ASSIGN_OR_RETURN(uint32_t zero, literal(Value::of_int(0), pos));
          args.push_back(zero);
        }
        const Type t = type_of(args[0]) == Type::kNull ? Type::kInt : type_of(args[0]);
        return strict(t == Type::kDouble ? Op::kRoundDouble : Op::kRoundInt, t, pos, args);
      }
      case Fn::kMod:
        return arithmetic('%', pos, args[0], args[1]);
      case Fn::kLeast:
      case Fn::kGreatest: {
        RIVULET_ASSIGN_OR_RETURN(Type t, unify(args, name));
        RIVULET_ASSIGN_OR_RETURN(args, promote_all(std::move(args), t));
        return strict(f.fn == Fn::kLeast ? Op::kLeast : Op::kGreatest, t, pos, args);
      }
      case Fn::kCoalesce:
      case Fn::kIfNull: {
        RIVULET_ASSIGN_OR_RETURN(Type t, unify(args, name));
        RIVULET_ASSIGN_OR_RETURN(args, promote_all(std::move(args), t));
        bool all_nullable = true;
        for (uint32_t a : args) all_nullable = all_nullable && nullable(a);
        Node nd;
        nd.op = Op::kCoalesce;
        nd.type = t;
        nd.nullable = all_nullable;
        nd.pos = pos;
        return add(nd, args);
      }
      case Fn::kIf: {
        RIVULET_RETURN_IF_ERROR(require_bool(args[0], "IF", " as its first argument"));
        return case_node(pos, args, true, "IF");
      }
      case Fn::kNullIf: {
        RIVULET_RETURN_IF_ERROR(require_comparable(args[0], args[1], pos, "NULLIF"));
        if (is_null_type(args[0])) return args[0];
        Node nd;
        nd.op = Op::kNullIf;
        nd.type = type_of(args[0]);
        nd.nullable = true;
        nd.pos = pos;
        return add(nd, args);
      }
      case Fn::kLower:
      case Fn::kUpper:
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        return strict(f.fn == Fn::kLower ? Op::kLower : Op::kUpper, Type::kString, pos, args);
      case Fn::kCharLength:
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        return strict(Op::kCharLength, Type::kInt, pos, args);
      case Fn::kTrim:
        return trim_node(pos, name, TrimMode::kBoth, args[0], std::nullopt);
      case Fn::kLTrim:
        return trim_node(pos, name, TrimMode::kLeading, args[0], std::nullopt);
      case Fn::kRTrim:
        return trim_node(pos, name, TrimMode::kTrailing, args[0], std::nullopt);
      case Fn::kSubstring: {
        if (n < 2 || n > 3) {
          return error(pos, "function SUBSTRING takes 2 to 3 arguments, got " + std::to_string(n));
        }
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        for (size_t i = 1; i < n; ++i) RIVULET_RETURN_IF_ERROR(need(i, Want::kBigint));
        // A negative length gives NULL, as in Flink.
        return strict(Op::kSubstring, Type::kString, pos, args, 0, n == 3);
      }
      case Fn::kConcat:
        return concat(pos, args);
      case Fn::kPosition:
      case Fn::kLocate: {
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        RIVULET_RETURN_IF_ERROR(need(1, Want::kString));
        if (n == 3) RIVULET_RETURN_IF_ERROR(need(2, Want::kBigint));
        return strict(Op::kPosition, Type::kInt, pos, args);
      }
      case Fn::kReplace:
        for (size_t i = 0; i < 3; ++i) RIVULET_RETURN_IF_ERROR(need(i, Want::kString));
        return strict(Op::kReplace, Type::kString, pos, args);
      case Fn::kStartsWith:
      case Fn::kEndsWith:
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        RIVULET_RETURN_IF_ERROR(need(1, Want::kString));
        return strict(f.fn == Fn::kStartsWith ? Op::kStartsWith : Op::kEndsWith, Type::kBool, pos,
                      args);
      case Fn::kRegexp:
      case Fn::kRegexpExtract:
      case Fn::kRegexpReplace:
        return regexp(f, pos, std::move(args));
      case Fn::kSplitIndex:
        RIVULET_RETURN_IF_ERROR(need(0, Want::kString));
        RIVULET_RETURN_IF_ERROR(need(1, Want::kString));
        RIVULET_RETURN_IF_ERROR(need(2, Want::kBigint));
        return strict(Op::kSplitIndex, Type::kString, pos, args, 0, true);
      case Fn::kToTimestampMs:
        return time_arg(args[0], name, 1);
      case Fn::kTimePart: {
        RIVULET_ASSIGN_OR_RETURN(uint32_t ms, time_arg(args[0], name, 1));
        return strict(Op::kTimePart, Type::kInt, pos, {ms}, f.aux);
      }
      case Fn::kDateFormat: {
        RIVULET_ASSIGN_OR_RETURN(uint32_t ms, time_arg(args[0], name, 1));
        RIVULET_RETURN_IF_ERROR(need(1, Want::kString));
        const Node& pattern = prog_.nodes[args[1]];
        bool may_fail = true;
        if (pattern.op == Op::kLiteral && !pattern.constant.is_null()) {
          const auto problem = check_date_format(pattern.constant.as_string());
          if (problem) return error(pattern.pos, *problem);
          may_fail = false;
        }
        return strict(Op::kDateFormat, Type::kString, pos, {ms, args[1]}, 0, may_fail);
      }
      case Fn::kCast:
      case Fn::kTryCast:
      case Fn::kExtract:
        break;
    }
    return error(pos, "unsupported function " + std::string(name));
  }

  const Schema& schema_;
  Program& prog_;
  std::vector<Token> tokens_;
  size_t p_ = 0;
  size_t nesting_ = 0;
};

std::string op_name(const Node& nd) {
  switch (nd.op) {
    case Op::kIntToDouble:
      return "double";
    case Op::kCast:
      return std::string(nd.flag ? "TRY_CAST" : "CAST") + " AS " +
             std::string(type_name(static_cast<Type>(nd.aux)));
    case Op::kNegInt:
    case Op::kNegDouble:
      return "neg";
    case Op::kAddInt:
    case Op::kAddDouble:
      return "+";
    case Op::kSubInt:
    case Op::kSubDouble:
      return "-";
    case Op::kMulInt:
    case Op::kMulDouble:
      return "*";
    case Op::kDivInt:
    case Op::kDivDouble:
      return "/";
    case Op::kModInt:
    case Op::kModDouble:
      return "%";
    case Op::kCmpInt:
    case Op::kCmpDouble:
    case Op::kCmpString:
    case Op::kCmpBool:
      return std::string(cmp_text(static_cast<CmpOp>(nd.aux)));
    case Op::kDistinct:
      return nd.flag ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM";
    case Op::kAnd:
      return "AND";
    case Op::kOr:
      return "OR";
    case Op::kNot:
      return "NOT";
    case Op::kIsTest: {
      static constexpr std::string_view kTests[] = {"IS NULL",     "IS NOT NULL", "IS TRUE",
                                                    "IS NOT TRUE", "IS FALSE",    "IS NOT FALSE"};
      return std::string(kTests[nd.aux]);
    }
    case Op::kBetween:
      return nd.flag ? "NOT BETWEEN" : "BETWEEN";
    case Op::kIn:
      return nd.flag ? "NOT IN" : "IN";
    case Op::kLike:
      return nd.flag ? "NOT LIKE" : "LIKE";
    case Op::kCase:
      return "CASE";
    case Op::kCoalesce:
      return "COALESCE";
    case Op::kNullIf:
      return "NULLIF";
    case Op::kGreatest:
      return "GREATEST";
    case Op::kLeast:
      return "LEAST";
    case Op::kAbsInt:
    case Op::kAbsDouble:
      return "ABS";
    case Op::kSignInt:
    case Op::kSignDouble:
      return "SIGN";
    case Op::kMath1: {
      static constexpr std::string_view kNames[] = {"SQRT",  "LN",   "LOG10", "LOG2",    "EXP",
                                                    "FLOOR", "CEIL", "SIN",   "COS",     "TAN",
                                                    "ASIN",  "ACOS", "ATAN",  "DEGREES", "RADIANS"};
      return std::string(kNames[nd.aux]);
    }
    case Op::kLogBase:
      return "LOG";
    case Op::kPower:
      return "POWER";
    case Op::kRoundInt:
    case Op::kRoundDouble:
      return "ROUND";
    case Op::kConcat:
      return "||";
    case Op::kLower:
      return "LOWER";
    case Op::kUpper:
      return "UPPER";
    case Op::kCharLength:
      return "CHAR_LENGTH";
    case Op::kTrim: {
      static constexpr std::string_view kModes[] = {"TRIM", "LTRIM", "RTRIM"};
      return std::string(kModes[nd.aux]);
    }
    case Op::kSubstring:
      return "SUBSTRING";
    case Op::kPosition:
      return "POSITION";
    case Op::kReplace:
      return "REPLACE";
    case Op::kStartsWith:
      return "STARTS_WITH";
    case Op::kEndsWith:
      return "ENDS_WITH";
    case Op::kRegexp:
      return "REGEXP";
    case Op::kRegexpExtract:
      return "REGEXP_EXTRACT";
    case Op::kRegexpReplace:
      return "REGEXP_REPLACE";
    case Op::kSplitIndex:
      return "SPLIT_INDEX";
    case Op::kToTimestampMs:
      return "TO_TIMESTAMP_MS";
    case Op::kTimePart: {
      static constexpr std::string_view kParts[] = {
          "YEAR",      "QUARTER", "MONTH",  "DAYOFMONTH", "DAYOFWEEK",
          "DAYOFYEAR", "HOUR",    "MINUTE", "SECOND",     "MILLISECOND"};
      return std::string(kParts[nd.aux]);
    }
    case Op::kDateFormat:
      return "DATE_FORMAT";
    case Op::kLiteral:
    case Op::kField:
      break;
  }
  return "?";
}

}  // namespace

std::string Program::where(uint32_t offset) const {
  int line = 0;
  size_t line_start = 0;
  const size_t end = std::min<size_t>(offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  int col = 0;
  for (size_t i = line_start; i < end; ++i)
    col += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  const int l = origin.line + line;
  const int c = line == 0 ? origin.column + col : origin.indent + 1 + col;
  return "line " + std::to_string(l) + ", column " + std::to_string(c);
}

std::string explain(const Program& prog, uint32_t id) {
  const Node& nd = prog.nodes[id];
  if (nd.op == Op::kLiteral) return literal_text(nd.constant);
  if (nd.op == Op::kField) return name_text(prog.field_names[nd.field]);
  std::string out = "(" + op_name(nd);
  for (uint32_t i = 0; i < nd.count; ++i) out += " " + explain(prog, prog.kid(nd, i));
  return out + ")";
}

Result<Program*> compile_program(std::string_view text, const Schema& schema, SourcePos origin) {
  auto prog = std::make_unique<Program>();
  prog->text = std::string(text);
  prog->origin = origin;
  prog->n_fields = schema.size();
  for (const auto& f : schema.fields()) prog->field_names.push_back(f.name);
  if (text.size() > Expression::kMaxLength) {
    return Status::invalid_argument(prog->where(0) + ": expression longer than " +
                                    std::to_string(Expression::kMaxLength) + " bytes");
  }
  Compiler compiler(schema, *prog);
  RIVULET_ASSIGN_OR_RETURN(prog->root, compiler.compile());
  // Output columns and selection buffers for the nodes the root reaches (folded-away and
  // replaced nodes get none).
  std::vector<uint8_t> seen(prog->nodes.size(), 0);
  std::vector<uint32_t> stack{prog->root};
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    if (seen[id]) continue;
    seen[id] = 1;
    Node& nd = prog->nodes[id];
    if (is_leaf(nd.op)) continue;
    nd.slot = prog->n_slots++;
    nd.sel = prog->n_sels;
    prog->n_sels += sel_buffers(nd.op);
    for (uint32_t i = 0; i < nd.count; ++i) stack.push_back(prog->kid(nd, i));
  }
  // Conjuncts in evaluation order: a AND b AND c is (a AND b) AND c.
  stack.assign(1, prog->root);
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    const Node& nd = prog->nodes[id];
    if (nd.op == Op::kAnd) {
      stack.push_back(prog->kid(nd, 1));
      stack.push_back(prog->kid(nd, 0));
    } else {
      prog->conjuncts.push_back(id);
    }
  }
  return prog.release();
}

}  // namespace rivulet::stream::internal
