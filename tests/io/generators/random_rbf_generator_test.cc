#include "rivulet/io/generators/random_rbf_generator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rivulet/io/generators/generator.h"

namespace rivulet::io {
namespace {

std::vector<std::string> take(Generator& g, size_t n) {
  std::vector<std::string> lines(n);
  for (auto& line : lines) g.next(line);
  return lines;
}

// River 0.12.1's docstring, `synth.RandomRBF(seed_model=42, seed_sample=42, n_classes=4,
// n_features=4, n_centroids=20).take(5)`:
//   {0: 0.9518, 1: 0.5263, 2: 0.2509, 3: 0.4177} 0
//   {0: 0.3383, 1: 0.8072, 2: 0.8051, 3: 0.4140} 3
//   {0: -0.2640, 1: 0.2275, 2: 0.6286, 3: -0.0532} 2
//   {0: 0.9050, 1: 0.6443, 2: 0.1270, 3: 0.4520} 2
//   {0: 0.1874, 1: 0.4348, 2: 0.9819, 3: -0.0459} 2
TEST(RandomRbfGeneratorTest, RiverDocstringSamples) {
  auto rbf =
      RandomRbfGenerator::create(
          {.seed_model = 42, .seed_sample = 42, .n_classes = 4, .n_features = 4, .n_centroids = 20})
          .value();
  const std::vector<std::string> expected = {
      "{\"x0\":0.9518843224515854,\"x1\":0.5263111393537324,\"x2\":0.2509592736814733,\"x3\":0."
      "41771569778128864,\"y\":0}\n",
      "{\"x0\":0.33834301976555137,\"x1\":0.8072293546884879,\"x2\":0.8051013792705997,\"x3\":0."
      "41400330978417743,\"y\":3}\n",
      "{\"x0\":-0.26405100652914065,\"x1\":0.22750349200782943,\"x2\":0.62867589091057,\"x3\":-0."
      "053231303638964556,\"y\":2}\n",
      "{\"x0\":0.9050356803242892,\"x1\":0.644345327931014,\"x2\":0.12703344059062183,\"x3\":0."
      "45204029133645585,\"y\":2}\n",
      "{\"x0\":0.1874470388140732,\"x1\":0.43485447399797306,\"x2\":0.981993295921403,\"x3\":-0."
      "045925785342077155,\"y\":2}\n"};
  EXPECT_EQ(take(*rbf, 5), expected);
}

// River 0.12.1's docstring, `synth.RandomRBFDrift(seed_model=42, seed_sample=42, n_classes=4,
// n_features=4, n_centroids=20, change_speed=0.87, n_drift_centroids=10).take(5)`:
//   {0: 1.1965, 1: 0.5729, 2: 0.8607, 3: 0.5888} 0
//   {0: 0.3383, 1: 0.8072, 2: 0.8051, 3: 0.4140} 3
//   {0: 0.5362, 1: -0.2867, 2: 0.0962, 3: 0.8974} 2
//   {0: 1.1875, 1: 1.0385, 2: 0.8323, 3: -0.0553} 2
//   {0: 0.3256, 1: 0.9206, 2: 0.8595, 3: 0.5907} 2
TEST(RandomRbfGeneratorTest, RiverDriftDocstringSamples) {
  auto rbf = RandomRbfGenerator::create({.seed_model = 42,
                                         .seed_sample = 42,
                                         .n_classes = 4,
                                         .n_features = 4,
                                         .n_centroids = 20,
                                         .change_speed = 0.87,
                                         .n_drift_centroids = 10})
                 .value();
  const std::vector<std::string> expected = {
      "{\"x0\":1.196522912133933,\"x1\":0.5729342869687664,\"x2\":0.8607633992917512,\"x3\":0."
      "5888739485921395,\"y\":0}\n",
      "{\"x0\":0.33834301976555137,\"x1\":0.8072293546884879,\"x2\":0.8051013792705997,\"x3\":0."
      "41400330978417743,\"y\":3}\n",
      "{\"x0\":0.5362752113124996,\"x1\":-0.28673094640578217,\"x2\":0.09628403108434666,\"x3\":0."
      "8974062767425162,\"y\":2}\n",
      "{\"x0\":1.1875780405113046,\"x1\":1.0385542779679864,\"x2\":0.8323812138717979,\"x3\":-0."
      "055321659374305054,\"y\":2}\n",
      "{\"x0\":0.3256964019833385,\"x1\":0.9206200355843615,\"x2\":0.859567372541451,\"x3\":0."
      "5907446084774316,\"y\":2}\n"};
  EXPECT_EQ(take(*rbf, 5), expected);
}

// 200 centroids take numpy's pairwise summation past its 128-element block; samples 0 and 500
// of a drifting stream, against River's algorithm over an emulation of numpy's RandomState.
TEST(RandomRbfGeneratorTest, ManyDriftingCentroidsMatchRiver) {
  auto rbf = RandomRbfGenerator::create({.seed_model = 5,
                                         .seed_sample = 6,
                                         .n_classes = 3,
                                         .n_features = 5,
                                         .n_centroids = 200,
                                         .change_speed = 0.01,
                                         .n_drift_centroids = 150})
                 .value();
  const auto lines = take(*rbf, 501);
  EXPECT_EQ(lines[0],
            "{\"x0\":0.5503361278043704,\"x1\":-0.029611562369855682,\"x2\":1.394408647052586,"
            "\"x3\":1.3636558346196583,\"x4\":-0.10052999282294739,\"y\":1}\n");
  EXPECT_EQ(lines[500],
            "{\"x0\":0.6991531187432778,\"x1\":0.8347846085978936,\"x2\":0.625521782017338,"
            "\"x3\":0.5981603155492224,\"x4\":0.9132894091134044,\"y\":1}\n");
}

TEST(RandomRbfGeneratorTest, RandomRbfIsTheDriftFreeCase) {
  auto plain = Generator::create("RandomRBF(seed_model=1, seed_sample=2)").value();
  auto drift = Generator::create("synth.RandomRBFDrift(1, 2, change_speed=0.0)").value();
  EXPECT_EQ(take(*plain, 100), take(*drift, 100));
  EXPECT_EQ(plain->kind(), "rbf");
}

TEST(RandomRbfGeneratorTest, MoreDriftCentroidsThanCentroidsMeansAll) {
  auto a =
      RandomRbfGenerator::create({.n_centroids = 5, .change_speed = 0.1, .n_drift_centroids = 50})
          .value();
  auto b =
      RandomRbfGenerator::create({.n_centroids = 5, .change_speed = 0.1, .n_drift_centroids = 5})
          .value();
  EXPECT_EQ(take(*a, 50), take(*b, 50));
}

TEST(RandomRbfGeneratorTest, RejectsBadOptions) {
  EXPECT_FALSE(RandomRbfGenerator::create({.seed_sample = uint64_t{1} << 32}).ok());
  EXPECT_FALSE(RandomRbfGenerator::create({.n_classes = 0}).ok());
  EXPECT_FALSE(RandomRbfGenerator::create({.n_features = 0}).ok());
  EXPECT_FALSE(RandomRbfGenerator::create({.n_centroids = 0}).ok());
  EXPECT_EQ(RandomRbfGenerator::create({.change_speed = -1.0}).status().message(),
            "rbf: change_speed must be >= 0 (got -1)");
  EXPECT_FALSE(RandomRbfGenerator::create({.n_drift_centroids = -1}).ok());
}

}  // namespace
}  // namespace rivulet::io
