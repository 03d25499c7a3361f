#include "rivulet/ml/tree/ebst_splitter.h"

#include <gtest/gtest.h>

#include <sstream>

namespace rivulet::ml {
namespace {

VarianceStats stats_of(std::initializer_list<double> ys) {
  VarianceStats s;
  for (double y : ys) s.update(y, 1.0);
  return s;
}

TEST(EbstSplitterTest, MeritOfEachThresholdOnAToyStream) {
  // y = x on 1..4, min_samples_split 2: only x <= 2 leaves two samples on each side.
  // Var(1,2,3,4) = 5/3, Var(1,2) = Var(3,4) = 1/2: merit 5/3 - 1/2 * 1/2 - 1/2 * 1/2 = 7/6.
  EbstSplitter ebst;
  for (double x : {3.0, 1.0, 4.0, 2.0}) ebst.update(x, x, 1.0);
  EbstSplitter::Split best;
  ASSERT_TRUE(ebst.best_split(VarianceReduction{2.0}, stats_of({3, 1, 4, 2}), best));
  EXPECT_EQ(best.threshold, 2.0);
  EXPECT_NEAR(best.merit, 7.0 / 6.0, 1e-12);
  EXPECT_EQ(best.left.n, 2.0);
  EXPECT_DOUBLE_EQ(best.left.mean, 1.5);
  EXPECT_EQ(best.right.n, 2.0);
  EXPECT_DOUBLE_EQ(best.right.mean, 3.5);
  // With the default minimum of 5 no threshold is valid: every merit is 0 and the smallest
  // threshold, scored first, is kept.
  ASSERT_TRUE(ebst.best_split(VarianceReduction{}, stats_of({3, 1, 4, 2}), best));
  EXPECT_EQ(best.merit, 0.0);
  EXPECT_EQ(best.threshold, 1.0);
}

TEST(EbstSplitterTest, EqualValuesShareANode) {
  EbstSplitter ebst;
  EbstSplitter::Split best;
  EXPECT_FALSE(ebst.best_split(VarianceReduction{}, VarianceStats{}, best));
  EXPECT_EQ(best.merit, -std::numeric_limits<double>::infinity());
  for (double x : {2.0, 1.0, 2.0, 3.0, 1.0}) ebst.update(x, 0.0, 1.0);
  EXPECT_EQ(ebst.size(), 3u);
}

TEST(EbstSplitterTest, TruncatedValuesAreRoundedLikePython) {
  EXPECT_EQ(python_round(0.25, 1), 0.2);    // a tie, to even
  EXPECT_EQ(python_round(0.35, 1), 0.3);    // 0.35 is 0.34999... in binary
  EXPECT_EQ(python_round(0.45, 1), 0.5);    // 0.45 is 0.45000...1
  EXPECT_EQ(python_round(2.675, 2), 2.67);  // Python's documented example
  EXPECT_EQ(python_round(-0.05, 1), -0.1);
  EXPECT_EQ(python_round(1.26, 0), 1.0);
  EXPECT_EQ(python_round(0.1234567, 3), 0.123);
  EbstSplitter tebst(1);
  for (double x : {0.12, 0.14, 0.16, -0.04}) tebst.update(x, 1.0, 1.0);
  EXPECT_EQ(tebst.size(), 3u);  // 0.1, 0.2 and -0.0
}

TEST(EbstSplitterTest, RemoveBadSplitsPrunesFromTheLeaves) {
  // 1..10 in order make a chain to the right; with the default minimum only x <= 5 is valid.
  EbstSplitter ebst;
  VarianceStats pre;
  for (int i = 1; i <= 10; ++i) {
    ebst.update(i, i, 1.0);
    pre.update(i, 1.0);
  }
  EbstSplitter::Split best;
  ASSERT_TRUE(ebst.best_split(VarianceReduction{}, pre, best));
  EXPECT_EQ(best.threshold, 5.0);
  // Every threshold scoring 0 goes, from the end of the chain up to x <= 5, which stays and
  // keeps the thresholds above it in the chain (their right side is not all bad).
  ebst.remove_bad_splits(VarianceReduction{}, 0.9, best.merit, 0.01, pre);
  EXPECT_EQ(ebst.size(), 5u);
  EbstSplitter::Split again;
  ASSERT_TRUE(ebst.best_split(VarianceReduction{}, pre, again));
  EXPECT_EQ(again.threshold, 5.0);
  EXPECT_EQ(again.merit, best.merit);
  ebst.update(8.0, 8.0, 1.0);  // reuses a pruned node
  EXPECT_EQ(ebst.size(), 6u);
}

TEST(EbstSplitterTest, SaveLoadKeepsTheTree) {
  EbstSplitter ebst(2);
  VarianceStats pre;
  for (int i = 0; i < 50; ++i) {
    const double x = (i * 37 % 50) / 7.0;
    ebst.update(x, x * x, 1.0);
    pre.update(x * x, 1.0);
  }
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    ebst.save(out);
  }
  EbstSplitter copy(2);
  {
    StateReader in(bytes);
    copy.load(in);
  }
  EbstSplitter::Split a, b;
  ASSERT_TRUE(ebst.best_split(VarianceReduction{}, pre, a));
  ASSERT_TRUE(copy.best_split(VarianceReduction{}, pre, b));
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.merit, b.merit);
  EXPECT_EQ(copy.size(), ebst.size());
}

}  // namespace
}  // namespace rivulet::ml
