#pragma once
/// Fills in missing values with a running statistic, River's `preprocessing.StatImputer` with
/// `stats.Mean()` for every numeric feature.
///
/// River replaces a feature whose value is None with the current value of that feature's
/// statistic, updated with every value it learns. In rivulet a missing value is an absent
/// feature, so a sample "lacks" a feature when the imputer has learned a value of it before and
/// the sample does not hold it: transform_one copies x and adds each such feature with its
/// running mean (mean += (x - mean) / n, River's `stats.Mean`). Only numeric features are
/// imputed: a one-hot feature (`city=Paris`, name holding `=`) is absent whenever its column has
/// another value, so it is never "missing" and is neither learned nor added. A feature never
/// learned is not added either, so the output has at most the features seen so far. River's
/// `imputers` list of (feature, statistic) pairs, other statistics and constants are not
/// supported: the imputer takes no parameters.
/// Thread safety: none (transform_one reuses a member buffer).
/// ```cpp example
/// rivulet::FeatureSpace space;
/// auto imputer = rivulet::ml::StatImputer::create({}).value();
/// imputer->attach({&space, nullptr});
/// const auto t = space.intern("temperature");
/// for (double v : {1.0, 8.0, 3.0}) imputer->learn_one(rivulet::Features{{t, v}});
/// rivulet::Features out;
/// imputer->transform_one(rivulet::Features{}, out);  // temperature is missing
/// ASSERT_EQ(out.size(), 1u);
/// EXPECT_EQ(out[0].value, 4.0);
/// ```

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class StatImputer final : public Transformer {
 public:
  struct Options {};
  static Result<std::unique_ptr<StatImputer>> create(const Options& options);
  static Result<std::unique_ptr<StatImputer>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.StatImputer"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x) override;
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter& out) const override { out(counts_, means_, known_); }
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  StatImputer() = default;

 private:
  enum Kind : uint8_t { kUnknown = 0, kNumeric = 1, kOneHot = 2 };
  bool is_numeric(FeatureIndex i);

  std::vector<double> counts_;          // by feature
  std::vector<double> means_;           // by feature
  std::vector<FeatureIndex> known_;     // numeric features learned, in the order first learned
  std::vector<uint8_t> kind_;           // cache, by feature
  mutable std::vector<uint64_t> mark_;  // mark_[i] == stamp_: x holds i
  mutable uint64_t stamp_ = 0;
};

}  // namespace rivulet::ml
