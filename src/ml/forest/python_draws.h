#pragma once
// The draws River's forests and SRP make from a Python `random.Random`, reproduced on
// rivulet::PythonRandom call for call: River's `utils.random.poisson` (Knuth's product of
// uniforms), and CPython's `_randbelow` (rejection on getrandbits), `sample` (a pool for small
// populations, a set of picks for large ones) and `shuffle`.
// Thread safety: none (the generator is the caller's).

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/tree/nominal.h"

namespace rivulet::ml::internal {

// River's `poisson(rate, rng)`.
inline int python_poisson(double rate, PythonRandom& rng) {
  const double limit = std::exp(-rate);
  int k = 0;
  double p = 1.0;
  while (p > limit) {
    ++k;
    p *= rng.random();
  }
  return k - 1;
}

// CPython's `getrandbits(k)` for 0 < k <= 32.
inline uint32_t python_getrandbits(PythonRandom& rng, int k) { return rng.next_u32() >> (32 - k); }

// CPython's `_randbelow(n)` (getrandbits variant). REQUIRES: 0 < n < 2^32.
inline size_t python_randbelow(PythonRandom& rng, size_t n) {
  const int k = std::bit_width(static_cast<uint64_t>(n));
  uint32_t r = python_getrandbits(rng, k);
  while (r >= n) r = python_getrandbits(rng, k);
  return r;
}

// CPython's `sample(range(n), k)`: the positions picked, in order, into `out`. `pool` is
// scratch. REQUIRES: k <= n.
inline void python_sample(PythonRandom& rng, size_t n, size_t k, std::vector<size_t>& out,
                          std::vector<size_t>& pool) {
  out.clear();
  size_t setsize = 21;
  if (k > 5) {
    setsize += static_cast<size_t>(
        std::pow(4.0, std::ceil(std::log(static_cast<double>(k * 3)) / std::log(4.0))));
  }
  if (n <= setsize) {
    pool.resize(n);
    for (size_t i = 0; i < n; ++i) pool[i] = i;
    for (size_t i = 0; i < k; ++i) {
      const size_t j = python_randbelow(rng, n - i);
      out.push_back(pool[j]);
      pool[j] = pool[n - i - 1];
    }
    return;
  }
  // A set of the positions already picked; `pool` flags them.
  pool.assign(n, 0);
  for (size_t i = 0; i < k; ++i) {
    size_t j = python_randbelow(rng, n);
    while (pool[j] != 0) j = python_randbelow(rng, n);
    pool[j] = 1;
    out.push_back(j);
  }
}

// The attribute subset a leaf of River's ARF trees watches (BaseRandomLeaf._sample_features):
// `rng.sample(sorted(x.keys()), k=k)` when x has at least k attributes, else `sorted(x.keys())`
// without a draw. The names sort as Python sorts strings (by code point: the byte order of
// UTF-8). `out` receives the subset in draw order; `sorted`, `positions` and `pool` are scratch.
inline void python_attribute_subset(const tree::AttributeView& x,
                                    const tree::AttributeMap& attributes, size_t k,
                                    PythonRandom& rng, std::vector<tree::AttributeId>& out,
                                    std::vector<tree::AttributeId>& sorted,
                                    std::vector<size_t>& positions, std::vector<size_t>& pool) {
  sorted.clear();
  for (const tree::AttributeValue& e : x.entries()) sorted.push_back(e.attribute);
  std::sort(sorted.begin(), sorted.end(), [&attributes](tree::AttributeId a, tree::AttributeId b) {
    return attributes.name(a) < attributes.name(b);
  });
  if (sorted.size() < k) {
    out.assign(sorted.begin(), sorted.end());
    return;
  }
  python_sample(rng, sorted.size(), k, positions, pool);
  out.clear();
  for (const size_t p : positions) out.push_back(sorted[p]);
}

// CPython's `shuffle(x)`.
template <typename T>
inline void python_shuffle(PythonRandom& rng, std::vector<T>& x) {
  for (size_t i = x.size(); i-- > 1;) {
    const size_t j = python_randbelow(rng, i + 1);
    std::swap(x[i], x[j]);
  }
}

}  // namespace rivulet::ml::internal
