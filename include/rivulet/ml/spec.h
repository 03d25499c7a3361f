#pragma once
/// Model specs, composed as River composes estimators:
/// `preprocessing.StandardScaler | linear_model.LogisticRegression(l2=0.001, optimizer=optim.SGD(0.005))`.
///
/// Grammar: spec := call ('|' call)*; call := name ['(' [arg (',' arg)*] ')'];
/// arg := [ident '='] value; value := number | 'string' | "string" | True | False | None | call.
/// A name is dotted identifiers. Errors give the 1-based column and show where.
/// ```cpp example
/// auto steps = rivulet::ml::parse_spec("StandardScaler | LogisticRegression(l2=0.01)");
/// ASSERT_TRUE(steps.ok());
/// EXPECT_EQ(steps->size(), 2u);
/// EXPECT_EQ((*steps)[1].args[0].name, "l2");
/// EXPECT_EQ((*steps)[1].args[0].value.number, 0.01);
/// EXPECT_FALSE(rivulet::ml::parse_spec("LogisticRegression(l2=)").ok());
/// ```

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"

namespace rivulet::ml {

struct SpecCall;

struct SpecValue {
  enum class Kind { kNumber, kString, kBool, kNone, kCall };
  Kind kind = Kind::kNone;
  double number = 0.0;
  bool boolean = false;
  std::string text;                 ///< the string literal, or the source text of the value
  std::shared_ptr<SpecCall> call;   ///< kind == kCall
  size_t column = 0;                ///< 1-based column in the spec text
};

struct SpecArg {
  std::string name;  ///< empty for a positional argument
  SpecValue value;
  size_t column = 0;
};

struct SpecCall {
  std::string name;
  std::vector<SpecArg> args;
  size_t column = 0;
  /// Canonical text: `name(arg=value, ...)`, or `name` without arguments.
  std::string to_string() const;
};

/// Parses a pipeline of one or more calls. Errors: kInvalidArgument naming the column.
Result<std::vector<SpecCall>> parse_spec(std::string_view text);
/// Parses exactly one call (metrics, optimizers).
Result<SpecCall> parse_call(std::string_view text);
/// The canonical text of a parsed pipeline.
std::string spec_to_string(const std::vector<SpecCall>& steps);

}  // namespace rivulet::ml
