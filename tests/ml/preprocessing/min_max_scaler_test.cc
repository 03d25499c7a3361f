#include "rivulet/ml/preprocessing/min_max_scaler.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// River's docstring: random.seed(42); X = [{'x': random.uniform(8, 12)} for _ in range(5)],
// learn_one then transform_one. The inputs are Python's exact draws; the outputs are what Python
// computes from them (River prints them rounded: 0.0, 0.0, 0.406920, 0.322582, 1.0).
TEST(MinMaxScalerTest, RiverDocstring) {
  const double xs[] = {10.557707193831535, 8.100043020890668, 9.100117273476478, 8.892842952595291,
                       10.94588485665605};
  const double expected[] = {0.0, 0.0, 0.4069206295948525, 0.32258269475277845, 1.0};
  auto scaler = MinMaxScaler::create({}).value();
  Features out;
  for (int i = 0; i < 5; ++i) {
    scaler->learn_one(Features{{0, xs[i]}});
    scaler->transform_one(Features{{0, xs[i]}}, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].index, 0u);
    EXPECT_EQ(out[0].value, expected[i]) << "sample " << i;
  }
}

// Before the range is known: one value learned gives a zero range (River's safe_div: 0); a
// feature never learned gives 0 as well (River: NaN).
TEST(MinMaxScalerTest, BeforeTheRangeIsKnown) {
  auto scaler = MinMaxScaler::create({}).value();
  Features out;
  scaler->transform_one(Features{{3, 5.0}}, out);
  EXPECT_EQ(out, (Features{{3, 0.0}}));
  scaler->learn_one(Features{{0, 5.0}});
  scaler->transform_one(Features{{0, 7.0}, {1, 2.0}}, out);
  EXPECT_EQ(out, (Features{{0, 0.0}, {1, 0.0}}));
  scaler->learn_one(Features{{0, 1.0}});
  scaler->transform_one(Features{{0, 7.0}, {1, 2.0}}, out);
  EXPECT_EQ(out[0].value, 1.5);  // outside the learned range: (7 - 1) / (5 - 1)
}

TEST(MinMaxScalerTest, SaveLoadRoundTrip) {
  auto a = MinMaxScaler::create({}).value();
  a->learn_one(Features{{0, 2.0}, {2, -1.0}});
  a->learn_one(Features{{0, 6.0}, {2, 1.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = MinMaxScaler::create({}).value();
  StateReader in(bytes);
  b->load(in);
  Features oa, ob;
  a->transform_one(Features{{0, 3.0}, {1, 9.0}, {2, 0.5}}, oa);
  b->transform_one(Features{{0, 3.0}, {1, 9.0}, {2, 0.5}}, ob);
  EXPECT_EQ(oa, ob);
  EXPECT_EQ(ob, (Features{{0, 0.25}, {1, 0.0}, {2, 0.75}}));
}

TEST(MinMaxScalerTest, Registered) {
  const auto* entry = find_entry("preprocessing.MinMaxScaler");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kTransformer);
  EXPECT_TRUE(Model::create("preprocessing.MinMaxScaler | naive_bayes.GaussianNB").ok());
}

}  // namespace
}  // namespace rivulet::ml
