#include "rivulet/core/python_random.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace rivulet {
namespace {

// Every expected value below is what CPython 3.11 prints for the same calls.

TEST(PythonRandomTest, RandomMatchesCPython) {
  PythonRandom r42(42);
  EXPECT_EQ(r42.random(), 0.6394267984578837);
  EXPECT_EQ(r42.random(), 0.025010755222666936);
  PythonRandom r0(0);
  EXPECT_EQ(r0.random(), 0.8444218515250481);
  PythonRandom big((uint64_t{1} << 40) + 5);  // a seed of two 32-bit words
  EXPECT_EQ(big.random(), 0.5043802970418443);
}

TEST(PythonRandomTest, RawWordsMatchGetrandbits) {
  PythonRandom r(1);  // random.Random(1).getrandbits(32), three times
  EXPECT_EQ(r.next_u32(), 577090037u);
  EXPECT_EQ(r.next_u32(), 2444712010u);
  EXPECT_EQ(r.next_u32(), 3639700191u);
}

TEST(PythonRandomTest, GaussKeepsTheSecondDeviate) {
  PythonRandom r(42);
  const double expected[] = {-0.14409032957792836, -0.1729036003315193, -0.11131586156766246,
                             0.7019837250988631, -0.12758828378288709};
  for (double e : expected) EXPECT_EQ(r.gauss(0.0, 1.0), e);
  PythonRandom s(0);
  EXPECT_EQ(s.gauss(2.0, 1.5), 3.4125731070209966);
  EXPECT_EQ(s.gauss(2.0, 1.5), -0.09486715705172477);
  EXPECT_EQ(s.gauss(2.0, 1.5), 0.9804283278823684);
}

TEST(PythonRandomTest, UniformAndChoices) {
  PythonRandom r(123);
  EXPECT_EQ(r.uniform(0.15, 0.85), 0.186654519195661);
  // random.Random(7).choices([0, 1, 2], weights=[1, 2, 0.5])[0], twenty times.
  PythonRandom c(7);
  const std::vector<double> weights = {1.0, 2.0, 0.5};
  std::vector<double> cumulative(3);
  const size_t expected[] = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 2, 1, 1};
  for (size_t e : expected) EXPECT_EQ(c.choice(weights, cumulative), e);
}

TEST(PythonRandomTest, SaveLoadContinuesTheStream) {
  PythonRandom a(9);
  for (int i = 0; i < 1000; ++i) (void)a.random();
  (void)a.gauss(0.0, 1.0);  // leaves a cached deviate
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    out(a);
  }
  PythonRandom b;
  {
    StateReader in(bytes);
    in(b);
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.gauss(0.0, 1.0), b.gauss(0.0, 1.0));
  for (int i = 0; i < 700; ++i) EXPECT_EQ(a.next_u32(), b.next_u32());
}

}  // namespace
}  // namespace rivulet
