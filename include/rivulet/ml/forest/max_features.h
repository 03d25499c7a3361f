#pragma once
/// River's `max_features` of the adaptive random forests: how many attributes each leaf of a
/// forest tree watches, given as 'sqrt', 'log2', an int, a float (a share of the attributes) or
/// None (all of them), and resolved once against the number of attributes of the first sample,
/// as River's `BaseForest._set_max_features` does:
/// - 'sqrt': round(sqrt(n)); 'log2': round(log2(n)) (Python's round, half to even);
/// - int m: m; float f: int(f * n) (truncated); None: n;
/// - then a negative m counts from n (m + n), anything <= 0 becomes 1, anything > n becomes n.
/// Thread safety: none needed (a value).
/// ```cpp example
/// using rivulet::ml::MaxFeatures;
/// EXPECT_EQ(MaxFeatures::sqrt().resolve(8), 3u);     // round(2.83)
/// EXPECT_EQ(MaxFeatures::log2().resolve(46), 6u);    // round(5.52)
/// EXPECT_EQ(MaxFeatures::count(-2).resolve(8), 6u);  // 8 - 2
/// EXPECT_EQ(MaxFeatures::fraction(0.5).resolve(9), 4u);  // int(4.5)
/// EXPECT_EQ(MaxFeatures::all().resolve(9), 9u);
/// EXPECT_EQ(MaxFeatures::count(20).resolve(9), 9u);  // at most n
/// ```

#include <cstddef>
#include <cstdint>
#include <string>

#include "rivulet/core/status.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {

struct MaxFeatures {
  enum class Kind : uint8_t { kSqrt, kLog2, kCount, kFraction, kAll };
  Kind kind = Kind::kSqrt;
  int64_t count_value = 0;    ///< kCount
  double fraction_value = 0;  ///< kFraction

  static MaxFeatures sqrt() { return {Kind::kSqrt, 0, 0.0}; }
  static MaxFeatures log2() { return {Kind::kLog2, 0, 0.0}; }
  static MaxFeatures count(int64_t m) { return {Kind::kCount, m, 0.0}; }
  static MaxFeatures fraction(double f) { return {Kind::kFraction, 0, f}; }
  static MaxFeatures all() { return {Kind::kAll, 0, 0.0}; }

  /// The number of attributes per leaf for samples of `n_features` attributes (>= 1 when
  /// n_features >= 1; 0 only when n_features is 0).
  size_t resolve(size_t n_features) const;

  /// Reads a spec value: 'sqrt', 'log2', an integer literal (`5`, `-2`), a number with a point
  /// or an exponent (`0.5`: a share, as Python's float), or None. Errors: kInvalidArgument for
  /// another string or a value of another kind; `name` names the parameter in the message.
  static Result<MaxFeatures> from_spec(const SpecValue& value, std::string_view name);

  /// As written in a spec: 'sqrt', 'log2', 5, 0.5 or None.
  std::string to_string() const;

  friend bool operator==(const MaxFeatures&, const MaxFeatures&) = default;
};

}  // namespace rivulet::ml
