#include <algorithm>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

Result<std::unique_ptr<MapOperator>> MapOperator::create(Options options) {
  if (options.fields.empty()) {
    return Status::invalid_argument(
        "map: 'fields' is empty (give name: expression pairs, e.g. total: price * quantity)");
  }
  for (const MapField& f : options.fields) {
    if (f.name.empty()) return error_at(f.pos, "map: a field name is empty");
    if (internal::is_blank(f.expression)) {
      return error_at(f.pos, fmt::format("map: the expression of '{}' is empty", f.name));
    }
  }
  return std::unique_ptr<MapOperator>(new MapOperator(std::move(options)));
}

Result<SchemaPtr> MapOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  // The output layout is the input's with fields replaced in place and new ones appended, so
  // the schema each expression sees (the fields defined before it) is a prefix of the output
  // rows: expression i is evaluated over the output rows with their full stride.
  std::vector<SchemaField> fields = input->fields();
  n_in_ = fields.size();
  computed_.clear();
  for (const MapField& f : options_.fields) {
    RIVULET_ASSIGN_OR_RETURN(Schema seen, Schema::create(fields));
    RIVULET_ASSIGN_OR_RETURN(Expression expression, Expression::compile(f.expression, seen, f.pos));
    const Type type = expression.result_type();
    if (type == Type::kNull) {
      return error_at(f.pos, fmt::format("map: the value of '{}' is NULL of no type (give it "
                                         "one, e.g. CAST(NULL AS bigint))",
                                         f.name));
    }
    SchemaField field{f.name, type, expression.nullable()};
    const auto existing = seen.index_of(f.name);
    size_t index = fields.size();
    if (existing) {
      index = *existing;
      fields[index] = std::move(field);
    } else {
      fields.push_back(std::move(field));
    }
    computed_.push_back({std::move(expression), index});
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

Status MapOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  out_.reset(out_schema_);
  out_.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    internal::append_prefix(out_, batch.row(r), n_in_, batch.event_time(r));
  }
  if (results_.size() < n) results_.resize(n);
  if (keep_.size() < n) keep_.resize(n);
  std::fill_n(keep_.begin(), n, uint8_t{1});
  const size_t width = out_schema_->size();
  // Strings computed go to the output's arena (the input's, handed over below); results that
  // point into the expressions' constants or the scratch arena are copied there.
  Arena& arena = batch.arena();
  failures_.clear();
  for (Computed& c : computed_) {
    scratch_.clear();
    errors_.clear();
    c.expression.eval_rows_strided(out_.values().data(), n, width, results_.data(), scratch_,
                                   &errors_);
    for (const EvalError& error : errors_) {
      if (!keep_[error.row]) continue;  // already failed on an earlier field
      keep_[error.row] = 0;
      failures_.emplace_back(
          error.row,
          fmt::format("computing '{}': {}", out_schema_->field(c.field).name, error.message));
    }
    const size_t field = c.field;
    for (size_t r = 0; r < n; ++r) out_.mutable_row(r)[field] = internal::own(results_[r], arena);
  }
  if (!failures_.empty()) {
    std::sort(failures_.begin(), failures_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [row, reason] : failures_) {
      ctx.dead_letter(internal::stage_of(*this), reason, batch, row);
    }
    out_.retain({keep_.data(), n});
  }
  ctx.counts.out += out_.size();
  internal::hand_over(batch, out_);
  return {};
}

std::unique_ptr<Operator> MapOperator::clone() const {
  return std::unique_ptr<Operator>(new MapOperator(options_));
}

}  // namespace rivulet::stream
