#pragma once
/// The record-level steps of a pipeline, as `stream::Operator`s: `filter`, `map`, `select`,
/// `drop`, `key_by`, `flat_map` (explode) and `validate`. None keeps state between batches.
///
/// Each kind has a plain `Options` struct (what a pipeline file says), `create(Options)` that
/// checks what can be checked without a schema (an error names the option), and `open(schema)`
/// that resolves everything against the input schema once: field names to indices (an unknown
/// name gets "did you mean" suggestions), expressions compiled (docs/expressions.md), the output
/// schema built. Errors carry the pipeline file's line and column through the `SourcePos` given
/// with each expression or field name: "line 12, column 18: unknown field 'amout' (did you mean
/// 'amount'?)".
///
/// Per batch: no name lookup and, once the buffers have grown, no allocation (except a
/// `validate` pattern, which runs std::regex, and dead letters). Rows an operator cannot process
/// go to the dead letters with the reason; rows dropped on purpose count as filtered, so that
/// `in + added = out + filtered + dead` for every operator.
///
/// Steps that change the schema (map, select, drop, key_by, flat_map) build their output in a
/// batch of their own and swap it into the caller's batch, keeping the received batch (and its
/// buffers) for the next call. The output batch takes the input batch's arena, so strings of the
/// input rows are passed on without a copy.
/// Thread safety: an operator instance is driven by one thread at a time; `clone` gives another.
/// ```cpp example
/// using rivulet::Value;
/// namespace stream = rivulet::stream;
/// auto schema = std::make_shared<const rivulet::Schema>(
///     *rivulet::Schema::create({{"amount", rivulet::Type::kDouble},
///                               {"country", rivulet::Type::kString}}));
/// auto filter = stream::FilterOperator::create({.condition = "amount > 0 AND country <> 'XX'"});
/// ASSERT_TRUE(filter.ok()) << filter.status().message();
/// stream::OpenContext open_ctx;
/// auto out_schema = (*filter)->open(schema, open_ctx);
/// ASSERT_TRUE(out_schema.ok()) << out_schema.status().message();
///
/// stream::Batch batch(schema);
/// for (double amount : {12.5, -1.0, 7.0}) {
///   const size_t r = batch.add_row();
///   batch.set(r, 0, Value::of_double(amount));
///   batch.set_string(r, 1, amount == 7.0 ? "XX" : "FR");
/// }
/// stream::CollectingDeadLetters dead;
/// stream::OperatorContext ctx(dead);
/// ASSERT_TRUE((*filter)->process(batch, ctx).ok());
/// ASSERT_EQ(batch.size(), 1u);
/// EXPECT_EQ(batch.get(0, 0), Value::of_double(12.5));
/// EXPECT_EQ(ctx.counts.filtered, 2u);
/// ```

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/core/value.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/expression.h"
#include "rivulet/stream/operator.h"
#include "rivulet/stream/source_pos.h"

namespace rivulet::stream {

/// A field named in a step's options, with where its name is written (for errors).
struct FieldRef {
  std::string name{};  ///< the field's name. REQUIRES: not empty.
  SourcePos pos{};     ///< where the name is written in the pipeline file
};

/// The names of `refs`, in order (what grouping_fields() reports).
inline std::vector<std::string> names_of(const std::vector<FieldRef>& refs) {
  std::vector<std::string> out;
  out.reserve(refs.size());
  for (const FieldRef& f : refs) out.push_back(f.name);
  return out;
}

// ---------------------------------------------------------------------------------------------

/// `filter` (Flink SQL WHERE, Spark `filter`/`where`): keeps the rows whose condition is TRUE.
/// NULL and FALSE drop the row (counted as filtered); a row whose evaluation fails (a CAST that
/// cannot convert its value) goes to the dead letters with the error, not filtered. The
/// conditions of a top-level AND are applied one after the other (put cheap, selective ones
/// first). Works in place; the schema is unchanged.
class FilterOperator final : public Operator {
 public:
  struct Options {
    std::string condition{};    ///< a boolean expression. REQUIRES: not empty.
    SourcePos condition_pos{};  ///< where the condition starts in the pipeline file
  };
  /// Returns kInvalidArgument when the condition is empty.
  static Result<std::unique_ptr<FilterOperator>> create(Options options);

  std::string_view kind() const override { return "filter"; }
  /// Errors: the condition does not compile against `input` or is not boolean.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }

 private:
  explicit FilterOperator(Options options) : options_(std::move(options)) {}
  Options options_;
  std::optional<Expression> condition_;
  std::vector<uint8_t> mask_;
  std::vector<EvalError> errors_;
};

// ---------------------------------------------------------------------------------------------

/// One computed field of a `map`.
struct MapField {
  std::string name{};        ///< the field set. REQUIRES: not empty.
  std::string expression{};  ///< its value. REQUIRES: not empty.
  SourcePos pos{};           ///< where the expression starts in the pipeline file
};

/// `map` (Spark `withColumn`, successively; Flink SQL `SELECT *, expr AS name`): computes fields.
/// Each field replaces the field of the same name (in its position; its type becomes the
/// expression's) or is added at the end. Later expressions see the earlier results. A row whose
/// evaluation fails (a CAST) goes to the dead letters with the error, naming the field.
class MapOperator final : public Operator {
 public:
  struct Options {
    std::vector<MapField> fields{};  ///< in order. REQUIRES: not empty.
  };
  /// Returns kInvalidArgument for no fields, an empty name or an empty expression.
  static Result<std::unique_ptr<MapOperator>> create(Options options);

  std::string_view kind() const override { return "map"; }
  /// Errors: an expression does not compile, or is the untyped NULL literal.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }

 private:
  explicit MapOperator(Options options) : options_(std::move(options)) {}
  struct Computed {
    Expression expression;
    size_t field;  // its position in the output
  };
  Options options_;
  SchemaPtr out_schema_;
  size_t n_in_ = 0;
  std::vector<Computed> computed_;
  Batch out_{std::make_shared<const Schema>()};
  std::vector<Value> results_;
  Arena scratch_;  // strings computed, before they are copied into the output's arena
  std::vector<EvalError> errors_;
  std::vector<uint8_t> keep_;
  std::vector<std::pair<size_t, std::string>> failures_;  // (row, reason) of the rows that failed
};

// ---------------------------------------------------------------------------------------------

/// One field of a `select`: the input field `from` passed on as `name`.
struct SelectField {
  std::string name{};  ///< the output name. REQUIRES: not empty.
  std::string from{};  ///< the input field; empty: the same as `name`
  SourcePos pos{};     ///< where the entry is written in the pipeline file
};

/// `select` (project; Flink SQL `SELECT a, b AS c`, Spark `select` / `withColumnRenamed`):
/// the output has exactly the listed fields, in the listed order, renamed where asked. A field
/// may be listed twice under two names.
class SelectOperator final : public Operator {
 public:
  struct Options {
    std::vector<SelectField> fields{};  ///< REQUIRES: not empty; output names distinct.
  };
  /// Returns kInvalidArgument for no fields, an empty name or a repeated output name.
  static Result<std::unique_ptr<SelectOperator>> create(Options options);

  std::string_view kind() const override { return "select"; }
  /// Errors: a field not in the input (with suggestions).
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }

 private:
  friend class DropOperator;
  explicit SelectOperator(Options options) : options_(std::move(options)) {}
  Options options_;
  SchemaPtr out_schema_;
  std::vector<size_t> sources_;  // per output field, its input index
  Batch out_{std::make_shared<const Schema>()};
};

/// `drop` (Spark `drop`): passes every field but the listed ones, in order.
class DropOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> fields{};  ///< REQUIRES: not empty; distinct.
  };
  /// Returns kInvalidArgument for no fields, an empty name or a repeated name.
  static Result<std::unique_ptr<DropOperator>> create(Options options);

  std::string_view kind() const override { return "drop"; }
  /// Errors: a field not in the input (with suggestions); dropping every field.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }

 private:
  explicit DropOperator(Options options) : options_(std::move(options)) {}
  Options options_;
  std::unique_ptr<SelectOperator> select_;  // the kept fields, built at open
};

// ---------------------------------------------------------------------------------------------

/// `key_by` (Flink `keyBy`, Kafka Streams `selectKey`): computes each row's key, a string or
/// bigint, into the field `as` (added at the end, or replacing a field of that name in place),
/// by which the engine partitions the steps after it. A NULL key sends the row to the dead
/// letters ("key is NULL"), as does a failed evaluation.
class KeyByOperator final : public Operator {
 public:
  struct Options {
    std::string key{};       ///< an expression of type string or bigint. REQUIRES: not empty.
    SourcePos key_pos{};     ///< where the expression starts in the pipeline file
    std::string as = "key";  ///< the key field's name. REQUIRES: not empty.
  };
  /// Returns kInvalidArgument for an empty key or name.
  static Result<std::unique_ptr<KeyByOperator>> create(Options options);

  std::string_view kind() const override { return "key_by"; }
  /// Errors: the expression does not compile or is not a string or bigint.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  std::optional<size_t> partition_key_field() const override { return key_field_; }
  /// The key's index in the output schema. REQUIRES: opened.
  size_t key_field() const { return *key_field_; }
  const Options& options() const { return options_; }

 private:
  explicit KeyByOperator(Options options) : options_(std::move(options)) {}
  Options options_;
  std::optional<Expression> key_;
  SchemaPtr out_schema_;
  std::optional<size_t> key_field_;
  size_t n_in_ = 0;
  Batch out_{std::make_shared<const Schema>()};
  std::vector<Value> keys_;
  Arena scratch_;  // keys computed, before they are copied into the output's arena
  std::vector<EvalError> errors_;
  std::vector<int32_t> error_of_row_;  // index into errors_, or -1
};

// ---------------------------------------------------------------------------------------------

/// `flat_map` (Spark `explode` / `posexplode`, Flink `CROSS JOIN UNNEST`): one output row per
/// element of a JSON array held as text in a string field (the decoder keeps arrays as raw JSON
/// text), the other fields copied. The array field is replaced, in its position, by the element
/// field `as`; with `position`, the element's index (from 0) is added at the end. An empty array
/// or a NULL field emits no row (counted as filtered) unless `outer` (Spark `explode_outer`),
/// which emits one row with a NULL element. A text that is not a JSON array, or an element that
/// is not of `type`, sends the row to the dead letters.
/// Elements convert to `type` when nothing is lost: any JSON value to string (a string as its
/// text, others as their JSON text), a whole number to bigint (2.0 too), any number to double,
/// true/false to boolean; a JSON null is a NULL element.
class FlatMapOperator final : public Operator {
 public:
  struct Options {
    std::string field{};        ///< the string field holding a JSON array. REQUIRES: not empty.
    SourcePos field_pos{};      ///< where the field name is written in the pipeline file
    std::string as{};           ///< the element field's name; empty: `field`'s name
    Type type = Type::kString;  ///< the elements' type. REQUIRES: not kNull.
    std::string position{};     ///< a bigint field for the element's index; empty: none
    bool outer = false;         ///< an empty array or NULL gives one row with a NULL element
  };
  /// Returns kInvalidArgument for an empty field, type null, or position equal to `as`.
  static Result<std::unique_ptr<FlatMapOperator>> create(Options options);

  std::string_view kind() const override { return "flat_map"; }
  /// Errors: the field is unknown or not a string; `as` or `position` names another field.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }
  ~FlatMapOperator() override;

 private:
  struct Parser;
  explicit FlatMapOperator(Options options);
  // Parses `text` into elements_ (strings copied into `arena`); an error message otherwise.
  bool parse(std::string_view text, Arena& arena, std::string& error);
  Options options_;
  SchemaPtr out_schema_;
  size_t field_ = 0;
  std::optional<size_t> position_field_;
  Batch out_{std::make_shared<const Schema>()};
  std::vector<Value> elements_;
  std::string reason_;
  std::unique_ptr<Parser> parser_;
};

// ---------------------------------------------------------------------------------------------

/// The checks of one field in a `validate` step. NULL passes every check but `required`.
struct ValidationRule {
  std::string field{};  ///< REQUIRES: not empty.
  SourcePos pos{};      ///< where the rule is written in the pipeline file
  /// The value must be of this type or convert to it losslessly: a numeric string to a number
  /// ("12" to bigint, "1e3" to double), a whole double to bigint (12.0), a bigint to double
  /// (within 2^53), "true"/"false"/"yes"/"no"/"1"/"0"... to boolean, anything to string.
  std::optional<Type> type{};
  bool required = false;        ///< the value must not be NULL
  std::optional<double> min{};  ///< numbers (or numeric text with a numeric `type`): value >= min
  std::optional<double> max{};  ///< value <= max. REQUIRES: min <= max when both are given.
  /// The value must equal one of these, written as text ("FR", "3", "true"), converted to the
  /// field's type (or `type`) at open.
  std::vector<std::string> allowed{};
  std::optional<uint64_t> min_length{};  ///< strings: at least this many characters (code points)
  std::optional<uint64_t> max_length{};  ///< strings: at most. REQUIRES: >= min_length.
  /// An ECMAScript regular expression (std::regex) found in the string (use ^...$ to match the
  /// whole string); "" for none. REQUIRES: a valid expression.
  std::string pattern{};
};

/// `validate` (schema validation, in the spirit of JSON Schema and Great Expectations): each
/// row passes every rule, in order, or goes to the dead letters with a reason that names the
/// field and the rule: `field 'amount': 12000 is above max 10000`. Passing rows are unchanged.
class ValidateOperator final : public Operator {
 public:
  struct Options {
    std::vector<ValidationRule> rules{};  ///< REQUIRES: not empty; each checks something.
  };
  /// Returns kInvalidArgument for no rules, an empty field name, a rule that checks nothing,
  /// min > max, min_length > max_length, type null, or a pattern that does not compile.
  static Result<std::unique_ptr<ValidateOperator>> create(Options options);

  std::string_view kind() const override { return "validate"; }
  /// Errors: an unknown field; a check that cannot apply to the field's type (min on a string
  /// without a numeric `type`, max_length on a number, a boolean field said to be a bigint); an
  /// allowed value that is not of the field's type.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  std::unique_ptr<Operator> clone() const override;
  const Options& options() const { return options_; }
  ~ValidateOperator() override;

 private:
  struct Check;
  explicit ValidateOperator(Options options);
  // Whether row `r` passes; when not, `reason` says why.
  bool check_row(const Batch& batch, size_t r, std::string& reason);
  Options options_;
  std::vector<Check> checks_;  // per rule, resolved at open
  std::vector<uint8_t> keep_;
  std::string reason_;
};

// ---------------------------------------------------------------------------------------------

/// `dedup` (Flink SQL's deduplication, `ROW_NUMBER() OVER (PARTITION BY key ORDER BY time) = 1`,
/// with a time range): keeps the first row of each key and drops the rows of the same key whose
/// event time is less than `within_ms` after the kept one's (counted as filtered); a row at least
/// `within_ms` later is kept and starts a new range. The key is the listed fields' values
/// together (NULL is a value like any other). A key's state is dropped once the watermark has
/// passed its range, so memory follows the keys active within `within_ms`. State snapshots and
/// restores. Rows keep their order; the schema is unchanged. With `parallelism`, it goes before
/// the key_by, or after one whose key is a key field (it needs every row of its keys).
class DedupOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> key;  ///< the fields that identify a duplicate. REQUIRES: not empty.
    int64_t within_ms = 0;      ///< the time range (event time). REQUIRES: > 0.
    SourcePos pos;              ///< where the step is written in the pipeline file
  };
  static Result<std::unique_ptr<DedupOperator>> create(Options options);

  std::string_view kind() const override { return "dedup"; }
  /// Errors: a key field not in the input (with suggestions).
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  /// The keys whose value of the key field `keep` accepts.
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const PartitionFilter& keep) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  const Options& options() const { return options_; }
  /// Keys held (for tests and stats).
  size_t keys_held() const { return kept_.size(); }
  /// A duplicate can be any earlier row of its key: the step sees every row, before any key_by,
  /// or after one whose key is a key field.
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override { return names_of(options_.key); }

 private:
  explicit DedupOperator(Options options) : options_(std::move(options)) {}
  // The key of row r, as bytes (type tag and value of each key field).
  void key_of(const Batch& batch, size_t r);
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Options options_;
  std::vector<size_t> fields_;
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> kept_;  // key -> kept time
  std::string key_;
  std::vector<uint8_t> keep_;
};

}  // namespace rivulet::stream
