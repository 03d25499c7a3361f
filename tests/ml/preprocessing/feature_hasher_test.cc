#include "rivulet/ml/preprocessing/feature_hasher.h"

#include <gtest/gtest.h>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(FeatureHasherTest, ReservesABlockAndHashesNames) {
  FeatureSpace space;
  auto hasher = FeatureHasher::create({.n_features = 1000, .seed = 7}).value();
  hasher->attach({&space, nullptr});
  ASSERT_EQ(space.size(), 1000u);  // the block comes first in an empty space
  const FeatureIndex dog = space.intern("dog"), paris = space.intern("city=Paris");
  Features out;
  hasher->transform_one(Features{{dog, 2.5}, {paris, 1.0}}, out);
  const uint32_t b_dog = hasher->bucket_of("dog"), b_paris = hasher->bucket_of("city=Paris");
  ASSERT_NE(b_dog, b_paris);
  EXPECT_EQ(out, (Features{{b_dog, 2.5}, {b_paris, 1.0}}));
  EXPECT_EQ(space.name(b_dog), "hash[" + std::to_string(b_dog) + "]");
  EXPECT_LT(b_dog, 1000u);
}

TEST(FeatureHasherTest, CollisionsAdd) {
  FeatureSpace space;
  space.intern("before");
  auto hasher = FeatureHasher::create({.n_features = 1}).value();
  hasher->attach({&space, nullptr});
  const FeatureIndex first = 1;
  const FeatureIndex dog = space.intern("dog"), cat = space.intern("cat"),
                     elephant = space.intern("elephant");
  Features out;
  hasher->transform_one(Features{{dog, 1.0}, {cat, 2.0}, {elephant, 4.0}}, out);
  EXPECT_EQ(out, (Features{{first, 7.0}}));
  hasher->transform_one(Features{}, out);
  EXPECT_TRUE(out.empty());
}

// The same as River's hasher up to the hash function: two documents, the counts of the same
// words land in the same buckets.
TEST(FeatureHasherTest, DeterministicAndSeeded) {
  auto a = FeatureHasher::create({.n_features = 1 << 20, .seed = 0}).value();
  auto b = FeatureHasher::create({.n_features = 1 << 20, .seed = 0}).value();
  auto c = FeatureHasher::create({.n_features = 1 << 20, .seed = 1}).value();
  int differ = 0;
  for (const char* w : {"dog", "cat", "elephant", "run", "x=1"}) {
    EXPECT_EQ(a->bucket_of(w), b->bucket_of(w));
    differ += a->bucket_of(w) != c->bucket_of(w);
  }
  EXPECT_GT(differ, 0);
}

TEST(FeatureHasherTest, Options) {
  EXPECT_FALSE(FeatureHasher::create({.n_features = 0}).ok());
  EXPECT_FALSE(
      Model::create("preprocessing.FeatureHasher(n_features=0) | naive_bayes.GaussianNB").ok());
  const auto* entry = find_entry("preprocessing.FeatureHasher");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "n_features");
  EXPECT_EQ(params[0].default_value, "1048576");
  EXPECT_EQ(params[1].name, "seed");
}

// The seed comes from the spec, else from the model's seed, else 0.
TEST(FeatureHasherTest, SeedFromTheModel) {
  ModelOptions seeded;
  seeded.seed = 3;
  auto a = Model::create(
      "preprocessing.FeatureHasher(n_features=1024, seed=3) | naive_bayes.MultinomialNB");
  auto b = Model::create("preprocessing.FeatureHasher(n_features=1024) | naive_bayes.MultinomialNB",
                         seeded);
  auto c =
      Model::create("preprocessing.FeatureHasher(n_features=1024) | naive_bayes.MultinomialNB");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto bucket_in = [](Model& m, const char* word) {
    const FeatureIndex w = m.space().intern(word);
    Features out;
    static_cast<const FeatureHasher&>(m.step(0)).transform_one(Features{{w, 1.0}}, out);
    return out[0].index;  // the block starts at index 0 of a fresh model's space
  };
  auto seed3 = FeatureHasher::create({.n_features = 1024, .seed = 3}).value();
  auto seed0 = FeatureHasher::create({.n_features = 1024, .seed = 0}).value();
  for (const char* word : {"dog", "cat", "elephant"}) {
    EXPECT_EQ(bucket_in(*a, word), seed3->bucket_of(word));
    EXPECT_EQ(bucket_in(*b, word), seed3->bucket_of(word));
    EXPECT_EQ(bucket_in(*c, word), seed0->bucket_of(word));
  }
}

TEST(FeatureHasherTest, SaveLoadRoundTripInAModel) {
  auto a = Model::create("preprocessing.FeatureHasher(n_features=32) | naive_bayes.MultinomialNB");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  const auto yes = a->labels().intern("yes"), no = a->labels().intern("no");
  const FeatureIndex w1 = a->space().intern("w1"), w2 = a->space().intern("w2"),
                     w3 = a->space().intern("w3");
  a->learn_one(Features{{w1, 2.0}, {w2, 1.0}}, yes);
  a->learn_one(Features{{w3, 3.0}}, no);
  auto b = Model::load_bytes(a->save_bytes());
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(b->space().size(), a->space().size());  // the block is not reserved twice
  std::vector<double> pa, pb;
  ASSERT_TRUE(a->predict_proba_one(Features{{w1, 1.0}, {w3, 1.0}}, pa));
  ASSERT_TRUE(b->predict_proba_one(Features{{w1, 1.0}, {w3, 1.0}}, pb));
  EXPECT_EQ(pa, pb);
}

}  // namespace
}  // namespace rivulet::ml
