#include "rivulet/ml/tree/gaussian_splitter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rivulet::ml::tree {

size_t gaussian_split_points(const GaussianCell* cells, std::span<const ClassId> order,
                             size_t n_splits, double* out) {
  double min_value = INFINITY;
  double max_value = -INFINITY;
  for (const ClassId c : order) {
    const GaussianCell& g = cells[c];
    if (g.n == 0.0) continue;
    if (g.min < min_value) min_value = g.min;
    if (g.max > max_value) max_value = g.max;
  }
  size_t n = 0;
  if (min_value < INFINITY) {
    double bin_size = max_value - min_value;
    bin_size /= static_cast<double>(n_splits) + 1.0;
    for (size_t i = 0; i < n_splits; ++i) {
      const double split = min_value + (bin_size * static_cast<double>(i + 1));
      if (min_value < split && split < max_value) out[n++] = split;
    }
  }
  return n;
}

namespace {

// gaussian_binary_split with the cdf's denominator sigma * sqrt(2) of each class (in `order`'s
// order) computed beforehand, once for all the candidate points.
void binary_split(const GaussianCell* cells, std::span<const ClassId> order,
                  const double* denominators, double split, ClassWeight* left, size_t& n_left,
                  ClassWeight* right, size_t& n_right) {
  n_left = 0;
  n_right = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const ClassId c = order[k];
    const GaussianCell& g = cells[c];
    if (g.n == 0.0) continue;
    if (split < g.min) {
      right[n_right++] = {c, g.n};
    } else if (split >= g.max) {
      left[n_left++] = {c, g.n};
    } else {
      // GaussianCell::cdf, term for term.
      const double cdf = denominators[k] == 0.0
                             ? 0.0
                             : 0.5 * (1.0 + std::erf((split - g.mean) / denominators[k]));
      const double l = cdf * g.n;
      left[n_left++] = {c, l};
      right[n_right++] = {c, g.n - l};
    }
  }
}

}  // namespace

void gaussian_binary_split(const GaussianCell* cells, std::span<const ClassId> order, double split,
                           ClassWeight* left, size_t& n_left, ClassWeight* right, size_t& n_right) {
  n_left = 0;
  n_right = 0;
  for (const ClassId c : order) {
    const GaussianCell& g = cells[c];
    if (g.n == 0.0) continue;
    if (split < g.min) {
      right[n_right++] = {c, g.n};
    } else if (split >= g.max) {
      left[n_left++] = {c, g.n};
    } else {
      const double l = g.cdf(split) * g.n;
      left[n_left++] = {c, l};
      right[n_right++] = {c, g.n - l};
    }
  }
}

GaussianSplit gaussian_best_split(const GaussianCell* cells, std::span<const ClassId> order,
                                  size_t n_splits, const SplitCriterion& criterion,
                                  ClassDistView pre, ClassWeight* left, ClassWeight* right,
                                  ClassWeight* scratch) {
  GaussianSplit best;
  double points[64];
  double* p = points;
  std::vector<double> many;
  if (n_splits > 64) {
    many.resize(n_splits);
    p = many.data();
  }
  const size_t n_points = gaussian_split_points(cells, order, n_splits, p);
  if (n_points == 0) return best;
  double small_denominators[16];
  std::vector<double> many_denominators;
  double* denominators = small_denominators;
  if (order.size() > 16) {
    many_denominators.resize(order.size());
    denominators = many_denominators.data();
  }
  for (size_t k = 0; k < order.size(); ++k) {
    const double sigma = std::pow(cells[order[k]].variance(), 0.5);
    denominators[k] = sigma == 0.0 ? 0.0 : sigma * std::sqrt(2.0);
  }
  const double pre_term = criterion.pre_term(pre);
  ClassWeight* l = scratch;
  ClassWeight* r = scratch + order.size();
  for (size_t i = 0; i < n_points; ++i) {
    size_t nl = 0, nr = 0;
    binary_split(cells, order, denominators, p[i], l, nl, r, nr);
    const ClassDistView post[2] = {{l, nl}, {r, nr}};
    const double merit = criterion.merit_after(pre_term, post);
    if (merit > best.merit) {
      best.merit = merit;
      best.threshold = p[i];
      best.n_left = nl;
      best.n_right = nr;
      std::copy(l, l + nl, left);
      std::copy(r, r + nr, right);
    }
  }
  return best;
}

}  // namespace rivulet::ml::tree
