#pragma once
/// River's `tree.splitter.GaussianSplitter` (0.12.1), the numeric attribute observer of
/// classification trees, as plain data: per class, a Gaussian estimator of the attribute
/// (River's `proba.Gaussian`: `stats.Var(ddof=1)` over a weighted `stats.Mean`) and the class's
/// smallest and largest value. Split candidates are the `n_splits` (10) equally spaced points
/// strictly between the overall minimum and maximum; a candidate divides each class's weight by
/// the Gaussian CDF (all of it to one side when the point lies outside the class's range).
///
/// A tree keeps one `GaussianCell` per (leaf, attribute, class) in flat storage; the functions
/// below read the cells of one (leaf, attribute) in the order the leaf met the classes (River's
/// dict order), skipping cells without weight (classes the observer has not seen).
/// Thread safety: none needed (plain data and free functions).
/// ```cpp example
/// using namespace rivulet::ml::tree;
/// GaussianCell cells[2];
/// for (double v : {1.0, 2.0, 3.0}) cells[0].update(v, 1.0);
/// for (double v : {7.0, 8.0, 9.0}) cells[1].update(v, 1.0);
/// EXPECT_DOUBLE_EQ(cells[0].variance(), 1.0);
/// EXPECT_DOUBLE_EQ(cells[0].cdf(2.0), 0.5);
/// const rivulet::ClassId order[] = {0, 1};
/// double points[16];
/// EXPECT_EQ(gaussian_split_points(cells, order, 10, points), 10u);
/// EXPECT_DOUBLE_EQ(points[0], 1.0 + 8.0 / 11.0);
/// ```

#include <cmath>
#include <cstddef>
#include <span>

#include "rivulet/core/labels.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml::tree {

struct GaussianCell {
  double n = 0.0;  ///< weight seen (River's `n_samples`); 0: the class is not observed
  double mean = 0.0;
  double s = 0.0;  ///< sum of squared deviations (River's `Var._S`)
  double min = 0.0;
  double max = 0.0;
  // Naive Bayes constants derived from (n, mean, s) on update: log pdf(x) =
  // (x - mean)^2 * nb_scale - nb_log_norm while the variance is not 0 (nb_scale != 0).
  double nb_scale = 0.0;     ///< -1 / (2 var), or 0 when the variance is 0
  double nb_log_norm = 0.0;  ///< log(sqrt(2 pi var))

  /// River 0.12.1: `Mean.update` (n += w; mean += (w / n) (x - mean)) and `Var.update`
  /// (S += w (x - old mean) (x - new mean)), plus min and max. REQUIRES: w > 0.
  void update(double x, double w) {
    update_moments(x, w);
    refresh();
  }
  /// update() without refreshing the naive Bayes constants (for callers that refresh in
  /// batches).
  void update_moments(double x, double w) {
    if (n == 0.0) {
      min = x;
      max = x;
    } else {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const double old_mean = mean;
    n += w;
    mean += (w / n) * (x - mean);
    s += w * (x - old_mean) * (x - mean);
  }
  /// `Var.get()` with ddof = 1: S / (n - 1) once n > 1, else 0.
  double variance() const { return n > 1.0 ? s / (n - 1.0) : 0.0; }
  /// River's `Gaussian.__call__` (the density), computed as River does.
  double pdf(double x) const {
    const double var = variance();
    if (var == 0.0) return 0.0;
    const double d = x - mean;
    return std::exp(d * d / (-2.0 * var)) / std::sqrt(6.283185307179586 * var);
  }
  /// River's `Gaussian.cdf`: 0.5 (1 + erf((x - mu) / (sigma sqrt 2))), 0 when sigma is 0.
  double cdf(double x) const {
    const double sigma = std::pow(variance(), 0.5);
    if (sigma == 0.0) return 0.0;
    return 0.5 * (1.0 + std::erf((x - mean) / (sigma * std::sqrt(2.0))));
  }
  /// log of River's density as naive Bayes adds it: log(pdf(x)), or 0 when the density is 0.
  double log_pdf_or_zero(double x) const {
    if (nb_scale == 0.0) return 0.0;
    const double d = x - mean;
    const double e = d * d * nb_scale;
    if (e > -700.0 && nb_log_norm < 700.0) return e - nb_log_norm;
    const double p = pdf(x);  // far in a tail: River's exact underflow
    return p > 0.0 ? std::log(p) : 0.0;
  }
  void refresh() {
    const double var = variance();
    set_log_norm(var, var != 0.0 ? std::log(6.283185307179586 * var) : 0.0);
  }
  /// Sets the naive Bayes constants from the variance and log(2 pi var).
  void set_log_norm(double var, double log_two_pi_var) {
    if (var != 0.0) {
      nb_scale = 1.0 / (-2.0 * var);
      nb_log_norm = 0.5 * log_two_pi_var;
    } else {
      nb_scale = 0.0;
      nb_log_norm = 0.0;
    }
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(n, mean, s, min, max, nb_scale, nb_log_norm);
  }
};

/// River's `_split_point_suggestions`: writes up to `n_splits` points into `out` and returns
/// how many. `cells` is indexed by class id; `order` lists the classes in the leaf's order.
size_t gaussian_split_points(const GaussianCell* cells, std::span<const ClassId> order,
                             size_t n_splits, double* out);

/// River's `_class_dists_from_binary_split`: the class weights on each side of `split`. `left`
/// and `right` need room for `order.size()` entries; their sizes are returned in n_left/n_right.
void gaussian_binary_split(const GaussianCell* cells, std::span<const ClassId> order, double split,
                           ClassWeight* left, size_t& n_left, ClassWeight* right, size_t& n_right);

/// The best split of one attribute (River's `best_evaluated_split_suggestion`): the candidate
/// of highest merit (the first on ties), or merit -inf when there is none. `scratch` needs
/// room for 2 * order.size() entries; the winning distributions are left in `left`/`right`.
struct GaussianSplit {
  double merit = -INFINITY;
  double threshold = 0.0;
  size_t n_left = 0, n_right = 0;
};
GaussianSplit gaussian_best_split(const GaussianCell* cells, std::span<const ClassId> order,
                                  size_t n_splits, const SplitCriterion& criterion,
                                  ClassDistView pre, ClassWeight* left, ClassWeight* right,
                                  ClassWeight* scratch);

}  // namespace rivulet::ml::tree
