#include "rivulet/core/numbers.h"

#include <charconv>
#include <cstdlib>
#include <string>

namespace rivulet {

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ptr != end) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // from_chars refuses values beyond double's range; strtod gives them as 0 or +-HUGE_VAL.
    value = std::strtod(std::string(text).c_str(), nullptr);
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace rivulet
