#include "rivulet/ml/tree/nominal_regression_splitter.h"

namespace rivulet::ml {

void NominalRegressionSplitter::update(double category, double y, double w) {
  for (size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i] == category) {
      stats_[i].update(y, w);
      return;
    }
  }
  categories_.push_back(category);
  stats_.emplace_back();
  stats_.back().update(y, w);
}

void NominalRegressionSplitter::load(StateReader& in) {
  in(categories_, stats_);
  if (categories_.size() != stats_.size()) {
    throw cereal::Exception("NominalRegressionSplitter: categories and statistics differ in size");
  }
}

}  // namespace rivulet::ml
