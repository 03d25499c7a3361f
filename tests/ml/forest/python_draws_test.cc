// The Python-compatible draws of the forests, checked against CPython 3 (values printed by
// random.Random(42) and River's utils.random.poisson).
#include "ml/forest/python_draws.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace rivulet::ml::internal {
namespace {

TEST(PythonDrawsTest, MatchesCPython) {
  // r = random.Random(42); r.random(); r.random()
  // r = random.Random(42); r.sample(range(8), 3); r.sample(range(46), 7); r.sample(range(100), 6)
  // x = list(range(10)); r.shuffle(x); [poisson(6, r) for _ in range(10)]; r.sample(range(30), 2)
  PythonRandom r(42);
  std::vector<size_t> out, pool;
  python_sample(r, 8, 3, out, pool);
  EXPECT_EQ(out, (std::vector<size_t>{1, 0, 5}));
  python_sample(r, 46, 7, out, pool);  // the pool method
  EXPECT_EQ(out, (std::vector<size_t>{17, 15, 14, 8, 6, 34, 5}));
  python_sample(r, 100, 6, out, pool);  // the set method (n > 21 + 4^3)
  EXPECT_EQ(out, (std::vector<size_t>{75, 54, 4, 3, 11, 27}));
  std::vector<int> x(10);
  std::iota(x.begin(), x.end(), 0);
  python_shuffle(r, x);
  EXPECT_EQ(x, (std::vector<int>{2, 5, 7, 9, 6, 1, 4, 0, 8, 3}));
  std::vector<int> k;
  for (int i = 0; i < 10; ++i) k.push_back(python_poisson(6.0, r));
  EXPECT_EQ(k, (std::vector<int>{4, 4, 10, 5, 2, 5, 8, 5, 7, 6}));
  python_sample(r, 30, 2, out, pool);
  EXPECT_EQ(out, (std::vector<size_t>{28, 18}));
}

}  // namespace
}  // namespace rivulet::ml::internal
