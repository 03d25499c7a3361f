#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

Result<std::unique_ptr<FilterOperator>> FilterOperator::create(Options options) {
  if (internal::is_blank(options.condition)) {
    return error_at(options.condition_pos,
                    "filter: the condition is empty (write a boolean expression, e.g. "
                    "amount > 0 AND country <> 'XX')");
  }
  return std::unique_ptr<FilterOperator>(new FilterOperator(std::move(options)));
}

Result<SchemaPtr> FilterOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(
      Expression condition,
      Expression::compile_predicate(options_.condition, *input, options_.condition_pos));
  condition_.emplace(std::move(condition));
  return input;
}

Status FilterOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  if (n == 0) return {};
  if (mask_.size() < n) mask_.resize(n);
  errors_.clear();
  const size_t kept = condition_->filter_batch(batch, mask_, &errors_);
  // Rows whose condition failed to evaluate (a CAST) are not false: they go to the dead letters.
  for (const EvalError& error : errors_) {
    ctx.dead_letter(internal::stage_of(*this), error.message, batch, error.row);
  }
  ctx.counts.out += kept;
  ctx.counts.filtered += n - kept - errors_.size();
  if (kept != n) batch.retain({mask_.data(), n});
  return {};
}

std::unique_ptr<Operator> FilterOperator::clone() const {
  return std::unique_ptr<Operator>(new FilterOperator(options_));
}

}  // namespace rivulet::stream
