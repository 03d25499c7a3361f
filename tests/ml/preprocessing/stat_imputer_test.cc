#include "rivulet/ml/preprocessing/stat_imputer.h"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

std::optional<double> value_of(const Features& x, FeatureIndex i) {
  for (const auto& f : x) {
    if (f.index == i) return f.value;
  }
  return std::nullopt;
}

// River's docstring: temperatures 1, 8, 3, None, 4 with stats.Mean() give 1, 8, 3, 4.0, 4.
TEST(StatImputerTest, RiverDocstringMean) {
  FeatureSpace space;
  const FeatureIndex t = space.intern("temperature");
  auto imp = StatImputer::create({}).value();
  imp->attach({&space, nullptr});
  const std::optional<double> xs[] = {1, 8, 3, std::nullopt, 4};
  const double expected[] = {1, 8, 3, 4, 4};
  Features out;
  for (int i = 0; i < 5; ++i) {
    const Features x = xs[i] ? Features{{t, *xs[i]}} : Features{};
    imp->learn_one(x);
    imp->transform_one(x, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], (Feature{t, expected[i]})) << "sample " << i;
  }
}

// River's docstring with weather (categorical) and temperature: the temperatures are imputed
// with their running mean (5.5, then 0.8333...); the one-hot weather is never imputed here
// (River's example uses stats.Mode for it, which rivulet does not offer).
TEST(StatImputerTest, RiverDocstringMixed) {
  FeatureSpace space;
  const FeatureIndex t = space.intern("temperature");
  const FeatureIndex sunny = space.intern("weather=sunny"), rainy = space.intern("weather=rainy"),
                     snowy = space.intern("weather=snowy");
  const Features xs[] = {
      {{sunny, 1}, {t, 8}},  {{rainy, 1}, {t, 3}},  {{sunny, 1}},          {{t, 4}},
      {{snowy, 1}, {t, -4}}, {{snowy, 1}, {t, -3}}, {{snowy, 1}, {t, -3}}, {}};
  const double temperatures[] = {8, 3, 5.5, 4, -4, -3, -3, 5.0 / 6};
  auto imp = StatImputer::create({}).value();
  imp->attach({&space, nullptr});
  Features out;
  for (int i = 0; i < 8; ++i) {
    imp->learn_one(xs[i]);
    imp->transform_one(xs[i], out);
    ASSERT_TRUE(value_of(out, t).has_value()) << "sample " << i;
    EXPECT_NEAR(*value_of(out, t), temperatures[i], 1e-15) << "sample " << i;
    EXPECT_EQ(out.size(), xs[i].size() + (value_of(xs[i], t) ? 0 : 1)) << "sample " << i;
  }
}

TEST(StatImputerTest, OnlyFeaturesSeenBeforeAreAdded) {
  FeatureSpace space;
  const FeatureIndex a = space.intern("a"), b = space.intern("b");
  auto imp = StatImputer::create({}).value();
  imp->attach({&space, nullptr});
  Features out;
  imp->transform_one(Features{{a, 1.0}}, out);
  EXPECT_EQ(out, (Features{{a, 1.0}}));  // nothing learned: nothing to add
  imp->learn_one(Features{{b, 2.0}});
  imp->learn_one(Features{{b, 4.0}});
  imp->transform_one(Features{{a, 1.0}}, out);
  EXPECT_EQ(out, (Features{{a, 1.0}, {b, 3.0}}));
  imp->transform_one(Features{{b, -1.0}}, out);  // present values are kept
  EXPECT_EQ(out, (Features{{b, -1.0}}));
}

TEST(StatImputerTest, SaveLoadRoundTrip) {
  FeatureSpace space;
  const FeatureIndex a = space.intern("a"), b = space.intern("b");
  auto x = StatImputer::create({}).value();
  x->attach({&space, nullptr});
  x->learn_one(Features{{a, 1.0}, {b, 10.0}});
  x->learn_one(Features{{a, 2.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    x->save(out);
  }
  auto y = StatImputer::create({}).value();
  y->attach({&space, nullptr});
  StateReader in(bytes);
  y->load(in);
  Features ox, oy;
  x->transform_one(Features{}, ox);
  y->transform_one(Features{}, oy);
  EXPECT_EQ(ox, oy);
  EXPECT_EQ(oy, (Features{{a, 1.5}, {b, 10.0}}));
}

TEST(StatImputerTest, Registered) {
  const auto* entry = find_entry("preprocessing.StatImputer");
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(describe_params(*entry).empty());
  EXPECT_TRUE(Model::create("preprocessing.StatImputer | naive_bayes.GaussianNB").ok());
}

}  // namespace
}  // namespace rivulet::ml
