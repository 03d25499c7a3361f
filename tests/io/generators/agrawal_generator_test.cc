#include "rivulet/io/generators/agrawal_generator.h"

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

// River 0.12.1's docstring, `synth.Agrawal(classification_function=0, seed=42).take(5)`:
//   [68690.2154, 81303.5729, 62, 4, 6, 2, 419982.4410, 11, 433088.0728] 1
//   [98144.9515, 0, 43, 2, 1, 7, 266488.5281, 6, 389.3829] 0
//   [148987.502, 0, 52, 3, 11, 8, 79122.9140, 27, 199930.4858] 0
//   [26066.5362, 83031.6639, 34, 2, 11, 6, 444969.2657, 25, 23225.2063] 1
//   [98980.8307, 0, 40, 0, 6, 1, 1159108.4298, 28, 281644.1089] 0
TEST(AgrawalGeneratorTest, RiverDocstringSamples) {
  auto agrawal = AgrawalGenerator::create({.classification_function = 0, .seed = 42}).value();
  const std::vector<std::string> expected = {
      "{\"salary\":68690.21545015712,\"commission\":81303.57298074372,\"age\":62,\"elevel\":4,"
      "\"car\":6,\"zipcode\":2,\"hvalue\":419982.441072602,\"hyears\":11,\"loan\":433088."
      "07288746757,\"y\":1}\n",
      "{\"salary\":98144.95152661715,\"commission\":0.0,\"age\":43,\"elevel\":2,\"car\":1,"
      "\"zipcode\":7,\"hvalue\":266488.52816008433,\"hyears\":6,\"loan\":389.38292050716416,\"y\":"
      "0}\n",
      "{\"salary\":148987.50270785828,\"commission\":0.0,\"age\":52,\"elevel\":3,\"car\":11,"
      "\"zipcode\":8,\"hvalue\":79122.91401980419,\"hyears\":27,\"loan\":199930.48585762773,\"y\":"
      "0}\n",
      "{\"salary\":26066.536217770004,\"commission\":83031.66391310944,\"age\":34,\"elevel\":2,"
      "\"car\":11,\"zipcode\":6,\"hvalue\":444969.26574203646,\"hyears\":25,\"loan\":23225."
      "20635999886,\"y\":1}\n",
      "{\"salary\":98980.83074718699,\"commission\":0.0,\"age\":40,\"elevel\":0,\"car\":6,"
      "\"zipcode\":1,\"hvalue\":1159108.4298026664,\"hyears\":28,\"loan\":281644.10892276966,\"y\":"
      "0}\n"};
  EXPECT_EQ(take(*agrawal, 5), expected);
}

// Balanced classes and perturbation, function 9, seed 7; then function 6 at sample 999. Against
// River 0.12.1's algorithm over an emulation of numpy's RandomState (see the Hyperplane test).
// Perturbed house values are River's clamp to [(9 - zipcode) * 100000, 0]: one bound or the other.
TEST(AgrawalGeneratorTest, BalancedPerturbedAndOtherFunctionsMatchRiver) {
  auto agrawal =
      AgrawalGenerator::create(
          {.classification_function = 9, .seed = 7, .balance_classes = true, .perturbation = 0.2})
          .value();
  const std::vector<std::string> expected = {
      "{\"salary\":26289.262546261358,\"commission\":12590.692758150399,\"age\":75,\"elevel\":4,"
      "\"car\":19,\"zipcode\":6,\"hvalue\":300000.0,\"hyears\":11,\"loan\":473555.69296486594,"
      "\"y\":1}\n",
      "{\"salary\":99683.17368121153,\"commission\":0.0,\"age\":53,\"elevel\":3,\"car\":8,"
      "\"zipcode\":5,\"hvalue\":0.0,\"hyears\":15,\"loan\":424086.525195264,\"y\":0}\n",
      "{\"salary\":20000.0,\"commission\":10000.0,\"age\":52,\"elevel\":3,\"car\":5,\"zipcode\":3,"
      "\"hvalue\":600000.0,\"hyears\":12,\"loan\":231247.92260273302,\"y\":1}\n",
      "{\"salary\":135272.17379107256,\"commission\":0.0,\"age\":20,\"elevel\":0,\"car\":12,"
      "\"zipcode\":1,\"hvalue\":800000.0,\"hyears\":8,\"loan\":317101.7867102115,\"y\":0}\n"};
  EXPECT_EQ(take(*agrawal, 4), expected);

  auto six = AgrawalGenerator::create({.classification_function = 6, .seed = 1}).value();
  EXPECT_EQ(
      take(*six, 1000)[999],
      "{\"salary\":73336.15658487701,\"commission\":68849.90060758234,\"age\":53,\"elevel\":0,"
      "\"car\":9,\"zipcode\":3,\"hvalue\":485711.0367177974,\"hyears\":26,"
      "\"loan\":419220.02064006217,\"y\":1}\n");
}

TEST(AgrawalGeneratorTest, BalancedClassesAlternate) {
  auto agrawal =
      AgrawalGenerator::create({.classification_function = 2, .balance_classes = true}).value();
  const auto lines = take(*agrawal, 100);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(lines[i].ends_with(i % 2 == 0 ? "\"y\":1}\n" : "\"y\":0}\n")) << i;
  }
}

TEST(AgrawalGeneratorTest, EveryFunctionBuildsAndBadOptionsFail) {
  for (int64_t f = 0; f <= 9; ++f) {
    auto g = AgrawalGenerator::create({.classification_function = f});
    ASSERT_TRUE(g.ok());
    std::string line;
    (*g)->next(line);
    EXPECT_EQ(line.front(), '{');
  }
  EXPECT_EQ(AgrawalGenerator::create({.classification_function = 10}).status().message(),
            "agrawal: classification_function must be in [0, 9] (got 10)");
  EXPECT_FALSE(AgrawalGenerator::create({.perturbation = 1.1}).ok());
  EXPECT_FALSE(AgrawalGenerator::create({.seed = uint64_t{1} << 33}).ok());
}

}  // namespace
}  // namespace rivulet::io
