#pragma once
/// JSON text of values, as rows are written everywhere (dead letters, the console, JSON Lines
/// sinks): strings quoted with `"`, `\\`, `\n`, `\r`, `\t` and other controls escaped
/// (`\u00XX`); integers as they are; doubles in their shortest round-trip form (fmt's "{}"),
/// NaN and infinities as null; booleans true/false; NULL null.
/// Thread safety: functions.
/// ```cpp example
/// std::string out;
/// rivulet::stream::append_json_string(out, "a\"b\n");
/// rivulet::stream::append_json_value(out, rivulet::Value::of_double(0.1));
/// EXPECT_EQ(out, "\"a\\\"b\\n\"0.1");
/// ```

#include <string>
#include <string_view>

#include "rivulet/core/value.h"

namespace rivulet::stream {

/// Appends `s` as a JSON string.
void append_json_string(std::string& out, std::string_view s);
/// Appends `v` as JSON.
void append_json_value(std::string& out, const Value& v);

}  // namespace rivulet::stream
