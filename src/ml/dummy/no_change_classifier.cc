#include "rivulet/ml/dummy/no_change_classifier.h"

#include <algorithm>

namespace rivulet::ml {

Result<std::unique_ptr<NoChangeClassifier>> NoChangeClassifier::create(const Options&) {
  return std::make_unique<NoChangeClassifier>();
}

Result<std::unique_ptr<NoChangeClassifier>> NoChangeClassifier::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void NoChangeClassifier::learn_one(const Features&, ClassId y) { last_ = y; }

bool NoChangeClassifier::predict_proba_one(const Features&, std::vector<double>& proba) const {
  const size_t known = context_.labels != nullptr ? context_.labels->size() : 0;
  proba.assign(last_ == kNoClass ? known : std::max<size_t>(known, last_ + 1), 0.0);
  if (last_ == kNoClass) return false;
  proba[last_] = 1.0;
  return true;
}

std::optional<ClassId> NoChangeClassifier::predict_one(const Features&,
                                                       std::vector<double>&) const {
  if (last_ == kNoClass) return std::nullopt;
  return last_;
}

void NoChangeClassifier::describe(Description& out) const {
  if (last_ == kNoClass) {
    out.add("last_class", "none");
    return;
  }
  out.add("last_class", context_.labels != nullptr && last_ < context_.labels->size()
                            ? context_.labels->name(last_)
                            : std::to_string(last_));
}

}  // namespace rivulet::ml
