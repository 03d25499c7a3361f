#pragma once
/// River's split criteria for classification trees (0.12.1: `InfoGainSplitCriterion`,
/// `GiniSplitCriterion`, `HellingerDistanceCriterion`) and the Hoeffding bound, over class
/// distributions held as River's dicts hold them: (class, weight) entries in insertion order,
/// where an entry of weight 0 is a class the dict has (which counts in the range of the merit,
/// and for the Hellinger distance) as opposed to a class it lacks. The arithmetic follows
/// River's order of operations, so merits agree with River's to the last bit.
///
/// - info gain: H(pre) - sum_i w_i H(post_i) / sum_i w_i (entropies in bits), or -inf unless at
///   least two branches hold more than `min_branch_fraction` (0.01) of the weight; range
///   log2(max(2, number of classes in pre)).
/// - gini: 1 - sum_i (w_i / w) gini_i, gini_i = 1 - sum_c (w_ic / w_i)^2; range 1. River 0.12.1
///   applies no minimum branch fraction to it.
/// - hellinger: sqrt of the squared differences of sqrt(branch share of the negatives) and
///   sqrt(branch share of the positives), both branches; 0 when a branch lacks either class;
///   -inf under the minimum branch fraction; range as info gain. River reads the classes 0 and 1
///   (False and True): the tree passes the label encoder's negative and positive classes.
/// Thread safety: none needed (const methods, no state).
/// ```cpp example
/// using namespace rivulet::ml::tree;
/// const ClassWeight pre[] = {{0, 10.0}, {1, 10.0}};
/// const ClassWeight left[] = {{0, 10.0}}, right[] = {{1, 10.0}};
/// const ClassDistView post[] = {left, right};
/// SplitCriterion info(SplitCriterion::Kind::kInfoGain);
/// EXPECT_DOUBLE_EQ(info.merit(pre, post), 1.0);  // one bit gained
/// EXPECT_DOUBLE_EQ(info.range(pre), 1.0);
/// EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kGini).merit(pre, post), 1.0);
/// EXPECT_NEAR(hoeffding_bound(1.0, 1e-7, 200.0), 0.2007, 1e-4);
/// ```

#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>

#include "rivulet/core/labels.h"

namespace rivulet::ml::tree {

struct ClassWeight {
  ClassId cls = 0;
  double weight = 0.0;
};
using ClassDistView = std::span<const ClassWeight>;

/// River's `_hoeffding_bound`: sqrt(R^2 ln(1 / delta) / (2 n)).
double hoeffding_bound(double range, double delta, double n);

class SplitCriterion {
 public:
  enum class Kind : uint8_t { kInfoGain, kGini, kHellinger };
  static constexpr double kMinBranchFraction = 0.01;

  explicit SplitCriterion(Kind kind = Kind::kInfoGain, ClassId negative = 0, ClassId positive = 1)
      : kind_(kind), negative_(negative), positive_(positive) {}
  /// "info_gain", "gini" or "hellinger"; false for another name.
  static bool parse(std::string_view name, Kind& kind);
  Kind kind() const { return kind_; }
  void set_hellinger_classes(ClassId negative, ClassId positive) {
    negative_ = negative;
    positive_ = positive;
  }

  /// The merit of splitting `pre` into `post` (River's `merit_of_split`).
  double merit(ClassDistView pre, std::span<const ClassDistView> post) const {
    return merit_after(pre_term(pre), post);
  }
  /// The part of the merit that depends on `pre` alone (its entropy for info gain, 0 for the
  /// others). A splitter that rates many candidate splits of one distribution computes it once
  /// and calls merit_after(): the result is the same to the last bit.
  double pre_term(ClassDistView pre) const {
    return kind_ == Kind::kInfoGain ? entropy(pre) : 0.0;
  }
  /// merit(pre, post) given `pre_term(pre)`.
  double merit_after(double pre_term, std::span<const ClassDistView> post) const;
  /// River's `range_of_merit`.
  double range(ClassDistView pre) const;

  /// Entropy in bits of one distribution (River's `_compute_entropy_dict`).
  static double entropy(ClassDistView dist);
  /// River's `num_subsets_greater_than_frac`.
  static int branches_over_fraction(std::span<const ClassDistView> post, double fraction);

 private:
  double hellinger(std::span<const ClassDistView> post) const;

  Kind kind_;
  ClassId negative_;
  ClassId positive_;
};

}  // namespace rivulet::ml::tree
