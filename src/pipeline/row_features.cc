#include "rivulet/pipeline/row_features.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rivulet::pipeline {

Result<RowFeatures> RowFeatures::create(const Schema& schema, const Options& options) {
  RowFeatures rf;
  auto add = [&rf, &schema](size_t field) {
    Slot slot;
    slot.field = field;
    slot.name = schema.field(field).name;
    slot.prefix = slot.name + "=";
    rf.slots_.push_back(std::move(slot));
    rf.fields_.push_back(field);
  };
  if (!options.fields.empty()) {
    for (const auto& name : options.fields) {
      const auto index = schema.index_of(name);
      if (!index) {
        return Status::invalid_argument(
            fmt::format("features: {}", schema.unknown_field_message(name)));
      }
      if (std::find(rf.fields_.begin(), rf.fields_.end(), *index) != rf.fields_.end()) {
        return Status::invalid_argument(fmt::format("features: '{}' is listed twice", name));
      }
      add(*index);
    }
  } else {
    for (size_t f = 0; f < schema.size(); ++f) {
      const auto& name = schema.field(f).name;
      if (std::find(options.exclude.begin(), options.exclude.end(), name) !=
          options.exclude.end()) {
        continue;
      }
      add(f);
    }
  }
  if (rf.slots_.empty()) {
    return Status::invalid_argument(
        fmt::format("features: no feature field left (fields: {})", schema.to_string()));
  }
  return rf;
}

RowFeatures::Binding RowFeatures::bind(FeatureSpace& space) const {
  Binding b;
  b.space_ = &space;
  b.numeric_.assign(slots_.size(), Binding::kUnbound);
  for (size_t k = 0; k < slots_.size(); ++k) {
    if (auto index = space.find(slots_[k].name)) b.numeric_[k] = *index;
  }
  return b;
}

template <typename Get>
void RowFeatures::extract_impl(Get&& get, Binding& binding, Features& out) {
  out.clear();
  const size_t n = slots_.size();
  FeatureIndex* numeric = binding.numeric_.data();
  for (size_t k = 0; k < n; ++k) {
    const Value v = get(k);
    double x;
    switch (v.type()) {
      case Type::kNull:
        continue;
      case Type::kDouble:
        x = v.as_double();
        if (!std::isfinite(x)) continue;  // as the readers: no learner can use it
        break;
      case Type::kInt:
        x = static_cast<double>(v.as_int());
        break;
      case Type::kBool:
        x = v.as_bool() ? 1.0 : 0.0;
        break;
      case Type::kString: {
        const Slot& slot = slots_[k];
        scratch_.assign(slot.prefix);
        scratch_.append(v.as_string());
        out.push(binding.space_->intern(scratch_), 1.0);
        continue;
      }
      default:
        continue;
    }
    if (numeric[k] == Binding::kUnbound) numeric[k] = binding.space_->intern(slots_[k].name);
    out.push(numeric[k], x);
  }
}

void RowFeatures::extract(const Value* row, Binding& binding, Features& out) {
  const Slot* slots = slots_.data();
  extract_impl([row, slots](size_t k) { return row[slots[k].field]; }, binding, out);
}

void RowFeatures::extract_captured(std::span<const Value> values, Binding& binding, Features& out) {
  extract_impl([values](size_t k) { return values[k]; }, binding, out);
}

void RowFeatures::capture(const Value* row, std::vector<Value>& values, std::string& text) const {
  values.clear();
  text.clear();
  size_t bytes = 0;
  for (const Slot& slot : slots_) {
    const Value v = row[slot.field];
    if (v.type() == Type::kString) bytes += v.as_string().size();
  }
  text.reserve(bytes);  // no reallocation below: the views stay valid
  for (const Slot& slot : slots_) {
    const Value v = row[slot.field];
    if (v.type() != Type::kString) {
      values.push_back(v);
      continue;
    }
    const size_t at = text.size();
    text.append(v.as_string());
    values.push_back(Value::of_string(std::string_view(text).substr(at, v.as_string().size())));
  }
}

std::vector<std::string> RowFeatures::field_names() const {
  std::vector<std::string> names;
  names.reserve(slots_.size());
  for (const auto& s : slots_) names.push_back(s.name);
  return names;
}

}  // namespace rivulet::pipeline
