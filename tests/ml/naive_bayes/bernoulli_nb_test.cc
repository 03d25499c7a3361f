#include "rivulet/ml/naive_bayes/bernoulli_nb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "ml/eval_helper.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// River's docstring corpus as bags of words in a feature space.
struct Corpus {
  FeatureSpace space;
  LabelEncoder labels;
  ClassId yes = labels.intern("yes");
  ClassId no = labels.intern("no");

  Features bag(const std::string& text) {
    Features x;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find(' ', start);
      if (end == std::string::npos) end = text.size();
      const FeatureIndex f = space.intern(text.substr(start, end - start));
      bool found = false;
      for (auto& g : x) {
        if (g.index == f) {
          g.value += 1;
          found = true;
        }
      }
      if (!found) x.push(f, 1.0);
      start = end + 1;
    }
    return x;
  }

  void teach(BernoulliNB& model) {
    model.attach({&space, &labels});
    model.learn_one(bag("Chinese Beijing Chinese"), yes);
    model.learn_one(bag("Chinese Chinese Shanghai"), yes);
    model.learn_one(bag("Chinese Macao"), yes);
    model.learn_one(bag("Tokyo Japan Chinese"), no);
  }
};

TEST(BernoulliNBTest, CannotPredictBeforeTheFirstUpdate) {
  auto model = BernoulliNB::create({}).value();
  std::vector<double> proba;
  EXPECT_FALSE(model->predict_proba_one(Features{{0, 1.0}}, proba));
  EXPECT_EQ(model->predict_one(Features{{0, 1.0}}, proba), std::nullopt);
}

// River's docstring: predict_proba_one("test") == {'yes': 0.8831539823829913, 'no':
// 0.11684601761700895}.
TEST(BernoulliNBTest, RiverDocstring) {
  Corpus c;
  auto model = BernoulliNB::create({.alpha = 1}).value();
  c.teach(*model);
  EXPECT_EQ(model->p_class(c.yes), 0.75);
  EXPECT_EQ(model->p_class(c.no), 0.25);
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(c.bag("test"), proba));
  EXPECT_NEAR(proba[c.yes], 0.8831539823829913, 1e-15);
  EXPECT_NEAR(proba[c.no], 0.11684601761700895, 1e-15);
  EXPECT_EQ(model->predict_one(c.bag("test"), proba), c.yes);
  // predict_proba_many of the same model: "Taiwanese Taipei" and "Chinese Shanghai".
  ASSERT_TRUE(model->predict_proba_one(c.bag("Taiwanese Taipei"), proba));
  EXPECT_NEAR(proba[c.yes], 0.883154, 5e-7);
  ASSERT_TRUE(model->predict_proba_one(c.bag("Chinese Shanghai"), proba));
  EXPECT_NEAR(proba[c.no], 0.047269, 5e-7);
  EXPECT_NEAR(proba[c.yes], 0.952731, 5e-7);
}

// Hand-computed: every known feature counts, an absent one as false; a feature learned with a
// value at or below the threshold is known but never true.
TEST(BernoulliNBTest, AbsentFeaturesCountAsFalse) {
  auto model = BernoulliNB::create({}).value();
  model->learn_one(Features{{0, 1.0}}, 0);  // P(f0|c0) = 2/3, P(f1|c0) = 1/3
  model->learn_one(Features{{1, 0.0}}, 1);  // P(f0|c1) = 1/3, P(f1|c1) = 1/3
  EXPECT_EQ(model->p_feature_given_class(0, 0), 2.0 / 3);
  EXPECT_EQ(model->p_feature_given_class(1, 1), 1.0 / 3);
  std::vector<double> jll;
  ASSERT_TRUE(model->joint_log_likelihood(Features{}, jll));
  const double e = 10e-10;
  EXPECT_EQ(jll[0],
            std::log(0.5) + (std::log(e + (1.0 - 2.0 / 3)) + std::log(e + (1.0 - 1.0 / 3))));
  EXPECT_EQ(jll[1],
            std::log(0.5) + (std::log(e + (1.0 - 1.0 / 3)) + std::log(e + (1.0 - 1.0 / 3))));
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{}, proba));
  EXPECT_NEAR(proba[0], 1.0 / 3, 1e-8);  // (1/3)(2/3) against (2/3)(2/3)
  // A feature never learned is ignored.
  std::vector<double> with_unknown;
  ASSERT_TRUE(model->joint_log_likelihood(Features{{7, 1.0}}, with_unknown));
  EXPECT_EQ(with_unknown, jll);
}

TEST(BernoulliNBTest, TrueThreshold) {
  auto model = BernoulliNB::create({.alpha = 1, .true_threshold = 0.5}).value();
  model->learn_one(Features{{0, 0.5}}, 0);  // not above 0.5: false
  model->learn_one(Features{{0, 0.7}}, 1);
  EXPECT_EQ(model->p_feature_given_class(0, 0), 1.0 / 3);
  EXPECT_EQ(model->p_feature_given_class(0, 1), 2.0 / 3);
  std::vector<double> proba;
  EXPECT_EQ(model->predict_one(Features{{0, 0.9}}, proba), 1u);
  EXPECT_EQ(model->predict_one(Features{{0, 0.4}}, proba), 0u);
}

TEST(BernoulliNBTest, InvalidAlpha) { EXPECT_FALSE(BernoulliNB::create({.alpha = -1}).ok()); }

TEST(BernoulliNBTest, SaveLoadRoundTrip) {
  Corpus c;
  auto a = BernoulliNB::create({}).value();
  c.teach(*a);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = BernoulliNB::create({}).value();
  b->attach({&c.space, &c.labels});
  StateReader in(bytes);
  b->load(in);
  const Features x = c.bag("Chinese Tokyo Taipei");
  std::vector<double> pa, pb;
  ASSERT_TRUE(a->predict_proba_one(x, pa));
  ASSERT_TRUE(b->predict_proba_one(x, pb));
  EXPECT_EQ(pa, pb);
}

TEST(BernoulliNBTest, Registered) {
  const auto* entry = find_entry("naive_bayes.BernoulliNB");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "alpha");
  EXPECT_EQ(params[1].name, "true_threshold");
  EXPECT_EQ(params[1].default_value, "0");
  EXPECT_TRUE(Model::create("naive_bayes.BernoulliNB(1.0, 0.5)").ok());
}

// Figures measured with a line-by-line Python replica of River 0.12.1's BernoulliNB and
// progressive_val_score (the same accuracies to 6 digits): Phishing 0.843074, Electricity
// 0.575247.
TEST(BernoulliNBTest, DatasetAccuracies) {
  auto phishing = test_support::evaluate_spec("naive_bayes.BernoulliNB", "river/phishing.csv.gz",
                                              "is_phishing");
  ASSERT_TRUE(phishing.ok()) << phishing.status().to_string();
  EXPECT_NEAR(phishing->value, 0.843074, 1e-6);
  auto elec = test_support::evaluate_spec("naive_bayes.BernoulliNB",
                                          "electricity/elecNormNew.arff.gz", "class");
  ASSERT_TRUE(elec.ok()) << elec.status().to_string();
  EXPECT_NEAR(elec->value, 0.575247, 1e-6);
}

}  // namespace
}  // namespace rivulet::ml
