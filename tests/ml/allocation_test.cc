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
#include <optional>
#include <string>
#include <vector>

#include "rivulet/ml/forest/arf_regressor.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/tree/extremely_fast_decision_tree_classifier.h"
#include "rivulet/ml/tree/hoeffding_adaptive_tree_regressor.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/expression.h"
#include "stream/operators/operator_allocations.h"
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

// The array forms of libstdc++ forward to these. The nothrow forms do too, but a sanitizer's
// runtime defines its own, whose memory would then reach the free() below: they are defined
// here as well (std::stable_sort's temporary buffer is one such allocation).
void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, std::align_val_t align) {
  return counted_aligned_alloc(size, align);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++t_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned_alloc(size, align);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

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

// Learners whose structure keeps growing on a real stream in the counted steps: trees that still
// split (an adaptive tree's bootstrap weights, a forest's Poisson(6) weights with a grace period
// of 50) and forests that replace drifted trees allocate their new nodes, splitters and leaf
// models then. For them the steady state is checked on a stream with nothing left to learn:
// after the warm-up on the real stream, one sample repeated. Its leaf becomes pure and stops
// splitting, the error streams become constant so no detector fires after the settling steps,
// and what remains is the per-sample path, which must not allocate.
bool grows_on_real_streams(const std::string& spec) {
  return spec == "tree.HoeffdingAdaptiveTreeRegressor" || spec == "tree.HoeffdingAdaptiveTreeClassifier" ||
         spec == "forest.ARFClassifier" || spec == "forest.ARFRegressor" || spec == "ensemble.SRPClassifier";
}
constexpr size_t kSettle = 2000;

// Regression trees with River's default TEBSTSplitter (values rounded to 1 digit) keep splitting
// on one repeated sample x0: the split threshold is x0's rounded value, and when that is below
// x0 (rounded down), x0 takes the right branch, whose leaf inherits the split's right-hand
// statistics (the other samples of the parent). Its splitters see only x0, so every attribute
// offers the same split (x0's weight against the inherited rest) with a positive merit, and the
// tie is broken by splitting once the Hoeffding bound falls under tau; the chain ends only when
// the attribute chosen rounds x0 up (x0 then reaches a pure leaf). For these learners a step may
// allocate only if it changed the structure, as counted by the learner (new leaves, a new leaf's
// splitters at its first sample, alternate/background trees, replaced trees); returns nullopt for
// the others (which must not allocate at all).
std::optional<uint64_t> structure_changes(const Model& m) {
  const Estimator& e = m.step(m.n_steps() - 1);
  if (const auto* arf = dynamic_cast<const ARFRegressor*>(&e)) return arf->n_structure_changes();
  if (const auto* efdt = dynamic_cast<const ExtremelyFastDecisionTreeClassifier*>(&e)) {
    return efdt->n_structure_changes();  // splits, and re-evaluations that rebuild a subtree
  }
  if (const auto* hatr = dynamic_cast<const HoeffdingAdaptiveTreeRegressor*>(&e)) {
    return hatr->n_growth_events() + hatr->n_alternate_trees() + hatr->n_pruned_alternate_trees() +
           hatr->n_switch_alternate_trees();
  }
  return std::nullopt;
}

class AllocationTest : public ::testing::TestWithParam<LearnerCase> {};

TEST_P(AllocationTest, ZeroPerSampleInSteadyState) {
  const LearnerCase& c = GetParam();
  ASSERT_TRUE(c.create_error.empty()) << c.create_error;
  const Dataset& d = c.task == Task::kRegression ? learner_streams::trump_approval()
                     : c.binary || learner_streams::unsupervised(c.task)
                         ? learner_streams::phishing()
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
  // mode; for anomaly detectors and clusterers, what `rivulet predict --learn` does).
  std::optional<bool> anomaly;
  const bool grows = grows_on_real_streams(c.spec);
  auto step = [&](size_t t) {
    const size_t i = grows && t >= kWarmUp ? 0 : t % d.size();
    if (m.task() == Task::kAnomalyDetection) {
      if (t % 2 == 0) {
        sink += m.score_then_learn(xs[i], &anomaly) + (anomaly.value_or(false) ? 1 : 0);
      } else {
        const double score = m.score_one(xs[i]);
        sink += score + (m.classify(score).value_or(false) ? 1 : 0);
        m.learn_unlabeled(xs[i]);
      }
    } else if (m.task() == Task::kClustering) {
      if (t % 2 == 0) {
        sink += m.predict_then_learn_cluster(xs[i]);
      } else {
        sink += m.predict_cluster(xs[i]);
        m.learn_unlabeled(xs[i]);
      }
    } else if (m.task() == Task::kClassification) {
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
  const size_t settle = grows ? kSettle : 0;
  for (size_t t = 0; t < kWarmUp + settle; ++t) step(t);
  uint64_t allocations = 0;
  size_t steps_allocating = 0;
  size_t steps_growing = 0;
  for (size_t t = kWarmUp + settle; t < kWarmUp + settle + kCounted; ++t) {
    const std::optional<uint64_t> changes_before = structure_changes(m);
    const uint64_t step_before = t_allocations;
    step(t);
    const uint64_t step_allocations = t_allocations - step_before;
    if (changes_before && structure_changes(m) != changes_before) {
      ++steps_growing;  // the structure grew: its new nodes may allocate
      continue;
    }
    allocations += step_allocations;
    if (step_allocations != 0) ++steps_allocating;
  }
  EXPECT_EQ(allocations, 0u) << c.spec << " allocated " << allocations << " times in " << steps_allocating
                             << " of " << kCounted << " predict-then-learn steps after " << kWarmUp
                             << " of warm-up" << (grows ? " (one repeated sample after the warm-up)" : "")
                             << " (" << steps_growing << " steps that changed the structure not counted)";
  EXPECT_EQ(m.n_learned(), kWarmUp + settle + kCounted);
  (void)sink;
}

// With --threads, handing a step to the workers allocates nothing on the calling thread either
// (the counter is per thread: this counts the caller's side of every step).
TEST(ParallelAllocationTest, EnsembleStepsOnThreadsAllocateNothing) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto made = Model::create("ensemble.BaggingClassifier(model=naive_bayes.GaussianNB(), n_models=4, seed=1)");
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  Model& m = *made;
  m.set_threads(2);
  const std::vector<Features> xs = learner_streams::bind(d, m.space());
  std::vector<ClassId> ys;
  for (const auto& label : d.labels) ys.push_back(m.labels().intern(label));
  std::vector<double> proba;
  for (size_t t = 0; t < kWarmUp; ++t) (void)m.predict_then_learn(xs[t % d.size()], ys[t % d.size()], &proba);
  const uint64_t before = t_allocations;
  for (size_t t = kWarmUp; t < kWarmUp + kCounted; ++t) {
    (void)m.predict_then_learn(xs[t % d.size()], ys[t % d.size()], &proba);
  }
  EXPECT_EQ(t_allocations - before, 0u);
}

// Filling a batch, filtering it and computing a column with expressions allocates nothing once
// the batch, its arena, the output arena and the expressions' scratch space have grown.
TEST(ExpressionAllocationTest, BatchEvaluationAllocatesNothingInSteadyState) {
  using stream::Arena;
  using stream::Batch;
  using stream::Expression;
  auto schema = std::make_shared<const Schema>(*Schema::create({{"amount", Type::kDouble},
                                                                {"country", Type::kString},
                                                                {"is_test", Type::kBool},
                                                                {"ts", Type::kInt},
                                                                {"qty", Type::kString}}));
  auto filter = Expression::compile_predicate(
      "amount > 100 AND country IN ('FR', 'DE') AND NOT is_test AND LOWER(country) LIKE 'f%'",
      *schema);
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  auto map = Expression::compile(
      "CASE WHEN amount > 1000 THEN 'high' ELSE UPPER(country) || '-' || CAST(amount AS string) "
      "END || DATE_FORMAT(ts, ' yyyy-MM-dd HH:mm') || REPLACE(SUBSTRING(country, 1, 1), 'F', 'f') "
      "|| COALESCE(TRY_CAST(qty AS bigint), -1)",
      *schema);
  ASSERT_TRUE(map.ok()) << map.status().message();
  Batch batch(schema);
  Arena out_arena;
  std::vector<uint8_t> mask(1024);
  std::vector<Value> column(1024);
  std::vector<stream::EvalError> errors;
  const char* countries[] = {"FR", "DE", "US", "ES"};
  size_t selected = 0;
  auto step = [&](int round) {
    batch.clear();
    out_arena.clear();
    for (int r = 0; r < 1024; ++r) {
      const size_t row = batch.add_row(1700000000000 + r);
      batch.set(row, 0, Value::of_double((r * 37 + round) % 2000));
      batch.set_string(row, 1, countries[r % 4]);
      batch.set(row, 2, r % 10 == 0 ? Value() : Value::of_bool(r % 3 == 0));
      batch.set(row, 3, Value::of_int(1700000000000 + r * 1000));
      batch.set_string(row, 4, r % 5 == 0 ? "n/a" : "12");
    }
    selected += filter->filter_batch(batch, mask, &errors);
    map->eval_batch(batch, column, out_arena, &errors);
  };
  for (int round = 0; round < 3; ++round) step(round);
  const uint64_t before = t_allocations;
  for (int round = 3; round < 13; ++round) step(round);
  EXPECT_EQ(t_allocations - before, 0u);
  EXPECT_TRUE(errors.empty());
  EXPECT_GT(selected, 0u);
}

std::string learner_name(const ::testing::TestParamInfo<LearnerCase>& info) {
  return learner_streams::test_name(info.param.entry);
}

INSTANTIATE_TEST_SUITE_P(Registry, AllocationTest,
                         ::testing::ValuesIn(learner_streams::learner_cases()), learner_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AllocationTest);

// The record steps of pipelines (filter, map, select, drop, key_by, flat_map, validate) allocate
// nothing per batch once warmed up.
TEST(OperatorAllocationTest, RecordOperatorsAllocateNothingInSteadyState) {
  for (const auto& [kind, n] :
       rivulet::stream::test::steady_state_allocations([] { return t_allocations; })) {
    EXPECT_EQ(n, 0u) << kind;
  }
}

}  // namespace
}  // namespace rivulet::ml
