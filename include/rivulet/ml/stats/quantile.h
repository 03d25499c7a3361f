#pragma once
/// Running quantile by the P² algorithm (piecewise-parabolic, five markers, no stored values),
/// River's `stats.Quantile(q=0.5)` as it was in Python up to River 0.12, step for step: the
/// first five values are kept (get() returns the sorted one at index min(n - 1, n q)), then the
/// markers move by River's update and parabolic (or linear) adjustment.
/// A small value type (about 130 bytes): embed it by value; updates never allocate.
/// Thread safety: none.
/// Reference: R. Jain, I. Chlamtac, "The P² algorithm for dynamic calculation of quantiles and
/// histograms without storing observations", CACM 28(10), 1985.
/// ```cpp example
/// rivulet::stats::Quantile median(0.5);
/// for (int i = 1; i <= 5; ++i) median.update(i);
/// EXPECT_EQ(median.get(), 3.0);
/// for (int i = 6; i <= 1000; ++i) median.update(i);
/// EXPECT_NEAR(median.get(), 500.5, 1.0);
/// EXPECT_FALSE(rivulet::stats::Quantile::create(1.0).ok());
/// ```

#include <algorithm>
#include <array>
#include <cmath>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"

namespace rivulet::stats {

class Quantile {
 public:
  /// REQUIRES: 0 < q < 1 (checked by create).
  explicit Quantile(double q = 0.5)
      : q_(q),
        desired_{0.0, q / 2, q, (1 + q) / 2, 1.0},
        marker_{1.0, 1 + 2 * q, 1 + 4 * q, 3 + 2 * q, 5.0} {}
  /// Returns kInvalidArgument unless 0 < q < 1.
  static Result<Quantile> create(double q = 0.5) {
    if (!(q > 0.0 && q < 1.0))
      return Status::invalid_argument("stats.Quantile: q must be in (0, 1)");
    return Quantile(q);
  }

  void update(double x) {
    if (n_heights_ != 5) {
      heights_[n_heights_++] = x;
      return;
    }
    if (!sorted_) {
      std::sort(heights_.begin(), heights_.end());
      sorted_ = true;
    }
    const int k = find_k(x);
    for (int i = k; i < 5; ++i) position_[i] += 1.0;
    for (int i = 0; i < 5; ++i) marker_[i] += desired_[i];
    adjust();
  }

  /// The estimate; before five values, the sorted value at index min(n - 1, n q); 0 when empty.
  double get() const {
    if (sorted_) return heights_[2];
    if (n_heights_ == 0) return 0.0;
    std::array<double, 5> h = heights_;
    std::sort(h.begin(), h.begin() + n_heights_);
    const double length = n_heights_;
    return h[static_cast<int>(std::min(std::max(length - 1, 0.0), length * q_))];
  }
  double q() const { return q_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(q_, desired_, marker_, position_, heights_, n_heights_, sorted_);
  }

 private:
  int find_k(double x) {
    if (x < heights_[0]) {
      heights_[0] = x;
      return 1;
    }
    for (int i = 1; i < 5; ++i) {
      if (heights_[i - 1] <= x && x < heights_[i]) return i;
    }
    if (heights_[4] < x) heights_[4] = x;
    return 4;
  }

  static double parabolic(double qp1, double q, double qm1, double d, double np1, double n,
                          double nm1) {
    const double outer = d / (np1 - nm1);
    const double inner_left = (n - nm1 + d) * (qp1 - q) / (np1 - n);
    const double inner_right = (np1 - n - d) * (q - qm1) / (n - nm1);
    return q + outer * (inner_left + inner_right);
  }

  void adjust() {
    for (int i = 1; i < 4; ++i) {
      const double n = position_[i];
      const double q = heights_[i];
      double d = marker_[i] - n;
      if ((d >= 1 && position_[i + 1] - n > 1) || (d <= -1 && position_[i - 1] - n < -1)) {
        const int step = d < 0 ? -1 : 1;  // River: int(math.copysign(1, d))
        d = step;
        const double qp1 = heights_[i + 1], qm1 = heights_[i - 1];
        const double np1 = position_[i + 1], nm1 = position_[i - 1];
        const double qn = parabolic(qp1, q, qm1, d, np1, n, nm1);
        if (qm1 < qn && qn < qp1) {
          heights_[i] = qn;
        } else {
          heights_[i] = q + d * (heights_[i + step] - q) / (position_[i + step] - n);
        }
        position_[i] = n + d;
      }
    }
  }

  double q_;
  std::array<double, 5> desired_;
  std::array<double, 5> marker_;
  std::array<double, 5> position_{1, 2, 3, 4, 5};
  std::array<double, 5> heights_{};
  int n_heights_ = 0;
  bool sorted_ = false;
};

}  // namespace rivulet::stats
