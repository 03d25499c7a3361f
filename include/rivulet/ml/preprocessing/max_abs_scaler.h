#pragma once
/// Scales each feature to [-1, 1] by its running largest absolute value, River's
/// `preprocessing.MaxAbsScaler`: x -> x / max|x|. It neither shifts nor centers, so zeros stay
/// zeros. A feature whose largest absolute value is still 0, or that was never learned, scales
/// to 0 (River's safe division by its initial 0).
/// Thread safety: none.
/// ```cpp example
/// auto scaler = rivulet::ml::MaxAbsScaler::create({}).value();
/// rivulet::Features out;
/// for (double v : {-4.0, 2.0}) {
///   scaler->learn_one(rivulet::Features{{0, v}});
///   scaler->transform_one(rivulet::Features{{0, v}}, out);
/// }
/// EXPECT_EQ(out[0].value, 0.5);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MaxAbsScaler final : public Transformer {
 public:
  struct Options {};
  static Result<std::unique_ptr<MaxAbsScaler>> create(const Options& options);
  static Result<std::unique_ptr<MaxAbsScaler>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.MaxAbsScaler"; }
  void learn_one(const Features& x) override;
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter& out) const override { out(abs_max_); }
  void load(StateReader& in) override { in(abs_max_); }
  void describe(Description& out) const override;

  MaxAbsScaler() = default;

 private:
  std::vector<double> abs_max_;
};

}  // namespace rivulet::ml
