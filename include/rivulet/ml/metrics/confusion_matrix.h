#pragma once
/// Counts of (true class, predicted class) pairs, River's `metrics.ConfusionMatrix`: rows are
/// true classes, columns predicted ones. The multi-class metrics (Precision, F1, CohenKappa, ...)
/// are computed from one of these, as River's are.
///
/// River's `classes` are the labels whose row or column sum is non-zero, so a class that has
/// left a rolling window stops counting in macro averages. A kNoClass prediction (a label the
/// encoder has not seen yet, e.g. a binary model predicting "false" before any false label
/// arrived) counts as wrong in its true class's row, in an "(unseen)" column that is not one of
/// the `classes`: in River that label would be a class of its own, and it becomes one here too
/// once it arrives, so a separate class would pull the macro averages down for good.
///
/// get() returns the accuracy (the share of the counts on the diagonal); report() prints the
/// matrix as River's `repr` does, with the label names of the attached encoder (class ids when
/// none is attached), sorted (numbers numerically, text alphabetically), and an "(unseen)"
/// column last when some predictions were kNoClass; counts are whole numbers with thousands
/// separators.
/// Thread safety: none.
/// ```cpp example
/// rivulet::LabelEncoder labels;
/// auto cm = rivulet::ml::ConfusionMatrix::create().value();
/// cm->attach(&labels);
/// const char* truth[] = {"cat", "ant", "cat", "cat", "ant", "bird"};
/// const char* pred[] = {"ant", "ant", "cat", "cat", "ant", "cat"};
/// for (int i = 0; i < 6; ++i) {
///   const auto y = labels.intern(truth[i]);
///   cm->update(y, labels.intern(pred[i]), {});
/// }
/// EXPECT_EQ(cm->table(),
///           "       ant  bird   cat\n"
///           " ant     2     0     0\n"
///           "bird     0     0     1\n"
///           " cat     1     0     2");
/// EXPECT_EQ(cm->count(*labels.find("bird"), *labels.find("cat")), 1.0);
/// ```

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class ConfusionMatrix final : public ClassificationMetric {
 public:
  static Result<std::unique_ptr<ConfusionMatrix>> create();
  static Result<std::unique_ptr<ConfusionMatrix>> from_params(Params& p);

  std::string name() const override { return "ConfusionMatrix"; }
  bool bigger_is_better() const override { return true; }
  std::unique_ptr<Metric> clone_fresh() const override;
  void update(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  void revert(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  /// The accuracy: sum of the diagonal over the total; 0 when empty.
  double get() const override;
  /// "ConfusionMatrix:" and the table on the following lines ("ConfusionMatrix: (empty)" before
  /// any update).
  std::string report() const override;
  /// River's `repr`: a header of predicted labels, then one row per class; "" when empty.
  std::string table() const;

  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// Count of samples of class `y_true` predicted as `y_pred` (either may be kNoClass).
  double count(ClassId y_true, ClassId y_pred) const;
  double sum_row(ClassId y_true) const;  ///< samples whose true class is `y_true` (support)
  double sum_col(ClassId y_pred) const;  ///< samples predicted as `y_pred`
  double sum_diag() const { return sum_diag_; }
  double total() const { return total_; }
  /// Calls f(class) for River's `classes`: those with a non-zero row or column, in id order.
  /// kNoClass is never one of them.
  template <typename F>
  void for_each_class(F&& f) const {
    for (size_t s = 1; s < slots_; ++s) {
      if (sum_row_[s] != 0.0 || sum_col_[s] != 0.0) f(static_cast<ClassId>(s - 1));
    }
  }
  size_t n_classes() const;

 private:
  // Slot 0 holds kNoClass, slot c + 1 class c.
  static size_t slot(ClassId c) { return c == kNoClass ? 0 : static_cast<size_t>(c) + 1; }
  void grow(size_t slots);
  void add(ClassId y_true, ClassId y_pred, double w);

  size_t slots_ = 0;
  std::vector<double> data_;  // slots_ x slots_, row-major
  std::vector<double> sum_row_, sum_col_;
  double sum_diag_ = 0.0;
  double total_ = 0.0;
};

/// Base of the metrics computed from a confusion matrix (River's `cm`-backed metrics).
/// Thread safety: none.
class ConfusionBasedMetric : public ClassificationMetric {
 public:
  bool bigger_is_better() const override { return true; }
  void update(ClassId y_true, ClassId y_pred, std::span<const double> proba) override {
    cm_.update(y_true, y_pred, proba);
  }
  void revert(ClassId y_true, ClassId y_pred, std::span<const double> proba) override {
    cm_.revert(y_true, y_pred, proba);
  }
  void save(StateWriter& out) const override { cm_.save(out); }
  void load(StateReader& in) override { cm_.load(in); }
  const ConfusionMatrix& confusion() const { return cm_; }

 protected:
  ConfusionMatrix cm_;
};

}  // namespace rivulet::ml
