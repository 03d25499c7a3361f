#include "rivulet/ml/preprocessing/max_abs_scaler.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// River's docstring, with Python's exact draws of random.uniform(8, 12) after random.seed(42)
// (River prints 1.0, 0.767216, 0.861940, 0.842308, 1.0).
TEST(MaxAbsScalerTest, RiverDocstring) {
  const double xs[] = {10.557707193831535, 8.100043020890668, 9.100117273476478, 8.892842952595291,
                       10.94588485665605};
  const double expected[] = {1.0, 0.7672161078328839, 0.861940675793067, 0.8423081630631923, 1.0};
  auto scaler = MaxAbsScaler::create({}).value();
  Features out;
  for (int i = 0; i < 5; ++i) {
    scaler->learn_one(Features{{0, xs[i]}});
    scaler->transform_one(Features{{0, xs[i]}}, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, expected[i]) << "sample " << i;
  }
}

TEST(MaxAbsScalerTest, NegativeValuesAndUnknownFeatures) {
  auto scaler = MaxAbsScaler::create({}).value();
  Features out;
  scaler->transform_one(Features{{0, 3.0}}, out);
  EXPECT_EQ(out, (Features{{0, 0.0}}));  // max |x| still 0: River's safe_div gives 0
  scaler->learn_one(Features{{0, -4.0}, {1, 0.0}});
  scaler->learn_one(Features{{0, 2.0}});
  scaler->transform_one(Features{{0, 2.0}, {1, 5.0}, {2, 1.0}}, out);
  EXPECT_EQ(out, (Features{{0, 0.5}, {1, 0.0}, {2, 0.0}}));
  scaler->transform_one(Features{{0, -8.0}}, out);
  EXPECT_EQ(out[0].value, -2.0);
}

TEST(MaxAbsScalerTest, SaveLoadRoundTrip) {
  auto a = MaxAbsScaler::create({}).value();
  a->learn_one(Features{{0, -2.0}, {1, 10.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = MaxAbsScaler::create({}).value();
  StateReader in(bytes);
  b->load(in);
  Features ob;
  b->transform_one(Features{{0, 1.0}, {1, 5.0}}, ob);
  EXPECT_EQ(ob, (Features{{0, 0.5}, {1, 0.5}}));
}

TEST(MaxAbsScalerTest, Registered) {
  const auto* entry = find_entry("preprocessing.MaxAbsScaler");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kTransformer);
}

}  // namespace
}  // namespace rivulet::ml
