#include "rivulet/ml/tree/hoeffding_adaptive_tree_classifier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ml/eval_helper.h"
#include "rivulet/ml/model.h"

namespace rivulet::ml {
namespace {

constexpr const char* kPhishing = "river/phishing.csv.gz";
constexpr const char* kBananas = "river/banana.libsvm.gz";
constexpr const char* kSegments = "river/segment.csv.gz";
constexpr const char* kElectricity = "electricity/elecNormNew.arff.gz";

double accuracy(const std::string& spec, const char* path, const char* target) {
  auto acc = test_support::evaluate_spec(spec, path, target);
  EXPECT_TRUE(acc.ok()) << acc.status().to_string();
  return acc.ok() ? acc->value : 0.0;
}

double mean_over_seeds(const char* path, const char* target) {
  double sum = 0.0;
  for (int seed = 42; seed < 47; ++seed) {
    sum += accuracy("tree.HoeffdingAdaptiveTreeClassifier(seed=" + std::to_string(seed) + ")", path,
                    target);
  }
  return sum / 5.0;
}

// River 0.12.1 with seed 42 (issue 3's table). The leaves' Poisson weights come from CPython's
// Mersenne Twister seeded as River seeds it, so the runs agree to the sample.
TEST(HoeffdingAdaptiveTreeClassifierTest, PhishingMatchesRiver) {
  EXPECT_EQ(accuracy("tree.HoeffdingAdaptiveTreeClassifier", kPhishing, "is_phishing"),
            1092.0 / 1249.0);
  EXPECT_NEAR(mean_over_seeds(kPhishing, "is_phishing"), 0.8743, 0.015);  // 0.8746
}

TEST(HoeffdingAdaptiveTreeClassifierTest, BananasMatchesRiver) {
  EXPECT_EQ(accuracy("tree.HoeffdingAdaptiveTreeClassifier(seed=42)", kBananas, "label"),
            3267.0 / 5299.0);
}

// The detector and the alternate subtree at work: the concept flips halfway; the root's ADWIN
// sees the error rise and an alternate tree grows and takes over (here by splitting, which in
// River puts it in the branch's place at once).
TEST(HoeffdingAdaptiveTreeClassifierTest, AlternateTreeReplacesDriftedBranch) {
  auto hat = HoeffdingAdaptiveTreeClassifier::create({.grace_period = 50}).value();
  LabelEncoder labels;
  hat->attach({nullptr, &labels});
  const ClassId yes = labels.intern("yes"), no = labels.intern("no");
  std::vector<double> scratch;
  size_t correct_late = 0;
  for (int i = 0; i < 8000; ++i) {
    const double v = ((i * 7919) % 1000) / 1000.0;
    const bool flipped = i >= 4000;
    const ClassId y = (v < 0.5) != flipped ? yes : no;
    const Features x{{0, v}, {1, ((i * 104729) % 1000) / 1000.0}};
    if (i >= 7000) correct_late += hat->predict_one(x, scratch) == y ? 1 : 0;
    hat->learn_one(x, y);
  }
  EXPECT_GE(hat->n_alternate_trees(), 1u);
  EXPECT_GT(correct_late, 900u);
}

TEST(HoeffdingAdaptiveTreeClassifierTest, SameSeedSameTreeOtherSeedOtherDraws) {
  auto a = Model::create("tree.HoeffdingAdaptiveTreeClassifier(seed=7)").value();
  auto b = Model::create("tree.HoeffdingAdaptiveTreeClassifier(seed=7)").value();
  auto c = Model::create("tree.HoeffdingAdaptiveTreeClassifier(seed=8)").value();
  std::vector<double> p;
  for (int i = 0; i < 600; ++i) {
    for (Model* m : {&a, &b, &c}) {
      Features x{{m->space().intern("v"), (i % 17) / 17.0}};
      (void)m->predict_then_learn(x, m->labels().intern(i % 17 < 8 ? "l" : "h"), &p);
    }
  }
  EXPECT_EQ(a.save_bytes(), b.save_bytes());
  EXPECT_NE(a.save_bytes(), c.save_bytes());
}

TEST(HoeffdingAdaptiveTreeClassifierTest, OptionsAreChecked) {
  EXPECT_FALSE(HoeffdingAdaptiveTreeClassifier::create({.adwin_confidence = 0.0}).ok());
  EXPECT_FALSE(HoeffdingAdaptiveTreeClassifier::create({.switch_significance = 1.5}).ok());
  EXPECT_TRUE(Model::create("tree.HoeffdingAdaptiveTreeClassifier(bootstrap_sampling=False, "
                            "drift_window_threshold=100, adwin_confidence=0.01, seed=3)")
                  .ok());
}

// ImageSegments: River 0.7744 (1788 of 2309); rivulet 1789, the difference being the tie at the
// second prediction that River breaks by the order of a Python set of strings. Electricity:
// River's published 0.8213; rivulet 0.8328 with seed 42. Means over seeds 42..46.
TEST(HoeffdingAdaptiveTreeClassifierSlowTest, ImageSegmentsAndElectricityNearRiver) {
  EXPECT_EQ(accuracy("tree.HoeffdingAdaptiveTreeClassifier", kSegments, "category"),
            1789.0 / 2309.0);
  EXPECT_NEAR(mean_over_seeds(kSegments, "category"), 0.7744, 0.015);  // 0.7804
  EXPECT_NEAR(mean_over_seeds(kElectricity, "class"), 0.8213, 0.015);  // 0.8309
  // Bananas: seed 42 is River's run to the sample, but the draws move Bananas a lot: the mean
  // over seeds 42..46 is 0.6419.
  EXPECT_NEAR(mean_over_seeds(kBananas, "label"), 0.6419, 0.0005);
}

}  // namespace
}  // namespace rivulet::ml
