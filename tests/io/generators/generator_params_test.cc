#include "rivulet/io/generators/generator_params.h"

#include <gtest/gtest.h>

namespace rivulet::io {
namespace {

TEST(GeneratorParamsTest, ReadsNamedAndPositionalArgumentsInSignatureOrder) {
  auto p = GeneratorParams::parse("rbf(1, 2, n_features=4, change_speed=0.5)", 42).value();
  EXPECT_EQ(p.kind(), "rbf");
  EXPECT_EQ(p.seed("seed_model", ""), 1u);
  EXPECT_EQ(p.seed("seed_sample", ""), 2u);
  EXPECT_EQ(p.integer("n_classes", 2, ""), 2);
  EXPECT_EQ(p.integer("n_features", 10, ""), 4);
  EXPECT_EQ(p.number("change_speed", 0.0, ""), 0.5);
  EXPECT_TRUE(p.finish().ok());
}

TEST(GeneratorParamsTest, ValuesOfEveryType) {
  auto p = GeneratorParams::parse(
               "k(a=-1.5e-3, b=True, c=false, d='x, y', e=\"q\", f=word, g=None, h=+3)", 7)
               .value();
  EXPECT_EQ(p.number("a", 0, ""), -1.5e-3);
  EXPECT_TRUE(p.boolean("b", false, ""));
  EXPECT_FALSE(p.boolean("c", true, ""));
  EXPECT_EQ(p.string("d", "", ""), "x, y");
  EXPECT_EQ(p.string("e", "", ""), "q");
  EXPECT_EQ(p.string("f", "", ""), "word");
  EXPECT_EQ(p.seed("g", ""), 7u);  // None: the default seed
  EXPECT_EQ(p.integer("h", 0, ""), 3);
  EXPECT_TRUE(p.finish().ok());
}

TEST(GeneratorParamsTest, SeedsKeepAll64Bits) {
  auto p = GeneratorParams::parse("k(seed=18446744073709551615)").value();
  EXPECT_EQ(p.seed("seed", ""), 18446744073709551615ull);
  auto q = GeneratorParams::parse("k", 99).value();
  EXPECT_EQ(q.seed("seed", ""), 99u);
}

TEST(GeneratorParamsTest, SetOverridesTheSpec) {
  auto p = GeneratorParams::parse("sea(noise=0.1)").value();
  ASSERT_TRUE(p.set("noise=0.3").ok());
  ASSERT_TRUE(p.set(" variant = 2").ok());
  EXPECT_EQ(p.integer("variant", 0, ""), 2);
  EXPECT_EQ(p.number("noise", 0.0, ""), 0.3);
  EXPECT_TRUE(p.finish().ok());
  EXPECT_EQ(p.set("noise").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.set("=1").code(), StatusCode::kInvalidArgument);
}

TEST(GeneratorParamsTest, UnknownArgumentListsTheParameters) {
  auto p = GeneratorParams::parse("sea(nois=0.1)").value();
  p.integer("variant", 0, "");
  p.number("noise", 0.0, "");
  const Status s = p.finish();
  EXPECT_EQ(s.message(), "sea: unknown parameter 'nois' (parameters: variant, noise)");
  auto q = GeneratorParams::parse("sea(1, 0.1, 3)").value();
  q.integer("variant", 0, "");
  q.number("noise", 0.0, "");
  EXPECT_EQ(q.finish().message(),
            "sea: too many positional arguments (parameters: variant, noise)");
}

TEST(GeneratorParamsTest, WrongTypesAreReported) {
  auto p = GeneratorParams::parse("sea(variant=1.5, noise='a')").value();
  EXPECT_EQ(p.integer("variant", 0, ""), 0);
  p.number("noise", 0.0, "");
  EXPECT_EQ(p.finish().message(), "sea: variant expects an integer, got '1.5'");
  auto q = GeneratorParams::parse("sea(noise='a')").value();
  q.number("noise", 0.0, "");
  EXPECT_EQ(q.finish().message(), "sea: noise expects a number, got 'a'");
  auto r = GeneratorParams::parse("sea(0, variant=1)").value();
  r.integer("variant", 0, "");
  EXPECT_EQ(r.finish().message(), "sea: variant is given twice");
}

TEST(GeneratorParamsTest, SyntaxErrorsNameTheColumn) {
  EXPECT_EQ(GeneratorParams::parse("sea(noise=)").status().message(),
            "generator spec, column 11: a value is missing");
  EXPECT_EQ(GeneratorParams::parse("sea(noise=0.1").status().message(),
            "generator spec, column 14: ')' expected at the end");
  EXPECT_FALSE(GeneratorParams::parse("sea(a='x)").ok());
  EXPECT_FALSE(GeneratorParams::parse("sea(a=1, 2)").ok());  // positional after named
  EXPECT_FALSE(GeneratorParams::parse("sea(a=1,)").ok());
  EXPECT_FALSE(GeneratorParams::parse("sea(a=f(1))").ok());
  EXPECT_FALSE(GeneratorParams::parse("").ok());
  EXPECT_TRUE(GeneratorParams::parse("  sea()  ").ok());
}

TEST(GeneratorParamsTest, DescribeModeRecordsParameters) {
  auto p = GeneratorParams::describe_mode();
  EXPECT_EQ(p.number("noise", 0.05, "flip share"), 0.05);
  EXPECT_EQ(p.seed("seed", "seed"), 42u);
  ASSERT_EQ(p.infos().size(), 2u);
  EXPECT_EQ(p.infos()[0].name, "noise");
  EXPECT_EQ(p.infos()[0].type, "float");
  EXPECT_EQ(p.infos()[0].default_value, "0.05");
  EXPECT_EQ(p.infos()[1].default_value, "--seed");
}

}  // namespace
}  // namespace rivulet::io
