#include "rivulet/ml/preprocessing/one_hot_encoder.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

using Named = std::map<std::string, double>;

Named named(const FeatureSpace& space, const Features& x) {
  Named out;
  for (const auto& f : x) {
    EXPECT_TRUE(out.emplace(space.name(f.index), f.value).second)
        << "duplicate " << space.name(f.index);
  }
  return out;
}

// River's docstring data: [{'c1': 'u', 'c2': 'd'}, {'c1': 'a', 'c2': 'x'}, {'c1': 'i', 'c2': 'h'},
// {'c1': 'h', 'c2': 'e'}]; in rivulet text values arrive one-hot encoded as c1=u etc.
struct Letters {
  FeatureSpace space;
  std::vector<Features> xs;
  Letters() {
    const char* pairs[][2] = {{"u", "d"}, {"a", "x"}, {"i", "h"}, {"h", "e"}};
    for (const auto& p : pairs) {
      xs.push_back(Features{{space.intern(std::string("c1=") + p[0]), 1.0},
                            {space.intern(std::string("c2=") + p[1]), 1.0}});
    }
  }
};

TEST(OneHotEncoderTest, RiverDocstringSparse) {
  Letters d;
  auto oh = OneHotEncoder::create({.sparse = true}).value();
  oh->attach({&d.space, nullptr});
  const Named expected[] = {{{"c1=u", 1}, {"c2=d", 1}},
                            {{"c1=a", 1}, {"c2=x", 1}},
                            {{"c1=i", 1}, {"c2=h", 1}},
                            {{"c1=h", 1}, {"c2=e", 1}}};
  Features out;
  for (size_t i = 0; i < d.xs.size(); ++i) {
    oh->learn_one(d.xs[i]);
    oh->transform_one(d.xs[i], out);
    EXPECT_EQ(named(d.space, out), expected[i]);
  }
}

// sparse=False (the default) writes the 0s of every value learned so far.
TEST(OneHotEncoderTest, RiverDocstringDense) {
  Letters d;
  auto oh = OneHotEncoder::create({}).value();
  oh->attach({&d.space, nullptr});
  Features out;
  oh->learn_one(d.xs[0]);
  oh->transform_one(d.xs[0], out);
  EXPECT_EQ(named(d.space, out), (Named{{"c1=u", 1}, {"c2=d", 1}}));
  oh->learn_one(d.xs[1]);
  oh->transform_one(d.xs[1], out);
  EXPECT_EQ(named(d.space, out), (Named{{"c1=a", 1}, {"c1=u", 0}, {"c2=d", 0}, {"c2=x", 1}}));
}

TEST(OneHotEncoderTest, EncodesNumericValues) {
  FeatureSpace space;
  const FeatureIndex x = space.intern("x"), y = space.intern("y");
  auto oh = OneHotEncoder::create({.sparse = true}).value();
  oh->attach({&space, nullptr});
  Features out;
  oh->transform_one(Features{{x, 1.5}, {y, 3.0}}, out);
  EXPECT_EQ(named(space, out), (Named{{"x=1.5", 1}, {"y=3", 1}}));
  const FeatureIndex x15 = out[0].index;
  // The same value maps to the same feature without interning anything new.
  const FeatureIndex size = space.size();
  oh->transform_one(Features{{x, 1.5}, {y, -0.25}}, out);
  EXPECT_EQ(out[0].index, x15);
  EXPECT_EQ(space.name(out[1].index), "y=-0.25");
  EXPECT_EQ(space.size(), size + 1);
  oh->transform_one(Features{{y, -0.25}, {x, 1.5}}, out);
  EXPECT_EQ(space.size(), size + 1);
}

TEST(OneHotEncoderTest, DenseZerosCoverNumericAndOneHot) {
  FeatureSpace space;
  const FeatureIndex x = space.intern("x"), paris = space.intern("city=Paris"),
                     rome = space.intern("city=Rome");
  auto oh = OneHotEncoder::create({}).value();
  oh->attach({&space, nullptr});
  oh->learn_one(Features{{x, 1.0}, {paris, 1.0}});
  oh->learn_one(Features{{x, 2.0}, {rome, 1.0}});
  Features out;
  oh->transform_one(Features{{x, 2.0}, {paris, 1.0}}, out);
  EXPECT_EQ(named(space, out),
            (Named{{"x=1", 0}, {"x=2", 1}, {"city=Paris", 1}, {"city=Rome", 0}}));
  // A value never learned is encoded (River does too) but gets no zero later unless learned.
  oh->transform_one(Features{{x, 9.0}}, out);
  EXPECT_EQ(named(space, out),
            (Named{{"x=9", 1}, {"x=1", 0}, {"x=2", 0}, {"city=Paris", 0}, {"city=Rome", 0}}));
}

TEST(OneHotEncoderTest, WithoutFeatureSpacePassesThrough) {
  auto oh = OneHotEncoder::create({.sparse = true}).value();
  Features out;
  oh->transform_one(Features{{0, 2.0}}, out);
  EXPECT_EQ(out, (Features{{0, 2.0}}));
}

TEST(OneHotEncoderTest, SaveLoadRoundTripInAModel) {
  auto a = Model::create("preprocessing.OneHotEncoder | naive_bayes.BernoulliNB");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  const FeatureIndex x = a->space().intern("x"), c = a->space().intern("c=k");
  const auto yes = a->labels().intern("yes"), no = a->labels().intern("no");
  a->learn_one(Features{{x, 1.0}, {c, 1.0}}, yes);
  (void)a->predict_one(Features{{x, 2.0}});  // the unsupervised step learns on prediction
  a->learn_one(Features{{x, 2.0}}, no);
  auto b = Model::load_bytes(a->save_bytes());
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  for (const Features& q : {Features{{x, 1.0}}, Features{{x, 2.0}, {c, 1.0}}, Features{{x, 3.0}}}) {
    std::vector<double> pa, pb;
    ASSERT_TRUE(a->predict_proba_one(q, pa));
    ASSERT_TRUE(b->predict_proba_one(q, pb));
    EXPECT_EQ(pa, pb);
  }
  EXPECT_EQ(a->space().size(), b->space().size());
}

TEST(OneHotEncoderTest, Registered) {
  const auto* entry = find_entry("preprocessing.OneHotEncoder");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "sparse");
  EXPECT_EQ(params[0].default_value, "False");
  EXPECT_TRUE(
      Model::create("preprocessing.OneHotEncoder(sparse=True) | naive_bayes.BernoulliNB").ok());
}

}  // namespace
}  // namespace rivulet::ml
