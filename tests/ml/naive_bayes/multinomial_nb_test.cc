#include "rivulet/ml/naive_bayes/multinomial_nb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "ml/eval_helper.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// River's docstring corpus (Manning et al., table 13.1) as bags of words in a feature space.
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
  FeatureIndex term(const std::string& t) { return space.intern(t); }

  template <typename Model>
  void teach(Model& model) {
    model.attach({&space, &labels});
    model.learn_one(bag("Chinese Beijing Chinese"), yes);
    model.learn_one(bag("Chinese Chinese Shanghai"), yes);
    model.learn_one(bag("Chinese Macao"), yes);
    model.learn_one(bag("Tokyo Japan Chinese"), no);
  }
};

TEST(MultinomialNBTest, CannotPredictBeforeTheFirstUpdate) {
  auto model = MultinomialNB::create({}).value();
  std::vector<double> proba;
  EXPECT_FALSE(model->predict_proba_one(Features{{0, 1.0}}, proba));
  EXPECT_EQ(model->predict_one(Features{{0, 1.0}}, proba), std::nullopt);
}

// Every assertion of River's MultinomialNB docstring (learn_one part).
TEST(MultinomialNBTest, RiverDocstring) {
  Corpus c;
  auto model = MultinomialNB::create({.alpha = 1.0}).value();
  c.teach(*model);
  EXPECT_EQ(model->p_class(c.yes), 0.75);
  EXPECT_EQ(model->p_class(c.no), 0.25);
  const FeatureIndex chinese = c.term("Chinese"), tokyo = c.term("Tokyo"), japan = c.term("Japan");
  EXPECT_EQ(model->p_feature_given_class(chinese, c.yes), (5.0 + 1) / (8 + 6));
  EXPECT_EQ(model->p_feature_given_class(tokyo, c.yes), (0.0 + 1) / (8 + 6));
  EXPECT_EQ(model->p_feature_given_class(japan, c.yes), (0.0 + 1) / (8 + 6));
  EXPECT_EQ(model->p_feature_given_class(chinese, c.no), (1.0 + 1) / (3 + 6));
  EXPECT_EQ(model->p_feature_given_class(tokyo, c.no), (1.0 + 1) / (3 + 6));
  EXPECT_EQ(model->p_feature_given_class(japan, c.no), (1.0 + 1) / (3 + 6));

  std::vector<double> jll;
  ASSERT_TRUE(model->joint_log_likelihood(c.bag("Chinese Chinese Chinese Tokyo Japan"), jll));
  EXPECT_NEAR(std::exp(jll[c.yes]), 0.000301, 5e-7);  // River prints 0.000301
  EXPECT_NEAR(std::exp(jll[c.no]), 0.000135, 5e-7);   // and 0.000135
  EXPECT_NEAR(std::exp(jll[c.yes]), 0.00030121377997263, 1e-18);
  std::vector<double> proba;
  EXPECT_EQ(model->predict_one(c.bag("Chinese Chinese Chinese Tokyo Japan"), proba), c.yes);

  // Unseen words: P(Taiwanese | yes) = P(Taipei | yes) = (0 + 1) / (8 + 6).
  const Features unseen = c.bag("Taiwanese Taipei");
  EXPECT_EQ(model->p_feature_given_class(c.term("Taiwanese"), c.yes), (0.0 + 1) / (8 + 6));
  EXPECT_EQ(model->p_feature_given_class(c.term("Taipei"), c.no), (0.0 + 1) / (3 + 6));
  ASSERT_TRUE(model->joint_log_likelihood(unseen, jll));
  EXPECT_EQ(jll[c.yes], std::log((0.0 + 1) / (8 + 6) * (0 + 1) / (8 + 6) * 0.75));
  EXPECT_EQ(model->predict_one(unseen, proba), c.yes);

  // The probabilities River's predict_proba_many prints for the same model.
  ASSERT_TRUE(model->predict_proba_one(unseen, proba));
  EXPECT_NEAR(proba[c.no], 0.446469, 5e-7);
  EXPECT_NEAR(proba[c.yes], 0.553531, 5e-7);
  ASSERT_TRUE(model->predict_proba_one(c.bag("Chinese Shanghai"), proba));
  EXPECT_NEAR(proba[c.no], 0.118501, 5e-7);
  EXPECT_NEAR(proba[c.yes], 0.881499, 5e-7);
}

// A feature learned with value 0 still counts in V, as River's defaultdict creates its key.
TEST(MultinomialNBTest, ZeroValuedFeatureIsATerm) {
  auto model = MultinomialNB::create({}).value();
  model->learn_one(Features{{0, 2.0}, {1, 0.0}}, 0);
  EXPECT_EQ(model->p_feature_given_class(0, 0), (2.0 + 1) / (2 + 2));
  EXPECT_EQ(model->p_feature_given_class(1, 0), (0.0 + 1) / (2 + 2));
}

// Hand-computed: alpha = 0.5, class a learns {0: 1, 1: 3}, class b learns {1: 2}.
TEST(MultinomialNBTest, HandComputedProbabilities) {
  auto model = MultinomialNB::create({.alpha = 0.5}).value();
  model->learn_one(Features{{0, 1.0}, {1, 3.0}}, 0);
  model->learn_one(Features{{1, 2.0}}, 1);
  // V = 2. P(0|a) = 1.5 / 5, P(1|a) = 3.5 / 5, P(0|b) = 0.5 / 3, P(1|b) = 2.5 / 3; priors 1/2.
  const Features x{{0, 2.0}, {1, 1.0}};
  const double la = std::log(0.5) + (2 * std::log(1.5 / 5) + std::log(3.5 / 5));
  const double lb = std::log(0.5) + (2 * std::log(0.5 / 3) + std::log(2.5 / 3));
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(x, proba));
  EXPECT_NEAR(proba[0], 1 / (1 + std::exp(lb - la)), 1e-15);
  EXPECT_NEAR(proba[0] + proba[1], 1.0, 1e-15);
  EXPECT_EQ(model->predict_one(x, proba), 0u);
}

TEST(MultinomialNBTest, InvalidAlpha) { EXPECT_FALSE(MultinomialNB::create({.alpha = -1}).ok()); }

// With alpha = 0 an unseen word makes every class -inf (River raises there): priors instead.
TEST(MultinomialNBTest, NoSmoothingFallsBackToPriors) {
  auto model = MultinomialNB::create({.alpha = 0}).value();
  model->learn_one(Features{{0, 1.0}}, 0);
  model->learn_one(Features{{0, 1.0}}, 0);
  model->learn_one(Features{{1, 1.0}}, 1);
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{{2, 1.0}}, proba));
  EXPECT_NEAR(proba[0], 2.0 / 3, 1e-15);
  ASSERT_TRUE(model->predict_proba_one(Features{{0, 1.0}}, proba));
  EXPECT_EQ(proba[0], 1.0);
}

TEST(MultinomialNBTest, SaveLoadRoundTrip) {
  Corpus c;
  auto a = MultinomialNB::create({}).value();
  c.teach(*a);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = MultinomialNB::create({}).value();
  b->attach({&c.space, &c.labels});
  StateReader in(bytes);
  b->load(in);
  const Features x = c.bag("Chinese Tokyo Taipei");
  std::vector<double> pa, pb;
  ASSERT_TRUE(a->predict_proba_one(x, pa));
  ASSERT_TRUE(b->predict_proba_one(x, pb));
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(a->p_feature_given_class(c.term("Japan"), c.no),
            b->p_feature_given_class(c.term("Japan"), c.no));
}

TEST(MultinomialNBTest, Registered) {
  const auto* entry = find_entry("naive_bayes.MultinomialNB");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "alpha");
  EXPECT_EQ(params[0].default_value, "1");
  EXPECT_TRUE(Model::create("naive_bayes.MultinomialNB(alpha=0.5)").ok());
  EXPECT_FALSE(Model::create("naive_bayes.MultinomialNB(alpha=-0.5)").ok());
}

// Figures measured with a line-by-line Python replica of River 0.12.1's MultinomialNB and
// progressive_val_score (the same accuracies to 6 digits): Phishing 0.771017, Electricity
// 0.582199.
TEST(MultinomialNBTest, DatasetAccuracies) {
  auto phishing = test_support::evaluate_spec("naive_bayes.MultinomialNB", "river/phishing.csv.gz",
                                              "is_phishing");
  ASSERT_TRUE(phishing.ok()) << phishing.status().to_string();
  EXPECT_NEAR(phishing->value, 0.771017, 1e-6);
  auto elec = test_support::evaluate_spec("naive_bayes.MultinomialNB",
                                          "electricity/elecNormNew.arff.gz", "class");
  ASSERT_TRUE(elec.ok()) << elec.status().to_string();
  EXPECT_NEAR(elec->value, 0.582199, 1e-6);
}

}  // namespace
}  // namespace rivulet::ml
