#pragma once
/// Number parsing shared by the readers and the spec parser.
/// ```cpp example
/// EXPECT_EQ(rivulet::parse_number(" 2.5 "), 2.5);
/// EXPECT_EQ(rivulet::parse_number("1e3"), 1000.0);
/// EXPECT_FALSE(rivulet::parse_number("2.5x").has_value());
/// EXPECT_FALSE(rivulet::parse_number("").has_value());
/// ```

#include <optional>
#include <string_view>

namespace rivulet {

/// Parses all of `text` as a double (finite or not: "nan" and "inf" parse); nullopt unless the
/// whole text is one number. Leading and trailing spaces and a leading '+' are allowed.
std::optional<double> parse_number(std::string_view text);

}  // namespace rivulet
