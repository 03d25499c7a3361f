#include "io/codec/codec_internal.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace rivulet::io::internal {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[i..]; advances i.
bool digits(std::string_view s, size_t& i, size_t n, unsigned& out) {
  if (i + n > s.size()) return false;
  unsigned v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  i += n;
  return true;
}

// Bytes that row_to_json escapes: controls, the quote and the backslash.
constexpr std::array<bool, 256> kJsonEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

}  // namespace

std::optional<int64_t> parse_iso8601_ms(std::string_view s) {
  size_t i = 0;
  unsigned year = 0, month = 0, day = 0;
  if (!digits(s, i, 4, year)) return std::nullopt;
  if (i >= s.size() || s[i] != '-') return std::nullopt;
  ++i;
  if (!digits(s, i, 2, month) || i >= s.size() || s[i] != '-') return std::nullopt;
  ++i;
  if (!digits(s, i, 2, day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  int64_t ms = days_from_civil(year, month, day) * 86400000;
  if (i == s.size()) return ms;
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
  ++i;
  unsigned hour = 0, minute = 0, second = 0, millis = 0;
  if (!digits(s, i, 2, hour) || i >= s.size() || s[i] != ':') return std::nullopt;
  ++i;
  if (!digits(s, i, 2, minute)) return std::nullopt;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, i, 2, second)) return std::nullopt;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const size_t start = i;
      unsigned scale = 100;
      while (i < s.size() && is_digit(s[i])) {
        millis += static_cast<unsigned>(s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == start) return std::nullopt;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  ms += (static_cast<int64_t>(hour) * 3600 + minute * 60 + second) * 1000 + millis;
  if (i == s.size()) return ms;
  if (s[i] == 'Z' || s[i] == 'z')
    return i + 1 == s.size() ? std::optional<int64_t>(ms) : std::nullopt;
  if (s[i] != '+' && s[i] != '-') return std::nullopt;
  const int sign = s[i] == '+' ? 1 : -1;
  ++i;
  unsigned zh = 0, zm = 0;
  if (!digits(s, i, 2, zh)) return std::nullopt;
  if (i < s.size()) {
    if (s[i] == ':') ++i;
    if (!digits(s, i, 2, zm)) return std::nullopt;
  }
  if (i != s.size() || zh > 23 || zm > 59) return std::nullopt;
  // Local time = UTC + offset.
  return ms - sign * (static_cast<int64_t>(zh) * 3600 + zm * 60) * 1000;
}

std::optional<int64_t> event_time_of_double(double value, int64_t unit_us) {
  const double ms = unit_us == 1000 ? value : value * static_cast<double>(unit_us) / 1000.0;
  if (!std::isfinite(ms) || std::fabs(ms) >= 9.2e18) return std::nullopt;
  return static_cast<int64_t>(unit_us < 1000 ? std::floor(ms) : std::llround(ms));
}

std::optional<int64_t> event_time_of_int(int64_t value, int64_t unit_us) {
  if (unit_us == 1000) return value;
  if (unit_us < 1000) {  // finer than a millisecond: rounded down
    const int64_t per_ms = 1000 / unit_us;
    const int64_t q = value / per_ms;
    return (value % per_ms != 0 && value < 0) ? q - 1 : q;
  }
  int64_t ms = 0;
  if (__builtin_mul_overflow(value, unit_us / 1000, &ms)) return std::nullopt;
  return ms;
}

std::optional<int64_t> parse_event_time_text(std::string_view text, int64_t unit_us) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  int64_t i = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), i);
  if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return event_time_of_int(i, unit_us);
  if (auto iso = parse_iso8601_ms(text)) return iso;
  double d = 0.0;
  auto rd = std::from_chars(text.data(), text.data() + text.size(), d);
  if (rd.ec == std::errc() && rd.ptr == text.data() + text.size()) {
    return event_time_of_double(d, unit_us);
  }
  return std::nullopt;
}

std::string event_time_error(std::string_view field, std::string_view text) {
  return fmt::format(
      "field '{}': cannot read {} as an event time (epoch milliseconds, or ISO-8601 such as "
      "2024-01-02T03:04:05.678Z)",
      field, quote_for_message(text));
}

namespace {

char* write_json_string(char* p, std::string_view s) {
  *p++ = '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kJsonEscape[c]) continue;
    p = put_bytes(p, s.data() + run, i - run);
    run = i + 1;
    *p++ = '\\';
    switch (c) {
      case '"':
        *p++ = '"';
        break;
      case '\\':
        *p++ = '\\';
        break;
      case '\n':
        *p++ = 'n';
        break;
      case '\r':
        *p++ = 'r';
        break;
      case '\t':
        *p++ = 't';
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
      }
    }
  }
  p = put_bytes(p, s.data() + run, s.size() - run);
  *p++ = '"';
  return p;
}

}  // namespace

char* write_json_value(char* p, const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return put_bytes(p, "null", 4);
    case Type::kBool:
      return v.as_bool() ? put_bytes(p, "true", 4) : put_bytes(p, "false", 5);
    case Type::kInt:
      return std::to_chars(p, p + 24, v.as_int()).ptr;
    case Type::kDouble: {
      const double d = v.as_double();
      if (!std::isfinite(d)) return put_bytes(p, "null", 4);
      return fmt::format_to(p, FMT_COMPILE("{}"), d);
    }
    case Type::kString:
      return write_json_string(p, v.as_string());
  }
  return p;
}

void append_csv_text(std::string& out, std::string_view s, char delimiter) {
  bool quote = s.empty();
  for (const char c : s) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out.append(s);
    return;
  }
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    out.append(s.data() + run, i + 1 - run);  // the quote itself, then its double
    out.push_back('"');
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_csv_value(std::string& out, const Value& v, char delimiter) {
  char buf[32];
  switch (v.type()) {
    case Type::kNull:
      return;
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::kInt: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out.append(buf, static_cast<size_t>(r.ptr - buf));
      return;
    }
    case Type::kDouble: {
      const double d = v.as_double();
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        const char* end = fmt::format_to(buf, FMT_COMPILE("{}"), d);
        out.append(buf, static_cast<size_t>(end - buf));
      }
      return;
    }
    case Type::kString:
      append_csv_text(out, v.as_string(), delimiter);
      return;
  }
}

std::string quote_for_message(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  if (text.size() <= kMax) {
    out.append(text);
  } else {
    // Cut on a UTF-8 character boundary.
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    out.append(text.substr(0, cut));
    out += "...";
  }
  out += '"';
  return out;
}

std::string origin_with_line(std::string_view origin, uint64_t line) {
  if (line == 0) return std::string(origin);
  return fmt::format("{}:{}", origin, line);
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace rivulet::io::internal
