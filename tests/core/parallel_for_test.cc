#include "rivulet/core/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <vector>

namespace rivulet {
namespace {

TEST(ParallelForTest, RunsEveryTaskExactlyOnceOverManySteps) {
  for (unsigned threads : {0u, 1u, 2u, 3u}) {
    ParallelFor pool(threads);
    std::vector<int> hits(37, 0);
    for (int step = 0; step < 2000; ++step) {
      pool.run(hits.size(), [&](size_t i) { ++hits[i]; });
    }
    for (int h : hits) EXPECT_EQ(h, 2000) << threads << " threads";
  }
}

TEST(ParallelForTest, StepsOfDifferentSizesAndEmptySteps) {
  ParallelFor pool(2);
  std::atomic<long> sum{0};
  long expected = 0;
  for (size_t n : {0ul, 1ul, 2ul, 5ul, 0ul, 100ul, 3ul}) {
    pool.run(n, [&](size_t i) { sum += static_cast<long>(i) + 1; });
    expected += static_cast<long>(n * (n + 1) / 2);
  }
  EXPECT_EQ(sum.load(), expected);
}

TEST(ParallelForTest, WorkersThatSleptWakeForTheNextStep) {
  ParallelFor pool(2);
  std::vector<int> out(4, 0);
  pool.run(out.size(), [&](size_t i) { out[i] = 1; });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the spin: workers sleep
  pool.run(out.size(), [&](size_t i) { out[i] += 1; });
  EXPECT_EQ(std::accumulate(out.begin(), out.end(), 0), 8);
  EXPECT_EQ(pool.threads(), 2u);
}

}  // namespace
}  // namespace rivulet
