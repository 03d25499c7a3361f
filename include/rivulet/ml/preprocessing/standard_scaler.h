#pragma once
/// Scales each feature to zero mean and unit variance with running (Welford) statistics, River's
/// `preprocessing.StandardScaler`. A feature whose variance is still 0 scales to 0.
/// Thread safety: none.
/// ```cpp example
/// auto scaler = rivulet::ml::StandardScaler::create({}).value();
/// for (double v : {1.0, 2.0, 3.0}) scaler->learn_one(rivulet::Features{{0, v}});
/// rivulet::Features out;
/// scaler->transform_one(rivulet::Features{{0, 3.0}}, out);
/// EXPECT_NEAR(out[0].value, 1.224744871391589, 1e-12);  // (3 - 2) / sqrt(2/3)
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class StandardScaler final : public Transformer {
 public:
  struct Options {
    bool with_std = true;  ///< Divide by the standard deviation (else only center).
  };
  static Result<std::unique_ptr<StandardScaler>> create(const Options& options);
  static Result<std::unique_ptr<StandardScaler>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.StandardScaler"; }
  void learn_one(const Features& x) override;
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter& out) const override { out(counts_, means_, vars_); }
  void load(StateReader& in) override { in(counts_, means_, vars_); }
  void describe(Description& out) const override;

  explicit StandardScaler(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> counts_;
  std::vector<double> means_;
  std::vector<double> vars_;
};

}  // namespace rivulet::ml
