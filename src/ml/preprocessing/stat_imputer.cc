#include "rivulet/ml/preprocessing/stat_imputer.h"

#include <string>

namespace rivulet::ml {

Result<std::unique_ptr<StatImputer>> StatImputer::create(const Options&) {
  return std::make_unique<StatImputer>();
}

Result<std::unique_ptr<StatImputer>> StatImputer::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void StatImputer::attach(const ModelContext& context) {
  Transformer::attach(context);
  kind_.clear();
}

bool StatImputer::is_numeric(FeatureIndex i) {
  ensure_index(kind_, i, uint8_t{kUnknown});
  if (kind_[i] == kUnknown) {
    const bool one_hot = context_.space != nullptr && i < context_.space->size() &&
                         context_.space->name(i).find('=') != std::string::npos;
    kind_[i] = one_hot ? kOneHot : kNumeric;
  }
  return kind_[i] == kNumeric;
}

void StatImputer::learn_one(const Features& x) {
  for (const auto& [i, xi] : x) {
    if (!is_numeric(i)) continue;
    if (i >= counts_.size()) {
      counts_.resize(static_cast<size_t>(i) + 1, 0.0);
      means_.resize(static_cast<size_t>(i) + 1, 0.0);
    }
    if (counts_[i] == 0) known_.push_back(i);
    counts_[i] += 1;
    means_[i] += (xi - means_[i]) / counts_[i];
  }
}

void StatImputer::transform_one(const Features& x, Features& out) const {
  out.clear();
  ++stamp_;
  if (mark_.size() < counts_.size()) mark_.resize(counts_.size(), 0);
  for (const auto& [i, xi] : x) {
    out.push(i, xi);
    if (i < mark_.size()) mark_[i] = stamp_;
  }
  for (FeatureIndex i : known_) {
    if (mark_[i] != stamp_) out.push(i, means_[i]);
  }
}

void StatImputer::load(StateReader& in) {
  in(counts_, means_, known_);
  kind_.clear();
  mark_.clear();
  stamp_ = 0;
}

void StatImputer::describe(Description& out) const {
  for (FeatureIndex i : known_) out.add("mean[" + feature_name(i) + "]", means_[i]);
}

}  // namespace rivulet::ml
