#include "rivulet/ml/spec.h"

#include <gtest/gtest.h>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(SpecTest, ParsesRiverPipelineWithNestedCalls) {
  auto steps = parse_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(l2=0.001, optimizer=optim.SGD(0.005))");
  ASSERT_TRUE(steps.ok()) << steps.status().to_string();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].name, "preprocessing.StandardScaler");
  EXPECT_TRUE((*steps)[0].args.empty());
  const SpecCall& lr = (*steps)[1];
  EXPECT_EQ(lr.column, 32u);
  ASSERT_EQ(lr.args.size(), 2u);
  EXPECT_EQ(lr.args[0].name, "l2");
  EXPECT_EQ(lr.args[0].value.number, 0.001);
  EXPECT_EQ(lr.args[1].value.kind, SpecValue::Kind::kCall);
  EXPECT_EQ(lr.args[1].value.call->name, "optim.SGD");
  EXPECT_EQ(lr.args[1].value.call->args[0].value.number, 0.005);
  EXPECT_EQ(spec_to_string(*steps),
            "preprocessing.StandardScaler | linear_model.LogisticRegression(l2=0.001, optimizer=optim.SGD(0.005))");
}

TEST(SpecTest, LiteralsStringsBoolsNone) {
  auto call = parse_call("X(a='s t', b=\"u\", c=True, d=False, e=None, f=-1e-3, g=1_000)");
  ASSERT_TRUE(call.ok()) << call.status().to_string();
  EXPECT_EQ(call->args[0].value.text, "s t");
  EXPECT_EQ(call->args[1].value.kind, SpecValue::Kind::kString);
  EXPECT_TRUE(call->args[2].value.boolean);
  EXPECT_EQ(call->args[3].value.kind, SpecValue::Kind::kBool);
  EXPECT_FALSE(call->args[3].value.boolean);
  EXPECT_EQ(call->args[4].value.kind, SpecValue::Kind::kNone);
  EXPECT_EQ(call->args[5].value.number, -0.001);
  EXPECT_EQ(call->args[6].value.number, 1000.0);
}

TEST(SpecTest, ErrorsNameTheColumnAndPointAtIt) {
  auto s = parse_spec("A | B(x=1,, y=2)");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "model spec, column 11: expected a value, found ','\n  A | B(x=1,, y=2)\n            ^");
  EXPECT_NE(parse_spec("A(").status().message().find("found the end of the spec"), std::string::npos);
  EXPECT_NE(parse_spec("A(x='open)").status().message().find("string not closed"), std::string::npos);
  EXPECT_NE(parse_spec("A(x=1, x=2)").status().message().find("given twice"), std::string::npos);
  EXPECT_NE(parse_spec("A(x=1, 2)").status().message().find("positional argument after a named one"),
            std::string::npos);
  EXPECT_NE(parse_spec("A B").status().message().find("expected '|'"), std::string::npos);
  EXPECT_NE(parse_spec("").status().message().find("expected a name"), std::string::npos);
  EXPECT_NE(parse_spec("A(x=1.2.3)").status().message().find("is not a number"), std::string::npos);
}

TEST(ParamsTest, PositionalNamedDefaultsAndErrors) {
  auto lr = make_optimizer(parse_call("optim.SGD(0.5)").value());
  ASSERT_TRUE(lr.ok());
  EXPECT_EQ((*lr)->learning_rate(), 0.5);
  auto named = make_optimizer(parse_call("optim.SGD(lr=0.25)").value());
  EXPECT_EQ((*named)->learning_rate(), 0.25);
  auto def = make_optimizer(parse_call("SGD").value());
  EXPECT_EQ((*def)->learning_rate(), 0.01);

  auto wrong_type = make_optimizer(parse_call("optim.SGD(lr='fast')").value());
  EXPECT_NE(wrong_type.status().message().find("'lr' must be a number, got fast"), std::string::npos);
  auto too_many = make_optimizer(parse_call("optim.SGD(0.1, 0.2)").value());
  EXPECT_NE(too_many.status().message().find("too many positional arguments (parameters: lr)"), std::string::npos);
  auto invalid = make_optimizer(parse_call("optim.SGD(0)").value());
  EXPECT_NE(invalid.status().message().find("lr must be > 0"), std::string::npos);
  auto kind = make_optimizer(parse_call("naive_bayes.GaussianNB").value());
  EXPECT_NE(kind.status().message().find("is a classifier, not an optimizer"), std::string::npos);
}

TEST(RegistryTest, EveryEntryDescribesItsParametersAndBuildsWithDefaults) {
  for (const auto& e : registry()) {
    SCOPED_TRACE(std::string(e.name));
    EXPECT_NE(e.name.find('.'), std::string_view::npos);
    EXPECT_FALSE(e.summary.empty());
    const int makers = (e.make_estimator != nullptr) + (e.make_optimizer != nullptr) + (e.make_metric != nullptr) +
                       (e.make_drift_detector != nullptr);
    EXPECT_EQ(makers, 1);
    auto params = describe_params(e);
    for (const auto& p : params) EXPECT_FALSE(p.name.empty());
    SpecCall call{std::string(e.name), {}, 1};
    if (e.make_estimator) {
      EXPECT_TRUE(make_estimator(call, 42).ok());
    } else if (e.make_optimizer) {
      EXPECT_TRUE(make_optimizer(call).ok());
    } else if (e.make_drift_detector) {
      EXPECT_TRUE(make_drift_detector(call).ok());
    } else {
      EXPECT_TRUE(make_metric(call).ok());
    }
  }
}

TEST(RegistryTest, ShortNamesResolveOnlyWhenUnique) {
  EXPECT_EQ(find_entry("GaussianNB"), find_entry("naive_bayes.GaussianNB"));
  EXPECT_EQ(find_entry("NoSuchThing"), nullptr);
}

}  // namespace
}  // namespace rivulet::ml
