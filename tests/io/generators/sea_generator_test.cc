#include "rivulet/io/generators/sea_generator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rivulet::io {
namespace {

std::vector<std::string> take(Generator& g, size_t n) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < n; ++i) {
    std::string line;
    g.next(line);
    lines.push_back(line);
  }
  return lines;
}

// River 0.12.1's docstring, `synth.SEA(variant=0, seed=42).take(5)`:
//   {0: 6.39426, 1: 0.25010, 2: 2.75029} False
//   {0: 2.23210, 1: 7.36471, 2: 6.76699} True
//   {0: 8.92179, 1: 0.86938, 2: 4.21921} True
//   {0: 0.29797, 1: 2.18637, 2: 5.05355} False
//   {0: 0.26535, 1: 1.98837, 2: 6.49884} False
// Full digits from CPython 3.11 running the same code.
TEST(SeaGeneratorTest, RiverDocstringSamples) {
  auto sea = SeaGenerator::create({.variant = 0, .seed = 42}).value();
  const std::vector<std::string> expected = {
      "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,\"x2\":2.7502931836911926,\"y\":false}"
      "\n",
      "{\"x0\":2.2321073814882277,\"x1\":7.364712141640124,\"x2\":6.766994874229113,\"y\":true}\n",
      "{\"x0\":8.921795677048454,\"x1\":0.8693883262941615,\"x2\":4.2192181968527045,\"y\":true}\n",
      "{\"x0\":0.29797219438070344,\"x1\":2.1863797480360336,\"x2\":5.053552881033624,\"y\":false}"
      "\n",
      "{\"x0\":0.26535969683863625,\"x1\":1.988376506866485,\"x2\":6.498844377795232,\"y\":false}"
      "\n"};
  EXPECT_EQ(take(*sea, 5), expected);
}

// CPython: SEA(variant=3, noise=0.3, seed=2024), samples 0, 1 and 999 (noise draws one more
// number per sample).
TEST(SeaGeneratorTest, NoiseFlipsLabelsAsRiverDoes) {
  auto sea = SeaGenerator::create({.variant = 3, .noise = 0.3, .seed = 2024}).value();
  const auto lines = take(*sea, 1000);
  EXPECT_EQ(
      lines[0],
      "{\"x0\":4.700907184310706,\"x1\":7.282642914232076,\"x2\":3.037513583913575,\"y\":true}\n");
  EXPECT_EQ(lines[1],
            "{\"x0\":4.1008858946872575,\"x1\":7.166143935816427,\"x2\":2.6522113780066725,\"y\":"
            "false}\n");
  EXPECT_EQ(lines[999],
            "{\"x0\":0.9234689379564642,\"x1\":0.18112016755648663,\"x2\":8.039045542720876,\"y\":"
            "false}\n");
}

TEST(SeaGeneratorTest, RejectsBadOptions) {
  EXPECT_EQ(SeaGenerator::create({.variant = 4}).status().message(),
            "sea: variant must be 0, 1, 2 or 3 (got 4)");
  EXPECT_FALSE(SeaGenerator::create({.noise = -0.1}).ok());
  EXPECT_FALSE(SeaGenerator::create({.noise = 1.5}).ok());
}

TEST(SeaGeneratorTest, SpecNamesEveryParameter) {
  auto sea = SeaGenerator::create({.variant = 2, .noise = 0.25, .seed = 9}).value();
  EXPECT_EQ(sea->spec(), "sea(variant=2, noise=0.25, seed=9)");
}

}  // namespace
}  // namespace rivulet::io
