#include "rivulet/io/generators/hyperplane_generator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rivulet::io {
namespace {

std::vector<std::string> take(Generator& g, size_t n) {
  std::vector<std::string> lines(n);
  for (auto& line : lines) g.next(line);
  return lines;
}

// River 0.12.1's docstring, `synth.Hyperplane(seed=42, n_features=2).take(5)`:
//   {0: 0.7319, 1: 0.5986} 1
//   {0: 0.8661, 1: 0.6011} 1
//   {0: 0.8324, 1: 0.2123} 0
//   {0: 0.5247, 1: 0.4319} 0
//   {0: 0.2921, 1: 0.3663} 0
// These are numpy's RandomState(42).rand() draws 3 to 12 (draws 1 and 2 are the weights).
TEST(HyperplaneGeneratorTest, RiverDocstringSamples) {
  auto hp = HyperplaneGenerator::create({.seed = 42, .n_features = 2}).value();
  const std::vector<std::string> expected = {
      "{\"x0\":0.7319939418114051,\"x1\":0.5986584841970366,\"y\":1}\n",
      "{\"x0\":0.8661761457749352,\"x1\":0.6011150117432088,\"y\":1}\n",
      "{\"x0\":0.8324426408004217,\"x1\":0.21233911067827616,\"y\":0}\n",
      "{\"x0\":0.5247564316322378,\"x1\":0.43194501864211576,\"y\":0}\n",
      "{\"x0\":0.29214464853521815,\"x1\":0.3663618432936917,\"y\":0}\n"};
  EXPECT_EQ(take(*hp, 5), expected);
}

// Ten features with drifting weights, against River 0.12.1's algorithm run in Python over an
// MT19937 seeded as numpy's RandomState(3) (that emulation reproduces every docstring of
// Hyperplane, Agrawal and RandomRBF digit for digit). Samples 0, 1 and 2000.
TEST(HyperplaneGeneratorTest, DriftingWeightsMatchRiver) {
  auto hp = HyperplaneGenerator::create({.seed = 3, .n_features = 10, .mag_change = 0.001}).value();
  const auto lines = take(*hp, 2001);
  EXPECT_EQ(lines[0],
            "{\"x0\":0.029876210878566956,\"x1\":0.4568332243947111,\"x2\":0.6491440476147607,"
            "\"x3\":0.2784872826479753,\"x4\":0.6762549019801313,\"x5\":0.5908628174163508,"
            "\"x6\":0.023981882377165364,\"x7\":0.558854087990882,\"x8\":0.2592524469074654,"
            "\"x9\":0.41510119701006964,\"y\":0}\n");
  EXPECT_EQ(lines[1],
            "{\"x0\":0.15686773847496327,\"x1\":0.5446490180318447,\"x2\":0.780314764511367,"
            "\"x3\":0.30636353237617975,\"x4\":0.2219578839321814,\"x5\":0.38797125755564876,"
            "\"x6\":0.9363836498604304,\"x7\":0.9759954224729338,\"x8\":0.6723836759128137,"
            "\"x9\":0.9028341085383981,\"y\":0}\n");
  EXPECT_EQ(lines[2000],
            "{\"x0\":0.26596351499490667,\"x1\":0.2678400305152513,\"x2\":0.96429614680304,"
            "\"x3\":0.584952355651726,\"x4\":0.13202904124438053,\"x5\":0.8487818595111795,"
            "\"x6\":0.08368131532049272,\"x7\":0.34696553721905765,\"x8\":0.978237404235573,"
            "\"x9\":0.7906337804185823,\"y\":0}\n");
}

TEST(HyperplaneGeneratorTest, LabelsAreBalancedWithoutNoise) {
  auto hp = HyperplaneGenerator::create({.n_features = 5, .noise_percentage = 0.0}).value();
  int ones = 0;
  for (const auto& line : take(*hp, 4000)) ones += line.ends_with("\"y\":1}\n") ? 1 : 0;
  EXPECT_NEAR(ones / 4000.0, 0.5, 0.05);
}

TEST(HyperplaneGeneratorTest, RejectsBadOptions) {
  EXPECT_EQ(
      HyperplaneGenerator::create({.seed = uint64_t{1} << 32}).status().message(),
      "hyperplane: seed must be below 2^32, as numpy's RandomState requires (got 4294967296)");
  EXPECT_FALSE(HyperplaneGenerator::create({.n_features = 0}).ok());
  EXPECT_FALSE(HyperplaneGenerator::create({.n_features = 3, .n_drift_features = 4}).ok());
  EXPECT_FALSE(HyperplaneGenerator::create({.mag_change = 1.5}).ok());
  EXPECT_FALSE(HyperplaneGenerator::create({.noise_percentage = -0.5}).ok());
  EXPECT_FALSE(HyperplaneGenerator::create({.sigma = 2.0}).ok());
}

}  // namespace
}  // namespace rivulet::io
