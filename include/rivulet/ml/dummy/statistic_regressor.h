#pragma once
/// A baseline regressor that predicts a running statistic of the targets it has learned,
/// ignoring the features: River's `dummy.StatisticRegressor(statistic)`.
///
/// River requires the statistic; here it defaults to River's usual choice, `stats.Mean()`. The
/// spec takes it as a string: `statistic='mean'` (River's `stats.Mean`: the running mean, updated
/// as mean += (y - mean) / n) or `statistic='median'` (the exact median of every target seen,
/// the mean of the two middle ones for an even count). Spellings `'stats.Mean()'`, `'Mean'` and
/// `'stats.Median'` are accepted too. The exact median keeps every target in two heaps: memory
/// grows by 8 bytes per learned sample and each update costs O(log n); it is not River's
/// approximate `stats.Quantile(0.5)` (P² algorithm). Both predict 0 before the first target, as
/// River's `stats.Mean` does.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::StatisticRegressor::create({}).value();
/// for (double y : {3.0, 3.0, 2.0, -3.0}) model->learn_one(rivulet::Features{}, y);
/// EXPECT_EQ(model->predict_one(rivulet::Features{}), 1.25);
/// auto median = rivulet::ml::StatisticRegressor::create(
///     {.statistic = rivulet::ml::StatisticRegressor::Statistic::kMedian}).value();
/// for (double y : {3.0, 3.0, 2.0, -3.0}) median->learn_one(rivulet::Features{}, y);
/// EXPECT_EQ(median->predict_one(rivulet::Features{}), 2.5);
/// ```

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class StatisticRegressor final : public Regressor {
 public:
  enum class Statistic : uint8_t { kMean, kMedian };
  struct Options {
    Statistic statistic = Statistic::kMean;  ///< The running statistic predicted.
  };
  static Result<std::unique_ptr<StatisticRegressor>> create(const Options& options);
  /// Reads `statistic` ('mean' or 'median'). Errors: kInvalidArgument for another name.
  static Result<std::unique_ptr<StatisticRegressor>> from_params(Params& p);
  /// Parses a statistic's name, case-insensitive, with or without `stats.` and `()`.
  static Result<Statistic> parse_statistic(std::string_view text);

  std::string_view name() const override { return "dummy.StatisticRegressor"; }
  void learn_one(const Features& x, double y) override;
  double predict_one(const Features& x) const override;
  void save(StateWriter& out) const override { out(n_, mean_, lower_, upper_); }
  void load(StateReader& in) override { in(n_, mean_, lower_, upper_); }
  void describe(Description& out) const override;

  explicit StatisticRegressor(const Options& options) : options_(options) {}

 private:
  Options options_;
  double n_ = 0;
  double mean_ = 0;
  // Median: a max-heap of the lower half and a min-heap of the upper half (std heap layout);
  // lower_ holds as many values as upper_, or one more.
  std::vector<double> lower_;
  std::vector<double> upper_;
};

}  // namespace rivulet::ml
