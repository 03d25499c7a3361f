#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

Result<std::unique_ptr<KeyByOperator>> KeyByOperator::create(Options options) {
  if (internal::is_blank(options.key)) {
    return error_at(options.key_pos,
                    "key_by: the key is empty (give a field or an expression, e.g. user_id)");
  }
  if (options.as.empty()) {
    return error_at(options.key_pos, "key_by: 'as' is empty (the key field needs a name)");
  }
  return std::unique_ptr<KeyByOperator>(new KeyByOperator(std::move(options)));
}

Result<SchemaPtr> KeyByOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(Expression key,
                           Expression::compile(options_.key, *input, options_.key_pos));
  const Type type = key.result_type();
  if (type != Type::kString && type != Type::kInt) {
    return error_at(options_.key_pos,
                    fmt::format("key_by: a key must be a string or bigint, got {} (convert it, "
                                "e.g. CAST(x AS string))",
                                type_name(type)));
  }
  std::vector<SchemaField> fields = input->fields();
  n_in_ = fields.size();
  // NULL keys are dead-lettered, so the key field is never NULL.
  SchemaField field{options_.as, type, false};
  if (const auto existing = input->index_of(options_.as)) {
    key_field_ = *existing;
    fields[*existing] = std::move(field);
  } else {
    key_field_ = fields.size();
    fields.push_back(std::move(field));
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  key_.emplace(std::move(key));
  return out_schema_;
}

Status KeyByOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  out_.reset(out_schema_);
  out_.reserve(n);
  if (keys_.size() < n) keys_.resize(n);
  if (error_of_row_.size() < n) error_of_row_.resize(n);
  scratch_.clear();
  errors_.clear();
  key_->eval_batch(batch, keys_, scratch_, &errors_);
  if (!errors_.empty()) {
    std::fill_n(error_of_row_.begin(), n, -1);
    for (size_t i = 0; i < errors_.size(); ++i) {
      error_of_row_[errors_[i].row] = static_cast<int32_t>(i);
    }
  }
  Arena& arena = batch.arena();
  const size_t key_field = *key_field_;
  for (size_t r = 0; r < n; ++r) {
    const Value key = keys_[r];
    if (key.is_null()) {
      if (!errors_.empty() && error_of_row_[r] >= 0) {
        ctx.dead_letter(
            internal::stage_of(*this),
            "computing the key: " + errors_[static_cast<size_t>(error_of_row_[r])].message, batch,
            r);
      } else {
        ctx.dead_letter(internal::stage_of(*this), "key is NULL", batch, r);
      }
      continue;
    }
    Value* dst = internal::append_prefix(out_, batch.row(r), n_in_, batch.event_time(r));
    dst[key_field] = internal::own(key, arena);
  }
  ctx.counts.out += out_.size();
  internal::hand_over(batch, out_);
  return {};
}

std::unique_ptr<Operator> KeyByOperator::clone() const {
  return std::unique_ptr<Operator>(new KeyByOperator(options_));
}

}  // namespace rivulet::stream
