#include "rivulet/ml/naive_bayes/gaussian_nb.h"

#include <gtest/gtest.h>

#include "ml/eval_helper.h"

namespace rivulet::ml {
namespace {

// River's published figure: GaussianNB on Electricity (elec2), Accuracy 72.87%.
TEST(GaussianNBTest, ElectricityAccuracy) {
  auto r = test_support::evaluate_spec("naive_bayes.GaussianNB", "electricity/elecNormNew.arff.gz",
                                       "class");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->samples, 45312u);
  EXPECT_NEAR(r->value, 0.7287, 0.003);
}

}  // namespace
}  // namespace rivulet::ml
