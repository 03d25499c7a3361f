#pragma once
// numpy's float64 `np.sum` of a 1-d array: the reduction starts from the identity 0.0 and adds
// the pairwise sum of the elements (numpy/core/src/umath/loops_utils.h: plain running sum below
// 8 elements, eight interleaved partial sums up to 128, halves above). River's Hyperplane and
// RandomRBF compare against such sums, so the same order of additions keeps their labels and
// centroid picks identical to River's in the last bit.

#include <cstddef>
#include <span>

namespace rivulet::io::internal {

inline double numpy_pairwise_sum(std::span<const double> a) {
  const size_t n = a.size();
  if (n < 8) {
    double res = 0.0;
    for (double v : a) res += v;
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a.subspan(0, n2)) + numpy_pairwise_sum(a.subspan(n2));
}

inline double numpy_sum(std::span<const double> a) { return 0.0 + numpy_pairwise_sum(a); }

}  // namespace rivulet::io::internal
