#include "rivulet/ml/forest/max_features.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

size_t MaxFeatures::resolve(size_t n_features) const {
  const auto n = static_cast<int64_t>(n_features);
  int64_t m = 0;
  switch (kind) {
    case Kind::kSqrt:
      // Python's round() rounds halves to even, as nearbyint does in the default mode.
      m = static_cast<int64_t>(std::nearbyint(std::sqrt(static_cast<double>(n))));
      break;
    case Kind::kLog2:
      m = n == 0 ? 0 : static_cast<int64_t>(std::nearbyint(std::log2(static_cast<double>(n))));
      break;
    case Kind::kCount:
      m = count_value;
      break;
    case Kind::kFraction:
      m = static_cast<int64_t>(fraction_value * static_cast<double>(n));  // int(): truncation
      break;
    case Kind::kAll:
      m = n;
      break;
  }
  if (m < 0) m += n;
  if (m <= 0) m = 1;
  if (m > n) m = n;
  return static_cast<size_t>(m);
}

Result<MaxFeatures> MaxFeatures::from_spec(const SpecValue& value, std::string_view name) {
  switch (value.kind) {
    case SpecValue::Kind::kNone:
      return all();
    case SpecValue::Kind::kString:
      if (value.text == "sqrt") return sqrt();
      if (value.text == "log2") return log2();
      break;
    case SpecValue::Kind::kNumber: {
      // Python tells 5 from 5.0 by the literal; so do we.
      const bool is_float = value.text.find_first_of(".eE") != std::string::npos ||
                            value.text.find("inf") != std::string::npos ||
                            value.text.find("nan") != std::string::npos;
      if (!is_float && value.number == std::floor(value.number) &&
          std::abs(value.number) < 9.0e15) {
        return count(static_cast<int64_t>(value.number));
      }
      if (std::isfinite(value.number)) return fraction(value.number);
      break;
    }
    case SpecValue::Kind::kBool:
    case SpecValue::Kind::kCall:
      break;
  }
  return Status::invalid_argument(
      fmt::format("{} must be 'sqrt', 'log2', an int, a float or None, got {}", name, value.text));
}

std::string MaxFeatures::to_string() const {
  switch (kind) {
    case Kind::kSqrt:
      return "'sqrt'";
    case Kind::kLog2:
      return "'log2'";
    case Kind::kCount:
      return fmt::format("{}", count_value);
    case Kind::kFraction: {
      std::string s = fmt::format("{}", fraction_value);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kAll:
      return "None";
  }
  return "None";
}

}  // namespace rivulet::ml
