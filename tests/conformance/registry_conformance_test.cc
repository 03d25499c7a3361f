// The conformance suite: every classifier, regressor, anomaly detector, clusterer and transformer
// of ml::registry() (the transformers inside "<transformer> | LogisticRegression"), every metric
// and every optimizer, checked for the contract of ml/estimator.h, as River's
// river/checks/common.py does for its estimators. The suite enumerates the registry, so a new
// registry line is covered without a test edit; each test is named after the entry.
//
// Value-parameterized over the runtime registry (entries are runtime objects, so a typed suite
// does not fit).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "support/learner_streams.h"

namespace rivulet::ml {
namespace {

using learner_streams::bind;
using learner_streams::Dataset;
using learner_streams::LearnerCase;
using learner_streams::seeded;

constexpr uint64_t kSeed = 42;
// Samples of each conformance run; the baseline comparison uses whole datasets.
constexpr size_t kRunLength = 500;

Model make_model(const LearnerCase& c) {
  auto made = Model::create(c.spec, seeded(kSeed));
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// The streams a learner is checked on: binary data for every classifier, multi-class data too
// for the classifiers that are not binary-only, numeric targets for regressors, and Phishing's
// features (all in [0, 1], as half-space trees expect) for anomaly detectors and clusterers.
std::vector<const Dataset*> datasets_for(const LearnerCase& c) {
  if (learner_streams::unsupervised(c.task)) return {&learner_streams::phishing()};
  if (c.task == Task::kRegression) {
    return {&learner_streams::chick_weights(), &learner_streams::trump_approval()};
  }
  if (c.binary) return {&learner_streams::phishing()};
  return {&learner_streams::phishing(), &learner_streams::image_segments()};
}

// The streams a learner must beat the dummies on. Regressors: ChickWeights, whose target follows
// the features; TrumpApproval's target sits near 43 with little spread, so with River's default
// intercept_lr of 0.01 a linear model spends its first few hundred samples reaching the mean
// (River's own example raises intercept_lr to 0.1 there).
std::vector<const Dataset*> baseline_datasets_for(const LearnerCase& c) {
  if (c.task == Task::kRegression) return {&learner_streams::chick_weights()};
  return datasets_for(c);
}

// One model's view of a dataset: the rows in its feature space.
struct Stream {
  const Dataset* data;
  std::vector<Features> x;
  size_t size() const { return std::min(x.size(), kRunLength); }
};

Stream stream_for(Model& m, const Dataset& d) { return {&d, bind(d, m.space())}; }

// Predict-then-learn over rows [begin, end) of xs (labels/targets from d), appending every
// output to `out`: for a classifier the predicted class (-1: none, -2: an unseen label), the
// number of probabilities and the probabilities; for a regressor the prediction; for an anomaly
// detector the score and the filter's decision (-1: none); for a clusterer the cluster.
void run(Model& m, const Dataset& d, const std::vector<Features>& xs, size_t begin, size_t end,
         std::vector<double>& out) {
  std::vector<double> proba;
  for (size_t i = begin; i < end; ++i) {
    if (m.task() == Task::kAnomalyDetection) {
      std::optional<bool> anomaly;
      out.push_back(m.score_then_learn(xs[i], &anomaly));
      out.push_back(anomaly.has_value() ? (*anomaly ? 1.0 : 0.0) : -1.0);
    } else if (m.task() == Task::kClustering) {
      out.push_back(static_cast<double>(m.predict_then_learn_cluster(xs[i])));
    } else if (m.task() == Task::kClassification) {
      const ClassId y = m.labels().intern(d.labels[i]);
      proba.clear();
      const auto predicted = m.predict_then_learn(xs[i], y, &proba);
      out.push_back(!predicted               ? -1.0
                    : *predicted == kNoClass ? -2.0
                                             : static_cast<double>(*predicted));
      out.push_back(static_cast<double>(proba.size()));
      out.insert(out.end(), proba.begin(), proba.end());
    } else {
      out.push_back(m.predict_then_learn_value(xs[i], d.targets[i]));
    }
  }
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Bitwise equality (NaN equals NaN: determinism is the question here, not finiteness).
::testing::AssertionResult identical(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure()
           << "outputs differ in length: " << a.size() << " vs " << b.size();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) {
      return ::testing::AssertionFailure()
             << "output " << i << " differs: " << a[i] << " vs " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult close(const std::vector<double>& a, const std::vector<double>& b,
                                 double tol) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure()
           << "outputs differ in length: " << a.size() << " vs " << b.size();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (same_bits(a[i], b[i])) continue;
    if (!(std::abs(a[i] - b[i]) <= tol * std::max(1.0, std::abs(a[i])))) {
      return ::testing::AssertionFailure()
             << "output " << i << " differs by more than " << tol << ": " << a[i] << " vs " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult all_finite(const std::vector<double>& a) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) {
      return ::testing::AssertionFailure() << "output " << i << " is " << a[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class LearnerConformanceTest : public ::testing::TestWithParam<LearnerCase> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(GetParam().create_error.empty())
        << GetParam().spec << " does not build with its defaults: " << GetParam().create_error;
    for (const Dataset* d : datasets_for(GetParam())) {
      ASSERT_TRUE(d->error.empty()) << d->name << ": " << d->error;
      ASSERT_GT(d->size(), 0u) << d->name;
    }
  }
};

TEST_P(LearnerConformanceTest, InputNotMutated) {
  for (const Dataset* d : datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model m = make_model(GetParam());
    Stream s = stream_for(m, *d);
    const std::vector<Features> before = s.x;
    std::vector<double> proba, scratch;
    for (size_t i = 0; i < s.size(); ++i) {
      const Features& x = s.x[i];
      if (m.task() == Task::kAnomalyDetection) {
        (void)m.classify(m.score_one(x));
        m.learn_unlabeled(x);
        (void)m.score_then_learn(x);
      } else if (m.task() == Task::kClustering) {
        (void)m.predict_cluster(x);
        m.learn_unlabeled(x);
        (void)m.predict_then_learn_cluster(x);
      } else if (m.task() == Task::kClassification) {
        const ClassId y = m.labels().intern(d->labels[i]);
        (void)m.predict_proba_one(x, proba);
        (void)m.predict_one(x);
        m.learn_one(x, y);
        (void)m.predict_then_learn(x, y, &proba);
      } else {
        (void)m.predict_value(x);
        m.learn_value(x, d->targets[i]);
        (void)m.predict_then_learn_value(x, d->targets[i]);
      }
    }
    for (size_t i = 0; i < s.size(); ++i) {
      ASSERT_EQ(s.x[i], before[i]) << "sample " << i << " was changed by the model";
    }
  }
}

TEST_P(LearnerConformanceTest, FeatureOrderIrrelevant) {
  for (const Dataset* d : datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model straight = make_model(GetParam());
    Model shuffled = make_model(GetParam());
    Stream a = stream_for(straight, *d);
    Stream b = stream_for(shuffled, *d);
    std::mt19937_64 rng(7);
    for (size_t i = 0; i < b.size(); ++i) {
      if (i % 2 == 0) {
        std::reverse(b.x[i].begin(), b.x[i].end());
      } else {
        std::shuffle(b.x[i].begin(), b.x[i].end(), rng);
      }
    }
    std::vector<double> out_a, out_b;
    run(straight, *d, a.x, 0, a.size(), out_a);
    run(shuffled, *d, b.x, 0, b.size(), out_b);
    EXPECT_TRUE(close(out_a, out_b, 1e-12));
  }
}

TEST_P(LearnerConformanceTest, NewAndMissingFeaturesTolerated) {
  for (const Dataset* d : datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model m = make_model(GetParam());
    Stream s = stream_for(m, *d);
    const size_t n = s.size();
    // A quarter of the values go missing; a new feature appears after a third of the stream and
    // another after two thirds; every 50th sample has no feature at all.
    std::vector<Features> xs(n);
    FeatureIndex first_new = 0, second_new = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i == n / 3) first_new = m.space().intern("conformance_new_1");
      if (i == 2 * n / 3) second_new = m.space().intern("conformance_new_2");
      if (i % 50 == 49) continue;
      for (size_t j = 0; j < s.x[i].size(); ++j) {
        if ((i * 7 + j * 3) % 4 != 0) xs[i].push(s.x[i][j].index, s.x[i][j].value);
      }
      if (i >= n / 3) xs[i].push(first_new, static_cast<double>(i % 3) / 2.0);
      if (i >= 2 * n / 3 && i % 2 == 0) xs[i].push(second_new, 1.0);
    }
    std::vector<double> out;
    run(m, *d, xs, 0, n, out);
    EXPECT_TRUE(all_finite(out));
    // Predicting on features never learned, or on none, is fine too.
    const FeatureIndex unseen = m.space().intern("conformance_never_learned");
    out.clear();
    std::vector<double> proba;
    if (m.task() == Task::kAnomalyDetection) {
      out.push_back(m.score_one(Features{{unseen, 0.5}}));
      out.push_back(m.score_one(Features{}));
    } else if (m.task() == Task::kClustering) {
      out.push_back(m.predict_cluster(Features{{unseen, 0.5}}));
      out.push_back(m.predict_cluster(Features{}));
    } else if (m.task() == Task::kClassification) {
      (void)m.predict_proba_one(Features{{unseen, 0.5}}, proba);
      out.insert(out.end(), proba.begin(), proba.end());
      (void)m.predict_proba_one(Features{}, proba);
      out.insert(out.end(), proba.begin(), proba.end());
    } else {
      out.push_back(m.predict_value(Features{{unseen, 0.5}}));
      out.push_back(m.predict_value(Features{}));
    }
    EXPECT_TRUE(all_finite(out));
  }
}

TEST_P(LearnerConformanceTest, SameSeedSameOutput) {
  for (const Dataset* d : datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model first = make_model(GetParam());
    Model second = make_model(GetParam());
    Stream a = stream_for(first, *d);
    Stream b = stream_for(second, *d);
    std::vector<double> out_a, out_b;
    run(first, *d, a.x, 0, a.size(), out_a);
    run(second, *d, b.x, 0, b.size(), out_b);
    EXPECT_TRUE(identical(out_a, out_b));
    EXPECT_EQ(first.save_bytes(), second.save_bytes());
  }
}

TEST_P(LearnerConformanceTest, SaveLoadRoundTripContinuesIdentically) {
  for (const Dataset* d : datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model original = make_model(GetParam());
    Stream s = stream_for(original, *d);
    const size_t n = s.size();
    for (const size_t cut : {size_t{0}, n / 2}) {
      SCOPED_TRACE("saved after " + std::to_string(cut) + " samples");
      Model m = make_model(GetParam());
      std::vector<double> ignored;
      run(m, *d, s.x, 0, cut, ignored);
      const std::string bytes = m.save_bytes();
      auto loaded = Model::load_bytes(bytes);
      ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
      EXPECT_EQ(loaded->save_bytes(), bytes) << "the loaded state saves differently";
      EXPECT_EQ(loaded->n_learned(), m.n_learned());
      std::vector<double> out_original, out_loaded;
      run(m, *d, s.x, cut, n, out_original);
      run(*loaded, *d, s.x, cut, n, out_loaded);
      EXPECT_TRUE(identical(out_original, out_loaded));
    }
  }
}

// The CRC-32 of zlib (reflected, polynomial 0xedb88320), to re-seal altered payloads.
uint32_t crc32_of(std::string_view bytes) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : bytes) crc = table[(crc ^ c) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

// A model file whose payload is `payload`, with a valid header and checksum (the layout of
// docs/model-format.md: magic, u32 version, u64 payload size, payload, u32 CRC-32).
std::string seal(std::string_view original, std::string_view payload) {
  std::string out(original.substr(0, 12));
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((uint64_t{payload.size()} >> (8 * i)) & 0xff));
  out += payload;
  const uint32_t crc = crc32_of(payload);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

TEST_P(LearnerConformanceTest, CorruptBytesAreDataLoss) {
  const Dataset* d = datasets_for(GetParam()).back();
  Model m = make_model(GetParam());
  Stream s = stream_for(m, *d);
  std::vector<double> ignored;
  run(m, *d, s.x, 0, s.size() / 2, ignored);
  const std::string bytes = m.save_bytes();
  ASSERT_GT(bytes.size(), 24u);
  auto expect_data_loss = [](std::string_view altered, const std::string& what) {
    auto loaded = Model::load_bytes(altered);
    EXPECT_FALSE(loaded.ok()) << what << " loaded";
    if (!loaded.ok()) {
      EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss)
          << what << ": " << loaded.status().to_string();
    }
  };
  // Truncated files and flipped bits: the header and checksum catch them.
  const size_t step = std::max<size_t>(1, bytes.size() / 16);
  for (size_t len = 0; len < bytes.size(); len += step) {
    expect_data_loss(std::string_view(bytes).substr(0, len), "truncated to " + std::to_string(len));
  }
  expect_data_loss(std::string_view(bytes).substr(0, bytes.size() - 1), "truncated by one byte");
  for (size_t at = 0; at < bytes.size(); at += step) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (at % 8)));
    expect_data_loss(flipped, "bit flipped at " + std::to_string(at));
  }
  // A truncated payload under a valid checksum reaches the learners' load(), which must run out
  // of bytes (a load that reads less than save wrote is caught here too).
  const std::string_view payload = std::string_view(bytes).substr(20, bytes.size() - 24);
  const size_t payload_step = std::max<size_t>(1, payload.size() / 16);
  for (size_t cut = 1; cut <= payload.size(); cut += payload_step) {
    expect_data_loss(seal(bytes, payload.substr(0, payload.size() - cut)),
                     "payload short of " + std::to_string(cut) + " bytes");
  }
  // The same bytes, re-sealed untouched, still load.
  EXPECT_TRUE(Model::load_bytes(seal(bytes, payload)).ok());
}

// Accuracy (no prediction counts as wrong) or mean absolute error of a predict-then-learn pass.
double score(Model& m, const Dataset& d) {
  const std::vector<Features> xs = bind(d, m.space());
  double total = 0;
  std::vector<double> proba;
  for (size_t i = 0; i < d.size(); ++i) {
    if (m.task() == Task::kClassification) {
      const ClassId y = m.labels().intern(d.labels[i]);
      const auto predicted = m.predict_then_learn(xs[i], y, &proba);
      total += predicted == y ? 1.0 : 0.0;
    } else {
      total += std::abs(m.predict_then_learn_value(xs[i], d.targets[i]) - d.targets[i]);
    }
  }
  return total / static_cast<double>(d.size());
}

// The baselines a learner must beat: the dummy entries when registered, else what they compute
// (the majority class so far, the running mean), computed here.
std::vector<std::pair<std::string, double>> baselines(Task task, const Dataset& d) {
  std::vector<std::pair<std::string, double>> out;
  const std::vector<std::string> names =
      task == Task::kClassification
          ? std::vector<std::string>{"dummy.PriorClassifier", "dummy.NoChangeClassifier"}
          : std::vector<std::string>{"dummy.StatisticRegressor"};
  for (const auto& name : names) {
    if (find_entry(name) == nullptr) continue;
    auto m = Model::create(name, seeded(kSeed));
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    if (m.ok()) out.emplace_back(name, score(*m, d));
  }
  if (!out.empty()) return out;
  double total = 0;
  if (task == Task::kClassification) {
    std::vector<std::string> seen;
    std::vector<int> counts;
    for (size_t i = 0; i < d.size(); ++i) {
      size_t best = 0;
      for (size_t c = 1; c < counts.size(); ++c) best = counts[c] > counts[best] ? c : best;
      if (!counts.empty() && seen[best] == d.labels[i]) total += 1;
      const auto it = std::find(seen.begin(), seen.end(), d.labels[i]);
      if (it == seen.end()) {
        seen.push_back(d.labels[i]);
        counts.push_back(1);
      } else {
        ++counts[it - seen.begin()];
      }
    }
    out.emplace_back("majority class so far", total / static_cast<double>(d.size()));
  } else {
    double sum = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      total += std::abs((i > 0 ? sum / static_cast<double>(i) : 0.0) - d.targets[i]);
      sum += d.targets[i];
    }
    out.emplace_back("running mean", total / static_cast<double>(d.size()));
  }
  return out;
}

TEST_P(LearnerConformanceTest, BeatsDummyBaseline) {
  if (GetParam().entry.starts_with("dummy.")) GTEST_SKIP() << "a baseline itself";
  if (learner_streams::unsupervised(GetParam().task)) {
    GTEST_SKIP() << "no label to beat a baseline on (tests/ml/anomaly, tests/ml/cluster check "
                    "their results against River's)";
  }
  for (const Dataset* d : baseline_datasets_for(GetParam())) {
    SCOPED_TRACE(d->name);
    Model m = make_model(GetParam());
    const double s = score(m, *d);
    for (const auto& [name, baseline] : baselines(m.task(), *d)) {
      if (m.task() == Task::kClassification) {
        EXPECT_GT(s, baseline) << "accuracy " << s << " on " << d->name << " does not beat "
                               << name;
      } else {
        EXPECT_LT(s, baseline) << "MAE " << s << " on " << d->name << " does not beat " << name;
      }
    }
  }
}

std::string learner_name(const ::testing::TestParamInfo<LearnerCase>& info) {
  return learner_streams::test_name(info.param.entry);
}

INSTANTIATE_TEST_SUITE_P(Registry, LearnerConformanceTest,
                         ::testing::ValuesIn(learner_streams::learner_cases()), learner_name);

// ---- Metrics ----------------------------------------------------------------------------------

std::vector<std::string> entry_names(EntryKind kind) {
  std::vector<std::string> names;
  for (const auto& e : registry()) {
    if (e.kind == kind) names.emplace_back(e.name);
  }
  return names;
}

std::string name_of(const ::testing::TestParamInfo<std::string>& info) {
  return learner_streams::test_name(info.param);
}

class MetricConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    labels_.intern("1");  // the positive class of binary metrics
    labels_.intern("0");
    labels_.intern("2");
  }
  std::unique_ptr<Metric> make() const {
    auto made = make_metric(GetParam());
    EXPECT_TRUE(made.ok()) << made.status().to_string();
    if (!made.ok()) return nullptr;
    (*made)->attach(&labels_);
    return std::move(made).value();
  }
  // Feeds samples [begin, end) of a fixed pseudo-random sequence.
  void feed(Metric& m, int begin, int end) const {
    for (int i = begin; i < end; ++i) {
      std::mt19937_64 rng(static_cast<uint64_t>(i) * 7919u + 1u);
      std::uniform_real_distribution<double> u(0.0, 1.0);
      if (m.task() == MetricTask::kClassification) {
        auto& cm = static_cast<ClassificationMetric&>(m);
        const ClassId y_true = static_cast<ClassId>(rng() % 3);
        // Mostly right, sometimes wrong, rarely an unseen label.
        const double r = u(rng);
        const ClassId y_pred = r < 0.6    ? y_true
                               : r < 0.97 ? static_cast<ClassId>(rng() % 3)
                                          : kNoClass;
        std::vector<double> proba;
        if (m.needs_proba()) {
          proba = {u(rng), u(rng), u(rng)};
          if (y_pred != kNoClass) proba[y_pred] += 1.0;
          const double sum = proba[0] + proba[1] + proba[2];
          for (double& p : proba) p /= sum;
        }
        cm.update(y_true, y_pred, proba);
      } else {
        auto& rm = static_cast<RegressionMetric&>(m);
        const double y_true = 20.0 * u(rng) - 10.0;
        rm.update(y_true, y_true + 4.0 * u(rng) - 2.0);
      }
    }
  }
  static std::string bytes_of(const Metric& m) {
    std::ostringstream out(std::ios::binary);
    {
      StateWriter w(out);
      m.save(w);
    }
    return out.str();
  }
  LabelEncoder labels_;
};

TEST_P(MetricConformanceTest, SaveLoadRoundTrip) {
  auto m = make();
  ASSERT_NE(m, nullptr);
  feed(*m, 0, 200);
  const std::string bytes = bytes_of(*m);
  auto restored = make();
  ASSERT_NE(restored, nullptr);
  {
    std::istringstream in(bytes, std::ios::binary);
    StateReader r(in);
    restored->load(r);
  }
  EXPECT_TRUE(same_bits(restored->get(), m->get())) << restored->get() << " vs " << m->get();
  EXPECT_EQ(restored->report(), m->report());
  EXPECT_EQ(bytes_of(*restored), bytes);
  feed(*m, 200, 400);
  feed(*restored, 200, 400);
  EXPECT_TRUE(same_bits(restored->get(), m->get())) << restored->get() << " vs " << m->get();
  EXPECT_EQ(restored->report(), m->report());
}

TEST_P(MetricConformanceTest, CloneFreshIsIndependent) {
  auto m = make();
  ASSERT_NE(m, nullptr);
  feed(*m, 0, 200);
  const double before = m->get();
  const std::string report_before = m->report();
  auto clone = m->clone_fresh();
  ASSERT_NE(clone, nullptr);
  clone->attach(&labels_);
  auto fresh = make();
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(clone->name(), m->name());
  EXPECT_EQ(clone->task(), m->task());
  EXPECT_TRUE(same_bits(clone->get(), fresh->get())) << "a fresh clone reads " << clone->get();
  EXPECT_EQ(bytes_of(*clone), bytes_of(*fresh));
  feed(*clone, 200, 300);
  feed(*fresh, 200, 300);
  EXPECT_TRUE(same_bits(clone->get(), fresh->get())) << clone->get() << " vs " << fresh->get();
  EXPECT_TRUE(same_bits(m->get(), before)) << "updating the clone changed the original";
  EXPECT_EQ(m->report(), report_before);
}

INSTANTIATE_TEST_SUITE_P(Registry, MetricConformanceTest,
                         ::testing::ValuesIn(entry_names(EntryKind::kMetric)), name_of);

// ---- Optimizers -------------------------------------------------------------------------------

class OptimizerConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimizerConformanceTest, FiniteInsideLinearModel) {
  // LinearRegression on ChickWeights; until it is registered, LogisticRegression on Phishing.
  const bool regression = find_entry("linear_model.LinearRegression") != nullptr;
  const Dataset& d = regression ? learner_streams::chick_weights() : learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const std::string spec = std::string(regression ? "linear_model.LinearRegression"
                                                  : "linear_model.LogisticRegression") +
                           "(optimizer=" + GetParam() + ")";
  auto m = Model::create(spec, seeded(kSeed));
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  const std::vector<Features> xs = bind(d, m->space());
  std::vector<double> out;
  run(*m, d, xs, 0, d.size(), out);
  EXPECT_TRUE(all_finite(out)) << spec;
  // A round trip keeps the optimizer's state.
  auto loaded = Model::load_bytes(m->save_bytes());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  std::vector<double> again_a, again_b;
  run(*m, d, xs, 0, d.size() / 2, again_a);
  run(*loaded, d, xs, 0, d.size() / 2, again_b);
  EXPECT_TRUE(identical(again_a, again_b)) << spec;
}

INSTANTIATE_TEST_SUITE_P(Registry, OptimizerConformanceTest,
                         ::testing::ValuesIn(entry_names(EntryKind::kOptimizer)), name_of);

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LearnerConformanceTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MetricConformanceTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OptimizerConformanceTest);

}  // namespace
}  // namespace rivulet::ml
