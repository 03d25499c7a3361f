#pragma once
// Pieces shared by the decoders and encoders: event-time parsing, JSON text output (escaping and
// numbers exactly as stream::row_to_json writes them, without allocating), and the wording of
// dead-letter reasons.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "rivulet/core/value.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/json_text.h"

namespace rivulet::io::internal {

/// Epoch milliseconds of an ISO-8601 date-time: "2024-01-02", "2024-01-02T03:04:05",
/// "2024-01-02 03:04:05.678", with "Z", "+01:00", "+0100" or "+01" (no zone: UTC). Fractions
/// beyond milliseconds are truncated. nullopt when `text` is not one.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);
/// An event time written as text: epoch milliseconds ("1700000000000", "-5", "1.7e12") or
/// ISO-8601.
std::optional<int64_t> parse_event_time_text(std::string_view text, int64_t unit_us = 1000);
/// Epoch milliseconds of a double (rounded); nullopt when not finite or out of range.
std::optional<int64_t> event_time_of_double(double value, int64_t unit_us = 1000);
// A numeric event time in units of `unit_us` microseconds as epoch milliseconds (rounded down);
// none when it does not fit.
std::optional<int64_t> event_time_of_int(int64_t value, int64_t unit_us);

/// The text of the event-time error: `field 'ts': cannot read "x" as an event time (...)`.
std::string event_time_error(std::string_view field, std::string_view text);

// JSON text of strings and values (rivulet/stream/json_text.h).
using stream::append_json_string;
using stream::append_json_value;
/// The most bytes write_json_value may write for `v`.
inline size_t json_value_bound(const Value& v) {
  return v.type() == Type::kString ? 2 + 6 * v.as_string().size() : 32;
}
/// Writes `v` as append_json_value does at `p` (room for json_value_bound(v) bytes) and returns
/// the end.
char* write_json_value(char* p, const Value& v);
/// Copies `n` bytes; short copies (most keys and values) without a library call.
inline char* put_bytes(char* p, const char* s, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(p, &a, 8);
    std::memcpy(p + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a = 0, b = 0;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(p, &a, 4);
    std::memcpy(p + n - 4, &b, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) p[i] = s[i];
  } else {
    std::memcpy(p, s, n);
  }
  return p + n;
}

/// Appends `v` as a CSV cell (NULL: empty; empty string: ""; quoted when it holds the
/// delimiter, a quote, CR or LF; doubles as fmt writes them, NaN and infinities as NaN,
/// Infinity, -Infinity).
void append_csv_value(std::string& out, const Value& v, char delimiter);
/// Appends `s` as a CSV cell, quoted only when needed.
void append_csv_text(std::string& out, std::string_view s, char delimiter);

/// `"text"` for messages, cut after 40 bytes with "...".
std::string quote_for_message(std::string_view text);

/// "path:line" (or the origin alone when the line number is 0).
std::string origin_with_line(std::string_view origin, uint64_t line);

/// Whitespace trimmed from both ends (space, tab, CR, LF).
std::string_view trim(std::string_view s);

}  // namespace rivulet::io::internal
