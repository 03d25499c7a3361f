#pragma once
/// River's `tree.splitter.EBSTSplitter` (0.12): the extended binary search tree of iSOUP-Tree
/// that regression Hoeffding trees keep per numeric feature and leaf. Each node holds one
/// observed feature value and the target statistics (River's `stats.Var`) of every sample whose
/// value is at most the node's and that passed through it; an in-order walk that carries the
/// statistics of the left parts met so far gives, for every threshold, the statistics left and
/// right of it, and so the variance reduction of every binary split `x <= threshold`.
/// `remove_bad_splits` is FIMT-DD's pruning of thresholds much worse than the best one, run
/// after a failed split attempt. Made with `digits` >= 0 it is River's `TEBSTSplitter(digits)`
/// (the truncated E-BST, River 0.12's default for regression trees with digits = 1): values are
/// rounded to that many decimals (Python's round) before they enter the search tree, so nearby
/// values share a node.
///
/// Memory: the nodes live in one vector per splitter (an arena) with a free list of pruned
/// nodes, so inserting a value already seen, scoring and pruning allocate nothing, and a new
/// value allocates only when the arena is full (amortized doubling). The traversals are
/// iterative (sorted streams make the search tree a long chain) with scratch stacks kept across
/// calls.
/// Thread safety: none.
/// Reference: E. Ikonomovska, J. Gama, S. Dzeroski, "Learning model trees from evolving data
/// streams", Data Mining and Knowledge Discovery 23(1), 2011; A. Osojnik, "Structured output
/// prediction on data streams", PhD thesis, 2017.
/// ```cpp example
/// rivulet::ml::EbstSplitter ebst;
/// const double xs[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
/// const double ys[] = {1, 1, 1, 1, 1, 5, 5, 5, 5, 5};
/// rivulet::ml::VarianceStats all;
/// for (int i = 0; i < 10; ++i) {
///   ebst.update(xs[i], ys[i], 1.0);
///   all.update(ys[i], 1.0);
/// }
/// rivulet::ml::EbstSplitter::Split best;
/// ASSERT_TRUE(ebst.best_split(rivulet::ml::VarianceReduction{}, all, best));
/// EXPECT_EQ(best.threshold, 5.0);        // x <= 5 | x > 5
/// EXPECT_NEAR(best.merit, 40.0 / 9, 1e-12);  // variance 40/9, both halves pure
/// ```

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/ml/tree/variance_stats.h"

namespace rivulet::ml {

/// Python's `round(x, digits)`: the double nearest to x rounded half-even to `digits` decimal
/// places (exact: ties and near-ties are decided on the decimal expansion).
double python_round(double x, int digits);

class EbstSplitter {
 public:
  /// `digits` < 0: plain E-BST; >= 0: values rounded to that many decimals (TEBST).
  explicit EbstSplitter(int digits = -1) : digits_(digits) {}

  /// The best binary split `x <= threshold` and the target statistics on each side.
  struct Split {
    double merit = -std::numeric_limits<double>::infinity();
    double threshold = 0.0;
    VarianceStats left;
    VarianceStats right;
  };

  /// Records the sample (x, y) of weight w.
  void update(double x, double y, double w);
  /// Scores every threshold against `pre` (the leaf's statistics) and writes the best (the
  /// smallest value on ties) to `out`. Returns false, leaving `out` as a null split of merit
  /// -inf, when the splitter holds no value.
  bool best_split(const VarianceReduction& criterion, const VarianceStats& pre, Split& out) const;
  /// FIMT-DD's pruning: removes the thresholds whose merit m, relative to the best merit of the
  /// last failed attempt, falls below last_ratio - 2 * last_bound (m / last_merit <
  /// last_ratio - 2 e), starting from the leaves of the search tree; a node goes only once all
  /// its children went. REQUIRES: last_merit > 0.
  void remove_bad_splits(const VarianceReduction& criterion, double last_ratio, double last_merit,
                         double last_bound, const VarianceStats& pre);
  /// Forgets every value (keeps the arena's capacity).
  void clear();
  bool empty() const { return root_ < 0; }
  /// Number of thresholds (distinct values) held.
  size_t size() const { return nodes_.size() - free_.size(); }
  /// Bytes held by the arena and the scratch stacks.
  size_t memory_bytes() const;

  void save(StateWriter& out) const;
  void load(StateReader& in);

 private:
  struct Node {
    double value = 0.0;
    VarianceStats stats;
    int32_t left = -1;
    int32_t right = -1;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(value, stats, left, right);
    }
  };
  struct Op {
    int32_t node;
    uint8_t action;
  };
  struct Frame {
    int32_t node;
    int32_t parent;
    bool is_left;
    uint8_t phase;
    bool aux_added;
  };
  int32_t new_node(double x, double y, double w);

  int digits_;
  std::vector<Node> nodes_;
  std::vector<int32_t> free_;
  int32_t root_ = -1;
  mutable std::vector<Op> ops_;
  std::vector<Frame> frames_;
};

}  // namespace rivulet::ml
