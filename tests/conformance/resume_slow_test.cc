// The slow suite (`make test-all`): every registry learner over the whole Electricity stream
// (45,312 rows), saved and restored halfway, must go on exactly as a run that never stopped:
// the same prediction (score, cluster) for every row of the second half. Regressors predict
// `nswdemand` from the other columns; anomaly detectors and clusterers see the classification
// stream's features (the label is left out).

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "support/learner_streams.h"

namespace rivulet {
namespace {

using learner_streams::LearnerCase;

const learner_streams::Dataset& electricity(bool regression) {
  static const auto classes =
      learner_streams::load_dataset("Electricity", "electricity/elecNormNew.arff.gz", "class", false);
  static const auto demand =
      learner_streams::load_dataset("ElectricityDemand", "electricity/elecNormNew.arff.gz", "nswdemand", false);
  return regression ? demand : classes;
}

class ResumeSlowTest : public testing::TestWithParam<LearnerCase> {};

TEST_P(ResumeSlowTest, RestoredHalfwayContinuesExactlyAsUninterrupted) {
  const LearnerCase& c = GetParam();
  ASSERT_TRUE(c.create_error.empty()) << c.create_error;
  const bool regression = c.task == ml::Task::kRegression;
  const auto& d = electricity(regression);
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_EQ(d.size(), 45312u);

  auto whole = ml::Model::create(c.spec, learner_streams::seeded(42)).value();
  auto first = ml::Model::create(c.spec, learner_streams::seeded(42)).value();
  const auto rows_whole = learner_streams::bind(d, whole.space());
  const auto rows_first = learner_streams::bind(d, first.space());
  const size_t half = d.size() / 2;
  std::optional<ml::Model> resumed;
  size_t differences = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i == half) {
      auto loaded = ml::Model::load_bytes(first.save_bytes());
      ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
      resumed.emplace(std::move(loaded).value());
    }
    ml::Model& other = i < half ? first : *resumed;
    if (c.task == ml::Task::kAnomalyDetection) {
      std::optional<bool> da, db;
      const double a = whole.score_then_learn(rows_whole[i], &da);
      const double b = other.score_then_learn(rows_first[i], &db);
      differences += (a == b && da == db) ? 0 : 1;
    } else if (c.task == ml::Task::kClustering) {
      differences += whole.predict_then_learn_cluster(rows_whole[i]) ==
                             other.predict_then_learn_cluster(rows_first[i])
                         ? 0
                         : 1;
    } else if (regression) {
      const double a = whole.predict_then_learn_value(rows_whole[i], d.targets[i]);
      const double b = other.predict_then_learn_value(rows_first[i], d.targets[i]);
      differences += (a == b || (std::isnan(a) && std::isnan(b))) ? 0 : 1;
    } else {
      const auto a = whole.predict_then_learn(rows_whole[i], whole.labels().intern(d.labels[i]), nullptr);
      const auto b = other.predict_then_learn(rows_first[i], other.labels().intern(d.labels[i]), nullptr);
      differences += a == b ? 0 : 1;
    }
  }
  EXPECT_EQ(differences, 0u) << c.spec;
  EXPECT_EQ(resumed->save_bytes(), whole.save_bytes()) << c.spec;
}

INSTANTIATE_TEST_SUITE_P(Registry, ResumeSlowTest, testing::ValuesIn(learner_streams::learner_cases()),
                         [](const testing::TestParamInfo<LearnerCase>& info) {
                           return learner_streams::test_name(info.param.entry);
                         });

}  // namespace
}  // namespace rivulet
