// select (project and rename) and drop.

#include <set>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

Result<std::unique_ptr<SelectOperator>> SelectOperator::create(Options options) {
  if (options.fields.empty()) {
    return Status::invalid_argument("select: 'fields' is empty (list the fields to keep)");
  }
  std::set<std::string_view> names;
  for (const SelectField& f : options.fields) {
    if (f.name.empty()) return error_at(f.pos, "select: a field name is empty");
    if (!names.insert(f.name).second) {
      return error_at(f.pos, fmt::format("select: the output field '{}' is listed twice "
                                         "(rename one, e.g. '{}_2: {}')",
                                         f.name, f.name, f.from.empty() ? f.name : f.from));
    }
  }
  return std::unique_ptr<SelectOperator>(new SelectOperator(std::move(options)));
}

Result<SchemaPtr> SelectOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  std::vector<SchemaField> fields;
  sources_.clear();
  for (const SelectField& f : options_.fields) {
    const std::string& from = f.from.empty() ? f.name : f.from;
    const auto index = input->index_of(from);
    if (!index) return error_at(f.pos, input->unknown_field_message(from));
    SchemaField field = input->field(*index);
    field.name = f.name;
    fields.push_back(std::move(field));
    sources_.push_back(*index);
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

Status SelectOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  ctx.counts.out += n;
  out_.reset(out_schema_);
  out_.reserve(n);
  const size_t width = sources_.size();
  const size_t* sources = sources_.data();
  for (size_t r = 0; r < n; ++r) {
    const size_t o = out_.add_row(batch.event_time(r));
    const Value* src = batch.row(r);
    Value* dst = out_.mutable_row(o);
    for (size_t k = 0; k < width; ++k) dst[k] = src[sources[k]];
  }
  internal::hand_over(batch, out_);
  return {};
}

std::unique_ptr<Operator> SelectOperator::clone() const {
  return std::unique_ptr<Operator>(new SelectOperator(options_));
}

Result<std::unique_ptr<DropOperator>> DropOperator::create(Options options) {
  if (options.fields.empty()) {
    return Status::invalid_argument("drop: 'fields' is empty (list the fields to remove)");
  }
  std::set<std::string_view> names;
  for (const FieldRef& f : options.fields) {
    if (f.name.empty()) return error_at(f.pos, "drop: a field name is empty");
    if (!names.insert(f.name).second) {
      return error_at(f.pos, fmt::format("drop: the field '{}' is listed twice", f.name));
    }
  }
  return std::unique_ptr<DropOperator>(new DropOperator(std::move(options)));
}

Result<SchemaPtr> DropOperator::open(SchemaPtr input, OpenContext& ctx) {
  std::vector<uint8_t> dropped(input->size(), 0);
  for (const FieldRef& f : options_.fields) {
    const auto index = input->index_of(f.name);
    if (!index) return error_at(f.pos, input->unknown_field_message(f.name));
    dropped[*index] = 1;
  }
  SelectOperator::Options kept;
  for (size_t i = 0; i < input->size(); ++i) {
    if (!dropped[i]) kept.fields.push_back({.name = input->field(i).name, .from = {}, .pos = {}});
  }
  if (kept.fields.empty()) {
    return error_at(options_.fields.front().pos,
                    "drop: every field would be dropped (a record needs at least one field)");
  }
  select_.reset(new SelectOperator(std::move(kept)));
  return select_->open(std::move(input), ctx);
}

Status DropOperator::process(Batch& batch, OperatorContext& ctx) {
  return select_->process(batch, ctx);
}

std::unique_ptr<Operator> DropOperator::clone() const {
  return std::unique_ptr<Operator>(new DropOperator(options_));
}

}  // namespace rivulet::stream
