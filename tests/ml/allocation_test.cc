// Proves that every learner of the registry allocates nothing per sample in steady state: after
// a warm-up on a stream, 1,000 further predict-then-learn calls on feature indices already seen
// must not call operator new once.
//
// The counting operator new/delete below replace the global ones for the whole test binary. The
// counter is a thread_local integer, always on and read only here, so the other tests pay one
// increment per allocation.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "rivulet/ml/model.h"
#include "support/learner_streams.h"

namespace {
thread_local uint64_t t_allocations = 0;

void* counted_alloc(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  ++t_allocations;
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}
}  // namespace

// The array and nothrow forms of libstdc++ forward to these.
void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace rivulet::ml {
namespace {

using learner_streams::Dataset;
using learner_streams::LearnerCase;

constexpr size_t kWarmUp = 2000;
constexpr size_t kCounted = 1000;

TEST(AllocationCounterTest, CountsNew) {
  const uint64_t before = t_allocations;
  void* volatile p = ::operator new(16);
  ::operator delete(p);
  EXPECT_EQ(t_allocations - before, 1u);
  // Allocations inside the library are counted too.
  const uint64_t before_create = t_allocations;
  auto model = Model::create("naive_bayes.GaussianNB");
  ASSERT_TRUE(model.ok());
  EXPECT_GT(t_allocations - before_create, 0u);
}

class AllocationTest : public ::testing::TestWithParam<LearnerCase> {};

TEST_P(AllocationTest, ZeroPerSampleInSteadyState) {
  const LearnerCase& c = GetParam();
  ASSERT_TRUE(c.create_error.empty()) << c.create_error;
  const Dataset& d = c.task == Task::kRegression ? learner_streams::trump_approval()
                     : c.binary                  ? learner_streams::phishing()
                                                 : learner_streams::image_segments();
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_GT(d.size(), 0u);
  auto made = Model::create(c.spec, learner_streams::seeded(42));
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  Model& m = *made;
  const std::vector<Features> xs = learner_streams::bind(d, m.space());
  std::vector<ClassId> ys;
  if (m.task() == Task::kClassification) {
    for (const auto& label : d.labels) ys.push_back(m.labels().intern(label));
  }
  std::vector<double> proba;
  double sink = 0;
  // Each sample goes through one of the model's paths in turn: predict-then-learn with and
  // without probabilities (what `rivulet eval` does), and predict then learn apart (its delay
  // mode).
  auto step = [&](size_t t) {
    const size_t i = t % d.size();
    if (m.task() == Task::kClassification) {
      if (t % 3 == 0) {
        sink += m.predict_then_learn(xs[i], ys[i], &proba).value_or(0);
      } else if (t % 3 == 1) {
        sink += m.predict_then_learn(xs[i], ys[i], nullptr).value_or(0);
      } else {
        sink += m.predict_proba_one(xs[i], proba) ? 1 : 0;
        sink += m.predict_one(xs[i]).value_or(0);
        m.learn_one(xs[i], ys[i]);
      }
    } else if (t % 2 == 0) {
      sink += m.predict_then_learn_value(xs[i], d.targets[i]);
    } else {
      sink += m.predict_value(xs[i]);
      m.learn_value(xs[i], d.targets[i]);
    }
  };
  for (size_t t = 0; t < kWarmUp; ++t) step(t);
  const uint64_t before = t_allocations;
  for (size_t t = kWarmUp; t < kWarmUp + kCounted; ++t) step(t);
  const uint64_t allocations = t_allocations - before;
  EXPECT_EQ(allocations, 0u) << c.spec << " allocated " << allocations << " times in " << kCounted
                             << " predict-then-learn calls after " << kWarmUp << " of warm-up";
  EXPECT_EQ(m.n_learned(), kWarmUp + kCounted);
  (void)sink;
}

std::string learner_name(const ::testing::TestParamInfo<LearnerCase>& info) {
  return learner_streams::test_name(info.param.entry);
}

INSTANTIATE_TEST_SUITE_P(Registry, AllocationTest,
                         ::testing::ValuesIn(learner_streams::learner_cases()), learner_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AllocationTest);

}  // namespace
}  // namespace rivulet::ml
