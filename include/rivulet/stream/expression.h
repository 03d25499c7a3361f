#pragma once
/// The expression language of `filter` and `map` steps: SQL expressions as Flink SQL users write
/// them (`amount > 100 AND country IN ('FR', 'DE')`, `CASE WHEN ... END`, `LOWER(name)`, ...),
/// documented for users in docs/expressions.md.
///
/// An expression is compiled once against a schema: field names are resolved to indices, types
/// are checked (`'a' + 1` is an error), constant parts are folded, and errors name the line and
/// column (`line 12, column 18: unknown field 'amout' (did you mean 'amount'?)`). Evaluation then
/// runs over rows of values: a typed tree walked once per chunk of up to 256 rows (one dispatch per
/// node per chunk, a tight loop per node), with selection vectors so that AND, OR, CASE, IF and
/// COALESCE evaluate their later operands only on the rows that need them. No allocation, name
/// lookup or virtual call happens per row; string results are written to an arena.
///
/// Semantics in brief: SQL three-valued logic (NULL AND FALSE is FALSE), strict operators and
/// functions return NULL when an operand is NULL, bigint / bigint is integer division (as in
/// Flink), division or modulo by zero is NULL, bigint arithmetic wraps around on overflow (as
/// Java's long in Flink), doubles follow IEEE (NaN and infinities propagate). A CAST that fails
/// at run time (CAST('abc' AS bigint)) is a row error, reported with the row (a pipeline sends
/// the record to its dead letters); TRY_CAST gives NULL instead.
///
/// Ownership: an Expression owns its compiled program (shared, immutable) and its evaluation
/// scratch space (its own). Copying an expression is cheap and gives an independent evaluator.
/// Thread safety: evaluation mutates the scratch space: one Expression per thread (copy it).
/// ```cpp example
/// using rivulet::Value;
/// auto schema = rivulet::Schema::create({{"amount", rivulet::Type::kDouble},
///                                        {"country", rivulet::Type::kString}});
/// auto expr = rivulet::stream::Expression::compile(
///     "CASE WHEN amount > 1000 THEN 'high' ELSE 'low' END", *schema);
/// ASSERT_TRUE(expr.ok()) << expr.status().message();
/// EXPECT_EQ(expr->result_type(), rivulet::Type::kString);
/// rivulet::stream::Arena arena;
/// const Value row[] = {Value::of_double(1500.0), Value::of_string("FR")};
/// EXPECT_EQ(expr->eval(row, arena), Value::of_string("high"));
///
/// auto bad = rivulet::stream::Expression::compile("amout > 1", *schema, {.line = 12});
/// EXPECT_EQ(bad.status().message(),
///           "line 12, column 1: unknown field 'amout' (did you mean 'amount'?)");
/// ```

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/status.h"
#include "rivulet/core/value.h"
#include "rivulet/stream/arena.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/source_pos.h"

namespace rivulet::stream {

namespace internal {
struct Program;
}

struct EvalError;

class Expression {
 public:
  /// Deepest nesting of parentheses, function calls and prefix operators the parser accepts.
  static constexpr size_t kMaxNesting = 200;
  /// Deepest tree (after constant folding) the evaluator accepts; long chains such as
  /// `a + b + c + ...` count one level per operator.
  static constexpr size_t kMaxDepth = 1000;
  /// Longest expression text accepted, in bytes.
  static constexpr size_t kMaxLength = 1 << 20;

  /// Compiles `text` against `schema`. `origin` is where the text starts in its file; error
  /// positions are reported relative to it. Returns kInvalidArgument with
  /// "line L, column C: <what is wrong and what would be valid>" for a syntax error, an unknown
  /// field or function, a type error, or a constant CAST that always fails.
  static Result<Expression> compile(std::string_view text, const Schema& schema,
                                    SourcePos origin = {});

  /// As compile(), and the result must be boolean (or the NULL literal): the condition of a
  /// filter. Otherwise kInvalidArgument "line L, column C: a filter condition must be boolean,
  /// got bigint ...".
  static Result<Expression> compile_predicate(std::string_view text, const Schema& schema,
                                              SourcePos origin = {});

  Expression(const Expression& other);
  Expression& operator=(const Expression& other);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  /// The type of the result (kNull only for an expression that is the NULL literal or built of
  /// NULLs alone).
  Type result_type() const;
  /// False when the result can never be NULL (for any input and without row errors).
  bool nullable() const;
  /// True when the expression does not read any field (it was folded to one value).
  bool is_constant() const;
  /// The text compiled.
  std::string_view text() const;
  /// The number of values per row this expression was compiled for (the schema's size).
  size_t n_fields() const;
  /// The indices of the fields read, ascending.
  std::vector<size_t> fields_used() const;
  /// The compiled tree in prefix form, for tests and debugging, e.g.
  /// `(AND (> amount 100.0) (IN country 'FR' 'DE'))`.
  std::string explain() const;

  /// Evaluates one row of n_fields() values. Strings of the result point into `arena`, into
  /// `row`'s strings or into the expression's constants (valid while the expression lives).
  /// On a row error returns NULL and, when `error` is given, fills it (row 0).
  Value eval(const Value* row, Arena& arena, EvalError* error = nullptr);

  /// Evaluates `n_rows` rows stored row by row (n_fields() values each, as in a Batch) into
  /// `out[0..n_rows)`. Strings as in eval(). Row errors are appended to `errors` when given
  /// (their result is NULL). Allocates nothing unless `arena` needs a chunk or a row fails.
  void eval_rows(const Value* rows, size_t n_rows, Value* out, Arena& arena,
                 std::vector<EvalError>* errors = nullptr);
  /// As eval_rows, for rows `row_stride` values apart whose first n_fields() values are the fields
  /// the expression was compiled for: rows of a wider layout that extends its schema, as a `map`
  /// step builds its output while each expression sees the fields added before it.
  /// REQUIRES: row_stride >= n_fields().
  void eval_rows_strided(const Value* rows, size_t n_rows, size_t row_stride, Value* out,
                         Arena& arena, std::vector<EvalError>* errors = nullptr);
  /// eval_rows over a batch. REQUIRES: batch.n_fields() == n_fields(), out.size() >= batch.size().
  void eval_batch(const Batch& batch, std::span<Value> out, Arena& arena,
                  std::vector<EvalError>* errors = nullptr);

  /// The filter form: mask[r] = 1 when row r's result is TRUE, 0 when FALSE, NULL or a row error
  /// (appended to `errors` when given). Returns the number of rows selected. The conditions of a
  /// top-level AND chain are applied one after the other, each on the rows the previous ones
  /// kept: a row leaves at its first condition that is not TRUE, and a CAST in a later condition
  /// is not evaluated (nor reported) for it. Intermediate strings go to the expression's own
  /// arena, cleared at each call.
  size_t filter_rows(const Value* rows, size_t n_rows, uint8_t* mask,
                     std::vector<EvalError>* errors = nullptr);
  /// filter_rows over a batch. REQUIRES: batch.n_fields() == n_fields(), mask.size() >= size.
  size_t filter_batch(const Batch& batch, std::span<uint8_t> mask,
                      std::vector<EvalError>* errors = nullptr);

 private:
  struct Scratch;
  explicit Expression(std::shared_ptr<const internal::Program> program);
  void run_chunk(const Value* rows, size_t n, size_t row_stride, Arena& arena, size_t first_row,
                 std::vector<EvalError>* errors, EvalError* error);
  template <class OnError>
  void report_errors(size_t n, size_t first_row, std::vector<EvalError>* errors, EvalError* error,
                     OnError on_error);

  std::shared_ptr<const internal::Program> program_;
  std::unique_ptr<Scratch> scratch_;
};

/// A row whose evaluation failed (a CAST that cannot convert its value). Its result is NULL (in
/// a filter: not selected).
struct EvalError {
  size_t row = 0;       ///< index of the row in the rows evaluated
  std::string message;  ///< "line 1, column 6: cannot CAST 'abc' AS bigint"
};

}  // namespace rivulet::stream
