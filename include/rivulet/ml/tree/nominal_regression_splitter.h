#pragma once
/// River's `tree.splitter.NominalSplitterReg` (0.12): the target statistics (River's `stats.Var`)
/// of each category of a nominal attribute seen by a regression tree leaf. It proposes the
/// multiway split (one branch per category, in sorted order) unless only binary splits are
/// allowed, and the binary splits `attribute == category` against the rest; the best merit wins
/// (the multiway split, then the first category in sorted order, on ties).
///
/// A category is a number: the value of a numeric feature declared nominal, or, for rivulet's
/// one-hot `column=value` features, the feature index of the `column=value` feature. The tree
/// passes the order in which categories sort (River sorts the category values).
/// Thread safety: none.
/// ```cpp example
/// rivulet::ml::NominalRegressionSplitter s;
/// rivulet::ml::VarianceStats all;
/// for (int i = 0; i < 15; ++i) {
///   const double category = i % 3;
///   const double y = 4 * category + (i % 2);  // 0|1, 4|5, 8|9
///   s.update(category, y, 1.0);
///   all.update(y, 1.0);
/// }
/// std::vector<uint32_t> order;
/// auto less = [](double a, double b) { return a < b; };
/// auto best = s.best_split(rivulet::ml::VarianceReduction{}, all, false, less, order);
/// EXPECT_TRUE(best.multiway);  // three pure-ish branches beat any one-against-the-rest
/// auto binary = s.best_split(rivulet::ml::VarianceReduction{}, all, true, less, order);
/// EXPECT_FALSE(binary.multiway);
/// EXPECT_LT(binary.merit, best.merit);
/// ```

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/ml/tree/variance_stats.h"

namespace rivulet::ml {

class NominalRegressionSplitter {
 public:
  struct Split {
    double merit = -std::numeric_limits<double>::infinity();
    bool multiway = false;
    double category = 0.0;  ///< binary: the category sent left
    VarianceStats left;     ///< binary: the category's statistics
    VarianceStats right;    ///< binary: the rest
  };

  void update(double category, double y, double w);
  size_t size() const { return categories_.size(); }
  double category(size_t i) const { return categories_[i]; }
  const VarianceStats& stats(size_t i) const { return stats_[i]; }

  /// Fills `order` with the category slots sorted by `less` (on category values), then scores
  /// the multiway split (unless `binary_only`) and each binary split. Returns a null split of
  /// merit -inf when no category was seen.
  template <typename Less>
  Split best_split(const VarianceReduction& criterion, const VarianceStats& pre, bool binary_only,
                   Less&& less, std::vector<uint32_t>& order) const {
    sorted_order(order, less);
    Split best;
    if (categories_.empty()) return best;
    if (!binary_only) {
      multiway_.clear();
      for (uint32_t i : order) multiway_.push_back(stats_[i]);
      best.merit = criterion.merit(pre, multiway_.data(), multiway_.size());
      best.multiway = true;
    }
    for (uint32_t i : order) {
      const VarianceStats remaining = pre - stats_[i];
      const double merit = criterion.merit(pre, stats_[i], remaining);
      if (merit > best.merit) {
        best.merit = merit;
        best.multiway = false;
        best.category = categories_[i];
        best.left = stats_[i];
        best.right = remaining;
      }
    }
    return best;
  }

  /// The category slots sorted by `less` (insertion sort: stable, allocation-free).
  template <typename Less>
  void sorted_order(std::vector<uint32_t>& order, Less&& less) const {
    order.clear();
    for (uint32_t i = 0; i < categories_.size(); ++i) {
      order.push_back(i);
      for (size_t j = order.size() - 1;
           j > 0 && less(categories_[order[j]], categories_[order[j - 1]]); --j) {
        std::swap(order[j], order[j - 1]);
      }
    }
  }

  size_t memory_bytes() const {
    return sizeof(*this) + categories_.capacity() * sizeof(double) +
           (stats_.capacity() + multiway_.capacity()) * sizeof(VarianceStats);
  }
  void save(StateWriter& out) const { out(categories_, stats_); }
  void load(StateReader& in);

 private:
  std::vector<double> categories_;  // in order of first appearance
  std::vector<VarianceStats> stats_;
  mutable std::vector<VarianceStats> multiway_;  // scratch
};

}  // namespace rivulet::ml
