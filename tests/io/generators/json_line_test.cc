#include "io/generators/json_line.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace rivulet::io::internal {
namespace {

std::string repr(double v) {
  std::string s;
  append_double(s, v);
  return s;
}

// Python 3.11's repr() of the same doubles.
TEST(JsonLineTest, DoublesAreWrittenAsPythonReprWritesThem) {
  EXPECT_EQ(repr(300000.0), "300000.0");
  EXPECT_EQ(repr(1e-05), "1e-05");
  EXPECT_EQ(repr(1.5e-05), "1.5e-05");
  EXPECT_EQ(repr(0.0001234), "0.0001234");
  EXPECT_EQ(repr(1e16), "1e+16");
  EXPECT_EQ(repr(1.2345678901234567e18), "1.2345678901234568e+18");
  EXPECT_EQ(repr(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(repr(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(repr(-0.0), "-0.0");
  EXPECT_EQ(repr(0.1), "0.1");
  EXPECT_EQ(repr(-42.0), "-42.0");
  EXPECT_EQ(repr(1e300), "1e+300");
  EXPECT_EQ(repr(5e-324), "5e-324");
  EXPECT_EQ(repr(1e22), "1e+22");
  EXPECT_EQ(repr(std::numeric_limits<double>::quiet_NaN()), "null");
}

// Fills the stack below the caller with digits, as a call that left them there would.
[[gnu::noinline]] void leave_digits_on_the_stack() {
  volatile char junk[512];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = '9';
}
[[gnu::noinline]] std::string repr_called_after(double v) { return repr(v); }

TEST(JsonLineTest, TheExponentIsReadFromTheDigitsOnlyWhateverTheStackHolds) {
  // to_chars writes "6e+05" without a NUL; reading the exponent on into stale digits ("+0599")
  // took it for 599 and kept the scientific form. Python writes 600000.0.
  for (const double v : {600000.0, 3e-4, 1e15, 2e5}) {
    leave_digits_on_the_stack();
    const std::string got = repr_called_after(v);
    EXPECT_EQ(got.find('e'), std::string::npos) << got;
  }
  leave_digits_on_the_stack();
  EXPECT_EQ(repr_called_after(600000.0), "600000.0");
  leave_digits_on_the_stack();
  EXPECT_EQ(repr_called_after(1e16), "1e+16");
}

TEST(JsonLineTest, BuildsOneObjectPerLine) {
  std::string out = "x";
  JsonLine j(out);
  j.string("\"type\":", "payment")
      .integer("\"n\":", -3)
      .boolean("\"ok\":", true)
      .id("\"card\":", "c", 42, 5);
  j.number("\"v\":", 2.0).end();
  EXPECT_EQ(out, "x{\"type\":\"payment\",\"n\":-3,\"ok\":true,\"card\":\"c00042\",\"v\":2.0}\n");
}

TEST(JsonLineTest, SpecTextQuotesStringsAndWritesPythonBooleans) {
  EXPECT_EQ(SpecText("k").add("a", int64_t{1}).add("b", 0.5).add("c", true).add("d", "x").str(),
            "k(a=1, b=0.5, c=True, d='x')");
  EXPECT_EQ(SpecText("k").str(), "k()");
}

}  // namespace
}  // namespace rivulet::io::internal
