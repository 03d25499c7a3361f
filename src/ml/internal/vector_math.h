#pragma once
// exp and log over arrays of doubles, through glibc's vector math library (libmvec) where the
// build found it: 4 lanes on CPUs with AVX2 (checked once at run time), else 2 lanes (SSE,
// every x86-64), else the scalar std::exp/std::log. libmvec's results are within 4 ulp of the
// scalar ones.

#include <cmath>
#include <cstddef>

#if defined(RIVULET_HAVE_LIBMVEC) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
// glibc's vector ABI names. NOLINTBEGIN(bugprone-reserved-identifier)
extern "C" __m128d _ZGVbN2v_exp(__m128d);
extern "C" __m128d _ZGVbN2v_log(__m128d);
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_log(__m256d);
// NOLINTEND(bugprone-reserved-identifier)
#define RIVULET_VECTOR_MATH 1
#endif

namespace rivulet::ml::internal {

#ifdef RIVULET_VECTOR_MATH
inline bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

__attribute__((target("avx2"))) inline size_t exp_avx2(double* v, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(v + i, _ZGVdN4v_exp(_mm256_loadu_pd(v + i)));
  return i;
}

__attribute__((target("avx2"))) inline size_t log_avx2(double* v, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(v + i, _ZGVdN4v_log(_mm256_loadu_pd(v + i)));
  return i;
}
#endif

inline void exp_in_place(double* v, size_t n) {
  size_t i = 0;
#ifdef RIVULET_VECTOR_MATH
  if (cpu_has_avx2()) i = exp_avx2(v, n);
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(v + i, _ZGVbN2v_exp(_mm_loadu_pd(v + i)));
#endif
  for (; i < n; ++i) v[i] = std::exp(v[i]);
}

inline void log_in_place(double* v, size_t n) {
  size_t i = 0;
#ifdef RIVULET_VECTOR_MATH
  if (cpu_has_avx2()) i = log_avx2(v, n);
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(v + i, _ZGVbN2v_log(_mm_loadu_pd(v + i)));
#endif
  for (; i < n; ++i) v[i] = std::log(v[i]);
}

}  // namespace rivulet::ml::internal
