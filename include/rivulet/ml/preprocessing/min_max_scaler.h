#pragma once
/// Scales each feature to [0, 1] with its running min and max, River's
/// `preprocessing.MinMaxScaler`: x -> (x - min) / (max - min). While a feature's range is 0 (one
/// distinct value learned so far) it scales to 0, as River's safe division does. A feature the
/// scaler never learned also scales to 0; River would give NaN there (-inf / -inf from its
/// initial min = +inf and max = -inf), which would poison every later step. In a pipeline the
/// scaler learns x before transforming it on prediction, so this only shows in direct calls.
/// Values outside the learned range map outside [0, 1].
/// Thread safety: none.
/// ```cpp example
/// auto scaler = rivulet::ml::MinMaxScaler::create({}).value();
/// rivulet::Features out;
/// for (double v : {10.0, 8.0, 9.0}) {
///   scaler->learn_one(rivulet::Features{{0, v}});
///   scaler->transform_one(rivulet::Features{{0, v}}, out);
/// }
/// EXPECT_EQ(out[0].value, 0.5);  // (9 - 8) / (10 - 8)
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MinMaxScaler final : public Transformer {
 public:
  struct Options {};
  static Result<std::unique_ptr<MinMaxScaler>> create(const Options& options);
  static Result<std::unique_ptr<MinMaxScaler>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.MinMaxScaler"; }
  void learn_one(const Features& x) override;
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter& out) const override { out(min_, max_); }
  void load(StateReader& in) override { in(min_, max_); }
  void describe(Description& out) const override;

  MinMaxScaler() = default;

 private:
  std::vector<double> min_;  // +inf until learned
  std::vector<double> max_;  // -inf until learned
};

}  // namespace rivulet::ml
