#pragma once
/// The target statistics of regression trees: River's `stats.Var(ddof=1)` (count, mean, sum of
/// squared deviations S) with its weighted Welford update and its merge (`+=`) and difference
/// (`-=`) rules, written with River's exact order of floating-point operations. The E-BST
/// splitter adds and subtracts these statistics to score every threshold, and ties between
/// thresholds or features are decided on the last bit, so the arithmetic is kept as River's
/// (Chan et al. pairwise update; the mean merge goes through (n1 m1 + n2 m2) / n).
/// Thread safety: none; a value type.
/// ```cpp example
/// rivulet::ml::VarianceStats v;
/// for (double x : {3.0, 5.0, 4.0, 7.0}) v.update(x, 1.0);
/// EXPECT_DOUBLE_EQ(v.mean, 4.75);
/// EXPECT_NEAR(v.variance(), 2.916666, 1e-6);  // River's Var docstring
/// rivulet::ml::VarianceStats w;
/// w.update(10.0, 1.0);
/// w.update(12.0, 1.0);
/// v += w;  // the six values of the docstring
/// EXPECT_NEAR(v.variance(), 12.56666, 1e-5);
/// ```

#include <cstddef>

#include "rivulet/core/state.h"

namespace rivulet::ml {

struct VarianceStats {
  double n = 0.0;     ///< Total weight.
  double mean = 0.0;  ///< Weighted mean.
  double s = 0.0;     ///< Weighted sum of squared deviations from the mean (River's `_S`).

  /// River's `Var.update(x, w)`: `Mean.update` then `_S += w (x - old mean) (x - new mean)`.
  void update(double x, double w) {
    const double old_mean = mean;
    n += w;
    if (n != 0.0) mean += (w / n) * (x - mean);
    s += w * (x - old_mean) * (x - mean);
  }
  /// Sample variance S / (n - 1), 0 while n <= 1 (River's `Var.get` with ddof = 1).
  double variance() const { return n > 1.0 ? s / (n - 1.0) : 0.0; }

  /// River's `Var.__iadd__`: merges another sample into this one.
  VarianceStats& operator+=(const VarianceStats& o) {
    const double d = mean - o.mean;
    const double merged_s = s + o.s + d * d * n * o.n / (n + o.n);
    const double old_n = n;
    n += o.n;
    mean = (old_n * mean + o.n * o.mean) / n;
    s = merged_s;
    return *this;
  }
  /// River's `Var.__isub__`: removes a sub-sample (the mean first, then S with the new mean).
  VarianceStats& operator-=(const VarianceStats& o) {
    const double old_n = n;
    n -= o.n;
    if (n > 0.0) {
      mean = (old_n * mean - o.n * o.mean) / n;
    } else {
      n = 0.0;
      mean = 0.0;
    }
    const double d = mean - o.mean;
    s = s - o.s - d * d * n * o.n / (n + o.n);
    return *this;
  }
  friend VarianceStats operator+(VarianceStats a, const VarianceStats& b) { return a += b; }
  friend VarianceStats operator-(VarianceStats a, const VarianceStats& b) { return a -= b; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(n, mean, s);
  }
};

/// River's `VarianceReductionSplitCriterion` (0.12): the merit of a split is the parent's sample
/// variance minus the children's, each weighted by its share n_i / n, and 0 unless every child
/// holds at least `min_samples_split` weight. The range of the merit is taken as 1 (the Hoeffding
/// test compares the ratio of the two best merits).
struct VarianceReduction {
  double min_samples_split = 5.0;

  double merit(const VarianceStats& pre, const VarianceStats* post, size_t k) const {
    for (size_t i = 0; i < k; ++i) {
      if (!(post[i].n >= min_samples_split)) return 0.0;
    }
    double vr = pre.variance();
    for (size_t i = 0; i < k; ++i) vr -= post[i].n / pre.n * post[i].variance();
    return vr;
  }
  double merit(const VarianceStats& pre, const VarianceStats& left,
               const VarianceStats& right) const {
    const VarianceStats post[2] = {left, right};
    return merit(pre, post, 2);
  }
};

}  // namespace rivulet::ml
