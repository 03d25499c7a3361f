// The Python-compatible draws of the forests, checked against CPython 3 (values printed by
// random.Random(42) and River's utils.random.poisson).
#include "ml/forest/python_draws.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "rivulet/core/features.h"

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

TEST(PythonDrawsTest, AttributeSubsetAsRiversLeaves) {
  // River's ARF leaves: rng.sample(sorted(x.keys()), k=max_features), the names sorted as Python
  // sorts strings; the one-hot features of a text column are its one attribute.
  // names = ['vicprice', 'date', 'Period', 'day', 'nswprice', 'color']
  // r = random.Random(42); r.sample(sorted(names), k=3); r.random()
  // random.Random(7).sample(sorted(names), k=6)
  FeatureSpace space;
  Features x;
  for (const char* name : {"vicprice", "date", "Period", "day", "nswprice", "color=red"}) {
    x.push(space.intern(name), 1.0);
  }
  tree::AttributeMap map;
  tree::AttributeView view;
  map.resolve(x, &space, view);
  std::vector<tree::AttributeId> out, sorted;
  std::vector<size_t> positions, pool;
  auto names = [&] {
    std::vector<std::string> n;
    for (const auto a : out) n.push_back(map.name(a));
    return n;
  };
  PythonRandom r(42);
  python_attribute_subset(view, map, 3, r, out, sorted, positions, pool);
  EXPECT_EQ(names(), (std::vector<std::string>{"vicprice", "Period", "nswprice"}));
  // Fewer attributes than k: all of them, sorted, and no draw.
  python_attribute_subset(view, map, 7, r, out, sorted, positions, pool);
  EXPECT_EQ(names(), (std::vector<std::string>{"Period", "color", "date", "day", "nswprice",
                                               "vicprice"}));
  EXPECT_EQ(r.random(), 0.7415504997598329);
  // As many as k: a draw all the same (River's order is the drawn one).
  PythonRandom r7(7);
  python_attribute_subset(view, map, 6, r7, out, sorted, positions, pool);
  EXPECT_EQ(names(), (std::vector<std::string>{"date", "color", "day", "vicprice", "Period",
                                               "nswprice"}));
}

}  // namespace
}  // namespace rivulet::ml::internal
