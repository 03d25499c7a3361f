#include "rivulet/ml/tree/split_criterion.h"

#include <cmath>

namespace rivulet::ml::tree {

double hoeffding_bound(double range, double delta, double n) {
  return std::sqrt((range * range * std::log(1.0 / delta)) / (2.0 * n));
}

bool SplitCriterion::parse(std::string_view name, Kind& kind) {
  if (name == "info_gain") {
    kind = Kind::kInfoGain;
  } else if (name == "gini") {
    kind = Kind::kGini;
  } else if (name == "hellinger") {
    kind = Kind::kHellinger;
  } else {
    return false;
  }
  return true;
}

namespace {

// Python's sum(d.values()): left to right from 0.
double total_of(ClassDistView dist) {
  double total = 0.0;
  for (const auto& e : dist) total += e.weight;
  return total;
}

}  // namespace

double SplitCriterion::entropy(ClassDistView dist) {
  double entropy = 0.0;
  double sums = 0.0;
  for (const auto& e : dist) {
    const double d = e.weight;
    if (d > 0.0) {
      entropy -= d * std::log2(d);
      sums += d;
    }
  }
  return sums > 0.0 ? (entropy + sums * std::log2(sums)) / sums : 0.0;
}

int SplitCriterion::branches_over_fraction(std::span<const ClassDistView> post, double fraction) {
  double total = 0.0;
  for (const auto& d : post) total += total_of(d);
  int n = 0;
  for (const auto& d : post) {
    if (total_of(d) / total > fraction) ++n;
  }
  return n;
}

double SplitCriterion::merit_after(double pre_term, std::span<const ClassDistView> post) const {
  switch (kind_) {
    case Kind::kInfoGain: {
      if (branches_over_fraction(post, kMinBranchFraction) < 2) return -INFINITY;
      // River's _compute_entropy_list: sum_i w_i H_i / sum_i w_i.
      double total = 0.0;
      for (const auto& d : post) total += total_of(d);
      double post_entropy = 0.0;
      for (const auto& d : post) post_entropy += total_of(d) * entropy(d);
      return pre_term - post_entropy / total;
    }
    case Kind::kGini: {
      double total = 0.0;
      for (const auto& d : post) total += total_of(d);
      double gini = 0.0;
      for (const auto& d : post) {
        const double w = total_of(d);
        double g = 1.0;
        if (w != 0.0) {
          for (const auto& e : d) {
            const double rel = e.weight / w;
            g -= rel * rel;
          }
        }
        gini += (w / total) * g;
      }
      return 1.0 - gini;
    }
    case Kind::kHellinger:
      if (branches_over_fraction(post, kMinBranchFraction) < 2) return -INFINITY;
      return hellinger(post);
  }
  return -INFINITY;
}

double SplitCriterion::hellinger(std::span<const ClassDistView> post) const {
  // River reads dist[0][1], dist[0][0], dist[1][1], dist[1][0] and gives 0 on a KeyError.
  if (post.size() < 2) return 0.0;
  auto get = [](ClassDistView d, ClassId c, double& out) {
    for (const auto& e : d) {
      if (e.cls == c) {
        out = e.weight;
        return true;
      }
    }
    return false;
  };
  double lp = 0, ln = 0, rp = 0, rn = 0;
  if (!get(post[0], positive_, lp) || !get(post[0], negative_, ln) ||
      !get(post[1], positive_, rp) || !get(post[1], negative_, rn)) {
    return 0.0;
  }
  const double total_negative = ln + rn;
  const double total_positive = lp + rp;
  if (total_negative == 0.0 || total_positive == 0.0) return 0.0;  // River divides by zero
  const double a = std::sqrt(ln / total_negative) - std::sqrt(lp / total_positive);
  const double b = std::sqrt(rn / total_negative) - std::sqrt(rp / total_positive);
  return std::sqrt(a * a + b * b);
}

double SplitCriterion::range(ClassDistView pre) const {
  if (kind_ == Kind::kGini) return 1.0;
  const size_t n = pre.size() > 2 ? pre.size() : 2;
  return std::log2(static_cast<double>(n));
}

}  // namespace rivulet::ml::tree
