#pragma once
// exp and log over arrays of doubles, through glibc's vector math library (libmvec, 2 lanes,
// dispatched by glibc to the best SSE variant of the CPU) where the build found it, else the
// scalar std::exp/std::log. libmvec's results are within 4 ulp of the scalar ones.

#include <cmath>
#include <cstddef>

#if defined(RIVULET_HAVE_LIBMVEC) && defined(__x86_64__)
#include <emmintrin.h>
extern "C" __m128d _ZGVbN2v_exp(__m128d);  // NOLINT(bugprone-reserved-identifier): glibc ABI
extern "C" __m128d _ZGVbN2v_log(__m128d);  // NOLINT(bugprone-reserved-identifier): glibc ABI
#define RIVULET_VECTOR_MATH 1
#endif

namespace rivulet::ml::internal {

inline void exp_in_place(double* v, size_t n) {
  size_t i = 0;
#ifdef RIVULET_VECTOR_MATH
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(v + i, _ZGVbN2v_exp(_mm_loadu_pd(v + i)));
#endif
  for (; i < n; ++i) v[i] = std::exp(v[i]);
}

inline void log_in_place(double* v, size_t n) {
  size_t i = 0;
#ifdef RIVULET_VECTOR_MATH
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(v + i, _ZGVbN2v_log(_mm_loadu_pd(v + i)));
#endif
  for (; i < n; ++i) v[i] = std::log(v[i]);
}

}  // namespace rivulet::ml::internal
