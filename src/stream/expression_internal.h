#pragma once
// The compiled form of an expression (a typed tree in one array) and its evaluator. Private to
// src/stream/expression*.cc.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/status.h"
#include "rivulet/core/value.h"
#include "rivulet/stream/arena.h"
#include "rivulet/stream/source_pos.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace rivulet::stream::internal {

// Rows per evaluation chunk: a node's output column holds kChunk values (4 KiB), and row indices
// of a chunk fit selection vectors of uint16_t.
inline constexpr size_t kChunk = 256;

enum class Op : uint8_t {
  kLiteral,  // constant
  kField,    // field
  // Conversions. kCast: aux = target Type, flag = TRY_CAST.
  kIntToDouble,
  kCast,
  // Arithmetic, operands of the node's type.
  kNegInt,
  kNegDouble,
  kAddInt,
  kSubInt,
  kMulInt,
  kDivInt,
  kModInt,
  kAddDouble,
  kSubDouble,
  kMulDouble,
  kDivDouble,
  kModDouble,
  // Comparisons, aux = CmpOp; operands of the named type.
  kCmpInt,
  kCmpDouble,
  kCmpString,
  kCmpBool,
  kDistinct,  // IS [NOT] DISTINCT FROM; flag = NOT
  // Logic.
  kAnd,
  kOr,
  kNot,
  kIsTest,   // aux = IsTest
  kBetween,  // x, lo, hi; flag = NOT
  kIn,       // x, items...; flag = NOT
  kLike,     // text, pattern; flag = NOT; extra = index into likes + 1
  kCase,     // cond1, value1, ..., [else]; flag = has ELSE
  kCoalesce,
  kNullIf,
  kGreatest,
  kLeast,
  // Math.
  kAbsInt,
  kAbsDouble,
  kSignInt,
  kSignDouble,
  kMath1,  // aux = MathFn
  kLogBase,
  kPower,
  kRoundInt,
  kRoundDouble,
  // Strings.
  kConcat,
  kLower,
  kUpper,
  kCharLength,
  kTrim,  // text, characters; aux = TrimMode
  kSubstring,
  kPosition,  // needle, haystack[, start]
  kReplace,
  kStartsWith,
  kEndsWith,
  // Regular expressions; extra = index into Program::regexes + 1 for a constant pattern, 0 when
  // the pattern comes from the row.
  kRegexp,         // text, pattern
  kRegexpExtract,  // text, pattern, group
  kRegexpReplace,  // text, pattern, replacement
  kSplitIndex,     // text, delimiter, index
  // Time over epoch milliseconds.
  kToTimestampMs,
  kTimePart,  // aux = TimePart
  kDateFormat,
};

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class IsTest : uint8_t { kNull, kNotNull, kTrue, kNotTrue, kFalse, kNotFalse };
enum class MathFn : uint8_t {
  kSqrt,
  kLn,
  kLog10,
  kLog2,
  kExp,
  kFloor,
  kCeil,
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kDegrees,
  kRadians,
};
enum class TrimMode : uint8_t { kBoth, kLeading, kTrailing };
enum class TimePart : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
};

struct Node {
  Op op = Op::kLiteral;
  Type type = Type::kNull;
  bool nullable = true;
  bool flag = false;
  uint8_t aux = 0;
  uint32_t first = 0;  // first child in Program::kids
  uint32_t count = 0;  // number of children
  uint32_t slot = 0;   // output column (computed nodes)
  uint32_t sel = 0;    // first selection buffer (AND, OR, CASE, COALESCE)
  uint32_t pos = 0;    // byte offset of the node in the text, for messages
  uint32_t field = 0;  // kField
  uint32_t extra = 0;  // kLike: likes index + 1; kRegexp*: regexes index + 1
  uint32_t depth = 1;  // longest path to a leaf
  Value constant;      // kLiteral
};

// A LIKE pattern known at compile time, reduced to the cheapest test.
struct LikePlan {
  enum class Kind : uint8_t { kExact, kPrefix, kSuffix, kContains, kGeneral };
  Kind kind = Kind::kGeneral;
  std::string_view literal;  // the pattern without its % (kExact..kContains), unescaped
  std::string_view pattern;  // the whole pattern (kGeneral)
  int escape = -1;           // the escape byte, or -1
  bool per_row = false;      // the pattern is not constant: kGeneral on each row's pattern
};

struct Program {
  std::string text;
  SourcePos origin;
  size_t n_fields = 0;
  std::vector<std::string> field_names;
  std::vector<Node> nodes;
  std::vector<uint32_t> kids;
  std::vector<LikePlan> likes;
  std::vector<std::shared_ptr<const re2::RE2>> regexes;  // constant patterns, compiled once
  uint32_t root = 0;
  // The root's AND chain flattened (the root alone when it is not an AND): a filter narrows its
  // rows condition by condition.
  std::vector<uint32_t> conjuncts;
  uint32_t n_slots = 0;
  uint32_t n_sels = 0;
  uint32_t max_kids = 0;
  Arena constants;  // strings of literals and folded values

  const Node& node(uint32_t id) const { return nodes[id]; }
  uint32_t kid(const Node& n, uint32_t i) const { return kids[n.first + i]; }
  // "line L, column C" of a byte offset in text.
  std::string where(uint32_t offset) const;
};

// Number of selection buffers a node needs for lazy evaluation.
uint32_t sel_buffers(Op op);
bool is_leaf(Op op);

// A column of values: computed (stride 1), a field of the rows (stride = values per row) or a
// constant (stride 0).
struct View {
  const Value* p;
  size_t stride;
  Value operator[](size_t r) const { return p[r * stride]; }
};

// Runs a program over one chunk of rows. Holds pointers only: the memory belongs to the caller
// (Expression's scratch space, or a few locals when folding constants at compile time).
class Evaluator {
 public:
  Evaluator(const Program& prog, Value* columns, uint16_t* sels, View* views, size_t col_stride,
            int32_t* err_node, Value* err_value)
      : prog_(prog),
        columns_(columns),
        sels_(sels),
        views_(views),
        col_stride_(col_stride),
        err_node_(err_node),
        err_value_(err_value) {}

  // Rows of this chunk (values per row = row_stride, or prog.n_fields when 0) and the arena for
  // string results.
  void bind(const Value* rows, Arena* arena, size_t row_stride = 0) {
    rows_ = rows;
    arena_ = arena;
    row_stride_ = row_stride != 0 ? row_stride : prog_.n_fields;
  }
  // Evaluates node `id` for the rows sel[0..n) of the chunk.
  void run(uint32_t id, const uint16_t* sel, size_t n);
  View view(uint32_t id) const {
    const Node& nd = prog_.nodes[id];
    if (nd.op == Op::kLiteral) return {&nd.constant, 0};
    if (nd.op == Op::kField) return {rows_ + nd.field, row_stride_};
    return {columns_ + nd.slot * col_stride_, 1};
  }
  bool any_error() const { return any_error_; }
  void clear_errors() { any_error_ = false; }

 private:
  Value* out(const Node& nd) { return columns_ + nd.slot * col_stride_; }
  uint16_t* sel_buffer(const Node& nd, uint32_t i) { return sels_ + (nd.sel + i) * col_stride_; }
  void fail(uint32_t node, size_t r, Value input) {
    if (err_node_[r] < 0) {
      err_node_[r] = static_cast<int32_t>(node);
      err_value_[r] = input;
    }
    any_error_ = true;
  }
  void run_strict_kids(const Node& nd, const uint16_t* sel, size_t n) {
    for (uint32_t i = 0; i < nd.count; ++i) run(prog_.kid(nd, i), sel, n);
  }
  template <bool is_and>
  void run_and_or(const Node& nd, const uint16_t* sel, size_t n);
  void run_case(const Node& nd, const uint16_t* sel, size_t n);
  void run_coalesce(const Node& nd, const uint16_t* sel, size_t n);
  void run_cast(uint32_t id, const Node& nd, const uint16_t* sel, size_t n);
  void run_compare(const Node& nd, const uint16_t* sel, size_t n);
  void run_in(const Node& nd, const uint16_t* sel, size_t n);
  void run_like(const Node& nd, const uint16_t* sel, size_t n);
  void run_math(const Node& nd, const uint16_t* sel, size_t n);
  void run_string(const Node& nd, const uint16_t* sel, size_t n);
  void run_regexp(const Node& nd, const uint16_t* sel, size_t n);
  void run_time(const Node& nd, const uint16_t* sel, size_t n);

  const Program& prog_;
  Value* columns_;
  uint16_t* sels_;
  View* views_;
  size_t col_stride_;
  int32_t* err_node_;
  Value* err_value_;
  const Value* rows_ = nullptr;
  size_t row_stride_ = 0;
  Arena* arena_ = nullptr;
  bool any_error_ = false;
};

// The message of a failed CAST of `input` to `target`, without position.
std::string cast_error_message(Value input, Type target);

// Compiles `text`; see Expression::compile.
Result<Program*> compile_program(std::string_view text, const Schema& schema, SourcePos origin);

// The tree in prefix form (Expression::explain).
std::string explain(const Program& prog, uint32_t id);

// ---- Pure helpers shared by the compiler (constant checks) and the evaluator.

// Flink-compatible conversions; nullopt when the text is not a value of the type.
std::optional<int64_t> parse_bigint(std::string_view s);
std::optional<double> parse_double(std::string_view s);
std::optional<bool> parse_boolean(std::string_view s);

// Number of UTF-8 characters (bytes that do not continue a sequence).
size_t utf8_length(std::string_view s);
// Byte offset of the character `chars` characters into s (s.size() when past the end).
size_t utf8_advance(std::string_view s, size_t from, uint64_t chars);
// SUBSTRING(s, pos, len) as Flink: 1-based, pos 0 is 1, negative pos counts from the end.
// REQUIRES: len >= 0.
std::string_view substring(std::string_view s, int64_t pos, int64_t len);
// LOCATE(needle, s, from): 1-based character position of needle at or after character `from`, 0
// when absent.
int64_t locate(std::string_view needle, std::string_view s, int64_t from);
std::string_view trim(std::string_view s, std::string_view chars, TrimMode mode);
// SQL LIKE with % and _ (one character); `escape` is a byte or -1.
bool like_match(std::string_view text, std::string_view pattern, int escape);
// Plans a constant pattern. Returns an error message when the pattern ends with the escape.
std::optional<std::string> plan_like(std::string_view pattern, int escape, Arena& arena,
                                     LikePlan* plan);

// Regular expressions of REGEXP, REGEXP_EXTRACT and REGEXP_REPLACE: RE2 syntax (Java's without
// lookaround and backreferences), UTF-8. nullptr when `pattern` is not one, with the reason in
// *error.
std::shared_ptr<const re2::RE2> compile_regex(std::string_view pattern, std::string* error);
int regex_groups(const re2::RE2& re);
// REGEXP: a match anywhere in s (Flink: an empty pattern matches nothing).
bool regex_find(const re2::RE2& re, std::string_view s);
// REGEXP_EXTRACT: group `group` (0: the whole match) of the first match; nullopt when there is
// no match, the group is out of range or took no part in the match.
std::optional<std::string_view> regex_extract(const re2::RE2& re, std::string_view s,
                                              int64_t group);
// REGEXP_REPLACE: each match replaced by `replacement`, taken literally, as Java's
// String.replaceAll with a quoted replacement (empty matches included: 'abc' with 'x*' and '-'
// gives '-a-b-c-'). The result is in the arena, or s itself when nothing matched.
std::string_view regex_replace(const re2::RE2& re, std::string_view s, std::string_view replacement,
                               Arena& arena);
// SPLIT_INDEX(s, delimiter, index) as Flink (commons-lang's
// splitByWholeSeparatorPreserveAllTokens): fields between whole delimiters, empty ones kept; an
// empty s has no field; an empty delimiter splits at each whitespace character. nullopt when
// index is negative or past the last field.
std::optional<std::string_view> split_index(std::string_view s, std::string_view delimiter,
                                            int64_t index);

// ROUND half away from zero at `digits` decimal digits, on the shortest decimal form of x (as
// Flink's BigDecimal.valueOf(x) with HALF_UP).
double round_double(double x, int64_t digits);
// The same through the shortest decimal form of x (slow; round_double's reference).
double round_double_decimal(double x, int64_t digits);
int64_t round_bigint(int64_t x, int64_t digits);

// Epoch milliseconds of an ISO-8601 date or timestamp (UTC unless it names an offset).
std::optional<int64_t> parse_timestamp(std::string_view s);
struct CivilTime {
  int64_t year;
  int month, day, hour, minute, second, millisecond;
  int day_of_week;  // 1 = Sunday .. 7 = Saturday
  int day_of_year;  // 1..366
};
CivilTime civil_time(int64_t epoch_ms);
int64_t time_part(int64_t epoch_ms, TimePart part);
// Checks a DATE_FORMAT pattern; the message says what is wrong.
std::optional<std::string> check_date_format(std::string_view pattern);
// Formats epoch_ms in UTC with a Java-style pattern. Returns false when the pattern is invalid.
bool date_format(int64_t epoch_ms, std::string_view pattern, Arena& arena, std::string_view* out);

}  // namespace rivulet::stream::internal
