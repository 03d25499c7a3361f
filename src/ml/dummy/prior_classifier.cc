#include "rivulet/ml/dummy/prior_classifier.h"

#include <algorithm>

namespace rivulet::ml {

Result<std::unique_ptr<PriorClassifier>> PriorClassifier::create(const Options&) {
  return std::make_unique<PriorClassifier>();
}

Result<std::unique_ptr<PriorClassifier>> PriorClassifier::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void PriorClassifier::learn_one(const Features&, ClassId y) {
  if (y >= counts_.size()) counts_.resize(static_cast<size_t>(y) + 1, 0.0);
  if (counts_[y] == 0) class_order_.push_back(y);
  counts_[y] += 1;
  n_ += 1;
}

bool PriorClassifier::predict_proba_one(const Features&, std::vector<double>& proba) const {
  const size_t known = context_.labels != nullptr ? context_.labels->size() : 0;
  proba.assign(std::max(known, counts_.size()), 0.0);
  if (n_ == 0) return false;
  for (ClassId c : class_order_) proba[c] = counts_[c] / n_;
  return true;
}

std::optional<ClassId> PriorClassifier::predict_one(const Features&, std::vector<double>&) const {
  if (n_ == 0) return std::nullopt;
  ClassId best = class_order_.front();
  for (ClassId c : class_order_) {
    if (counts_[c] > counts_[best]) best = c;
  }
  return best;
}

void PriorClassifier::describe(Description& out) const {
  for (ClassId c : class_order_) {
    const std::string label = context_.labels != nullptr && c < context_.labels->size()
                                  ? context_.labels->name(c)
                                  : std::to_string(c);
    out.add("count[" + label + "]", counts_[c]);
  }
}

}  // namespace rivulet::ml
