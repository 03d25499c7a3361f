// Pure helpers of the expression language: conversions, strings, LIKE, ROUND, time.

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "rivulet/core/numbers.h"
#include "stream/expression_internal.h"

namespace rivulet::stream::internal {
namespace {

__extension__ typedef __int128 Int128;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

// Length in bytes of the UTF-8 character starting at s[i].
size_t char_len(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && continuation(s[j])) ++j;
  return j - i;
}

constexpr int64_t kMsPerDay = 86'400'000;

int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[*i].
bool digits(std::string_view s, size_t* i, size_t n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
constexpr std::string_view kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};

}  // namespace

std::optional<int64_t> parse_bigint(std::string_view s) {
  s = strip(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  s = strip(s);
  if (s.empty()) return std::nullopt;
  // Java's spellings of the infinities and NaN; parse_number knows inf, infinity and nan.
  return parse_number(s);
}

std::optional<bool> parse_boolean(std::string_view s) {
  s = strip(s);
  for (std::string_view t : {"true", "t", "yes", "y", "1"}) {
    if (iequals(s, t)) return true;
  }
  for (std::string_view f : {"false", "f", "no", "n", "0"}) {
    if (iequals(s, f)) return false;
  }
  return std::nullopt;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += continuation(c) ? 0 : 1;
  return n;
}

size_t utf8_advance(std::string_view s, size_t from, uint64_t chars) {
  size_t i = from;
  while (chars > 0 && i < s.size()) {
    i += char_len(s, i);
    --chars;
  }
  return i;
}

std::string_view substring(std::string_view s, int64_t pos, int64_t len) {
  if (s.empty()) return s;
  const auto n = static_cast<int64_t>(utf8_length(s));
  int64_t start = 0;
  if (pos > 0) {
    start = pos - 1;
    if (start >= n) return {};
  } else if (pos < 0) {
    start = n + pos;
    if (start < 0) return {};
  }
  const int64_t end = n - start < len ? n : start + len;
  const size_t b = utf8_advance(s, 0, static_cast<uint64_t>(start));
  const size_t e = utf8_advance(s, b, static_cast<uint64_t>(end - start));
  return s.substr(b, e - b);
}

int64_t locate(std::string_view needle, std::string_view s, int64_t from) {
  if (from < 1) from = 1;
  const auto n = static_cast<int64_t>(utf8_length(s));
  if (from - 1 > n) return 0;
  const size_t start = utf8_advance(s, 0, static_cast<uint64_t>(from - 1));
  const size_t found = s.find(needle, start);
  if (found == std::string_view::npos) return 0;
  return static_cast<int64_t>(utf8_length(s.substr(0, found))) + 1;
}

std::string_view trim(std::string_view s, std::string_view chars, TrimMode mode) {
  // `chars` is a set of characters (UTF-8 sequences), as in TRIM(BOTH 'xy' FROM s).
  auto in_set = [&](std::string_view c) {
    for (size_t i = 0; i < chars.size();) {
      const size_t l = char_len(chars, i);
      if (chars.substr(i, l) == c) return true;
      i += l;
    }
    return false;
  };
  if (mode != TrimMode::kTrailing) {
    while (!s.empty()) {
      const size_t l = char_len(s, 0);
      if (!in_set(s.substr(0, l))) break;
      s.remove_prefix(l);
    }
  }
  if (mode != TrimMode::kLeading) {
    while (!s.empty()) {
      size_t b = s.size() - 1;
      while (b > 0 && continuation(s[b])) --b;
      if (!in_set(s.substr(b))) break;
      s.remove_suffix(s.size() - b);
    }
  }
  return s;
}

bool like_match(std::string_view text, std::string_view pattern, int escape) {
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      const bool escaped = escape >= 0 && c == static_cast<char>(escape) && p + 1 < pattern.size();
      if (!escaped && c == '%') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (!escaped && c == '_') {
        t += char_len(text, t);
        ++p;
        continue;
      }
      const char literal = escaped ? pattern[p + 1] : c;
      if (text[t] == literal) {
        ++t;
        p += escaped ? 2 : 1;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_t += char_len(text, star_t);
    t = star_t;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '%' &&
         !(escape >= 0 && pattern[p] == static_cast<char>(escape)))
    ++p;
  return p == pattern.size();
}

std::optional<std::string> plan_like(std::string_view pattern, int escape, Arena& arena,
                                     LikePlan* plan) {
  plan->pattern = pattern;
  plan->escape = escape;
  plan->kind = LikePlan::Kind::kGeneral;
  // Unescape, noting where the unescaped % and _ are.
  char* lit = arena.allocate(pattern.size());
  size_t n = 0;
  size_t leading = 0, trailing = 0;
  bool other_wildcard = false;
  bool seen_literal = false;
  size_t run_after_literal = 0;  // % seen since the last literal character
  for (size_t p = 0; p < pattern.size(); ++p) {
    const char c = pattern[p];
    if (escape >= 0 && c == static_cast<char>(escape)) {
      if (p + 1 == pattern.size()) {
        return "LIKE pattern '" + std::string(pattern) + "' ends with its escape character";
      }
      if (run_after_literal > 0) other_wildcard = true;
      lit[n++] = pattern[++p];
      seen_literal = true;
      run_after_literal = 0;
    } else if (c == '_') {
      other_wildcard = true;
    } else if (c == '%') {
      if (!seen_literal) {
        ++leading;
      } else {
        ++run_after_literal;
      }
    } else {
      if (run_after_literal > 0) other_wildcard = true;
      lit[n++] = c;
      seen_literal = true;
      run_after_literal = 0;
    }
  }
  trailing = run_after_literal;
  arena.shrink_last(lit, pattern.size(), n);
  if (other_wildcard || (!seen_literal && leading > 0)) {
    // A % in the middle, any _, or a pattern of % only (which matches everything; general).
    return std::nullopt;
  }
  plan->literal = std::string_view(lit, n);
  if (leading == 0 && trailing == 0) {
    plan->kind = LikePlan::Kind::kExact;
  } else if (leading == 0) {
    plan->kind = LikePlan::Kind::kPrefix;
  } else if (trailing == 0) {
    plan->kind = LikePlan::Kind::kSuffix;
  } else {
    plan->kind = LikePlan::Kind::kContains;
  }
  return std::nullopt;
}

namespace {

// A view RE2 can tell from "no text": an empty string with a null pointer would make an empty
// group look like one that took no part in the match.
re2::StringPiece piece(std::string_view s) {
  static constexpr char kEmpty[] = "";
  return s.empty() ? re2::StringPiece(kEmpty, 0) : re2::StringPiece(s.data(), s.size());
}

// Java's Character.isWhitespace of the code point at s[i], and its length in bytes: ASCII
// spaces and controls U+001C..U+001F, and the Unicode space, line and paragraph separators but
// the no-break ones (U+00A0, U+2007, U+202F).
size_t whitespace_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  const size_t len = char_len(s, i);
  uint32_t cp = 0;
  if (len == 2) {
    cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
  } else if (len == 3) {
    cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
         (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
  } else {
    return 0;
  }
  const bool space = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A && cp != 0x2007) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x205F || cp == 0x3000;
  return space ? len : 0;
}

}  // namespace

std::shared_ptr<const re2::RE2> compile_regex(std::string_view pattern, std::string* error) {
  re2::RE2::Options options;
  options.set_log_errors(false);  // library code writes nothing to stderr
  auto re = std::make_shared<const re2::RE2>(piece(pattern), options);
  if (re->ok()) return re;
  if (error != nullptr) {
    *error = re->error();
    const auto code = re->error_code();
    if (code == re2::RE2::ErrorBadPerlOp || code == re2::RE2::ErrorBadEscape) {
      *error += " (patterns are RE2's: Java's syntax without lookaround or backreferences)";
    }
  }
  return nullptr;
}

int regex_groups(const re2::RE2& re) { return re.NumberOfCapturingGroups(); }

bool regex_find(const re2::RE2& re, std::string_view s) {
  if (re.pattern().empty()) return false;  // as Flink's REGEXP
  const re2::StringPiece text = piece(s);
  return re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, nullptr, 0);
}

std::optional<std::string_view> regex_extract(const re2::RE2& re, std::string_view s,
                                              int64_t group) {
  if (group < 0 || group > re.NumberOfCapturingGroups()) return std::nullopt;
  const auto n = static_cast<int>(group) + 1;
  re2::StringPiece small[4];
  std::unique_ptr<re2::StringPiece[]> large;
  re2::StringPiece* groups = small;
  if (n > 4) {
    large = std::make_unique<re2::StringPiece[]>(static_cast<size_t>(n));
    groups = large.get();
  }
  const re2::StringPiece text = piece(s);
  if (!re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, groups, n)) return std::nullopt;
  const re2::StringPiece g = groups[n - 1];
  if (g.data() == nullptr) return std::nullopt;  // the group took no part in the match
  return std::string_view(g.data(), g.size());
}

std::string_view regex_replace(const re2::RE2& re, std::string_view s, std::string_view replacement,
                               Arena& arena) {
  // Java's Matcher.replaceAll: after an empty match the search goes on one character further,
  // after a non-empty one at its end (where an empty match may follow).
  thread_local std::string buffer;
  buffer.clear();
  const re2::StringPiece text = piece(s);
  size_t copied = 0;  // s[0, copied) is in the buffer
  size_t from = 0;
  bool any = false;
  re2::StringPiece m;
  while (from <= s.size() && re.Match(text, from, text.size(), re2::RE2::UNANCHORED, &m, 1)) {
    const auto begin = static_cast<size_t>(m.data() - text.data());
    const size_t end = begin + m.size();
    buffer.append(s.data() + copied, begin - copied);
    buffer.append(replacement);
    copied = end;
    any = true;
    if (end > begin) {
      from = end;
    } else if (end < s.size()) {
      from = end + char_len(s, end);
    } else {
      break;
    }
  }
  if (!any) return s;
  buffer.append(s.data() + copied, s.size() - copied);
  if (buffer.empty()) return {};
  char* p = arena.allocate(buffer.size());
  std::memcpy(p, buffer.data(), buffer.size());
  return {p, buffer.size()};
}

std::optional<std::string_view> split_index(std::string_view s, std::string_view delimiter,
                                            int64_t index) {
  if (index < 0 || s.empty()) return std::nullopt;
  size_t start = 0;
  int64_t field = 0;
  if (delimiter.empty()) {
    for (size_t i = 0; i < s.size();) {
      const size_t w = whitespace_at(s, i);
      if (w == 0) {
        i += char_len(s, i);
        continue;
      }
      if (field == index) return s.substr(start, i - start);
      ++field;
      i += w;
      start = i;
    }
  } else {
    for (size_t at = s.find(delimiter); at != std::string_view::npos;
         at = s.find(delimiter, start)) {
      if (field == index) return s.substr(start, at - start);
      ++field;
      start = at + delimiter.size();
    }
  }
  if (field == index) return s.substr(start);
  return std::nullopt;
}

double round_double(double x, int64_t d) {
  // Fast path: scale, round, scale back. Exact (the same as rounding the decimal form) unless the
  // scaled value is close to a tie, where the binary form may sit on the other side of .5 than
  // the decimal one (1.005 is 1.00499999999999989... in binary): those take the decimal path.
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (d >= 0 && d <= 15) {
    const double y = x * kPow10[d];
    if (std::fabs(y) < 1e9) {
      const double frac = std::fabs(y - std::trunc(y));
      if (std::fabs(frac - 0.5) > 1e-5) {
        const double r = std::round(y) / kPow10[d];
        return r == 0.0 ? 0.0 : r;  // no negative zero, as BigDecimal
      }
    }
  }
  return round_double_decimal(x, d);
}

double round_double_decimal(double x, int64_t d) {
  if (x == 0.0) return 0.0;
  if (!std::isfinite(x)) return x;
  if (d > 400) return x;
  if (d < -400) return 0.0;
  const bool negative = x < 0;
  char sci[32];
  auto [end, ec] =
      std::to_chars(sci, sci + sizeof(sci), std::fabs(x), std::chars_format::scientific);
  (void)ec;
  char dig[24];
  int nd = 0;
  const char* p = sci;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') dig[nd++] = *p;
  }
  int e = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, e);
  // x = 0.d1d2...dn * 10^(e+1); keep k = e + 1 + d significant digits.
  const int64_t k = e + 1 + d;
  if (k >= nd) return x;
  if (k < 0) return 0.0;
  // kept digits as an integer, then add one if the next digit is 5 or more (HALF_UP).
  uint64_t kept = 0;
  for (int64_t i = 0; i < k; ++i) kept = kept * 10 + static_cast<uint64_t>(dig[i] - '0');
  if (dig[k] >= '5') ++kept;
  if (kept == 0) return 0.0;
  // Result = kept * 10^(e + 1 - k), built as text so that it is the nearest double.
  char out[48];
  auto [q, ec2] = std::to_chars(out, out + 24, kept);
  (void)ec2;
  *q++ = 'e';
  auto [q2, ec3] = std::to_chars(q, out + sizeof(out), e + 1 - k);
  (void)ec3;
  double r = 0.0;
  std::from_chars(out, q2, r);
  return negative ? -r : r;
}

int64_t round_bigint(int64_t x, int64_t d) {
  if (d >= 0) return x;
  if (d < -38) return 0;
  Int128 p = 1;
  for (int64_t i = 0; i < -d; ++i) p *= 10;
  const Int128 v = x;
  Int128 q = v / p;
  const Int128 rem = v % p;
  if ((rem < 0 ? -rem : rem) * 2 >= p) q += v < 0 ? -1 : 1;
  // Two's complement wrap-around of a result beyond bigint, as Java's long.
  return static_cast<int64_t>(static_cast<uint64_t>(q * p));
}

std::optional<int64_t> parse_timestamp(std::string_view s) {
  s = strip(s);
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  if (!digits(s, &i, 4, &year)) return std::nullopt;
  if (i >= s.size() || s[i++] != '-' || !digits(s, &i, 2, &month)) return std::nullopt;
  if (i >= s.size() || s[i++] != '-' || !digits(s, &i, 2, &day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  int64_t offset_minutes = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    ++i;
    if (!digits(s, &i, 2, &hour)) return std::nullopt;
    if (i >= s.size() || s[i++] != ':' || !digits(s, &i, 2, &minute)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, &i, 2, &second)) return std::nullopt;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        int n_frac = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (n_frac < 9) nanos = nanos * 10 + (s[i] - '0');
          ++n_frac;
          ++i;
        }
        if (n_frac == 0) return std::nullopt;
        for (int k = n_frac; k < 9; ++k) nanos *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(s, &i, 2, &oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !digits(s, &i, 2, &om)) return std::nullopt;
      if (oh > 18 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (i != s.size()) return std::nullopt;
  const int64_t days = days_from_civil(year, month, day);
  return days * kMsPerDay + hour * 3'600'000LL + minute * 60'000LL + second * 1000LL +
         nanos / 1'000'000 - offset_minutes * 60'000LL;
}

CivilTime civil_time(int64_t ms) {
  int64_t days = ms / kMsPerDay;
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  CivilTime t{};
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
  t.hour = static_cast<int>(rem / 3'600'000);
  t.minute = static_cast<int>(rem / 60'000 % 60);
  t.second = static_cast<int>(rem / 1000 % 60);
  t.millisecond = static_cast<int>(rem % 1000);
  t.day_of_week = static_cast<int>(((days + 4) % 7 + 7) % 7) + 1;
  t.day_of_year = static_cast<int>(days - days_from_civil(t.year, 1, 1) + 1);
  return t;
}

int64_t time_part(int64_t ms, TimePart part) {
  // The time of day needs no calendar.
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) rem += kMsPerDay;
  switch (part) {
    case TimePart::kHour:
      return rem / 3'600'000;
    case TimePart::kMinute:
      return rem / 60'000 % 60;
    case TimePart::kSecond:
      return rem / 1000 % 60;
    case TimePart::kMillisecond:
      return rem % 1000;
    default:
      break;
  }
  const CivilTime t = civil_time(ms);
  switch (part) {
    case TimePart::kYear:
      return t.year;
    case TimePart::kQuarter:
      return (t.month - 1) / 3 + 1;
    case TimePart::kMonth:
      return t.month;
    case TimePart::kDayOfMonth:
      return t.day;
    case TimePart::kDayOfWeek:
      return t.day_of_week;
    case TimePart::kDayOfYear:
      return t.day_of_year;
    case TimePart::kHour:
      return t.hour;
    case TimePart::kMinute:
      return t.minute;
    case TimePart::kSecond:
      return t.second;
    case TimePart::kMillisecond:
      return t.millisecond;
  }
  return 0;
}

namespace {

bool supported_letter(char c) { return std::strchr("yMdDHhmsSaEXZ", c) != nullptr; }

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Appends `v` padded with zeros to `width` digits.
void put_number(char* out, size_t* n, int64_t v, size_t width) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v < 0 ? -v : v);
  (void)ec;
  const auto len = static_cast<size_t>(end - buf);
  if (v < 0) out[(*n)++] = '-';
  for (size_t k = len; k < width; ++k) out[(*n)++] = '0';
  std::memcpy(out + *n, buf, len);
  *n += len;
}

void put_text(char* out, size_t* n, std::string_view s) {
  std::memcpy(out + *n, s.data(), s.size());
  *n += s.size();
}

}  // namespace

std::optional<std::string> check_date_format(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\'') {
      const size_t close = pattern.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return "DATE_FORMAT pattern '" + std::string(pattern) + "' has an unclosed quote";
      }
      i = close;
    } else if (is_letter(c) && !supported_letter(c)) {
      return "DATE_FORMAT pattern letter '" + std::string(1, c) +
             "' is not supported (valid: y M d D H h m s S a E X Z, and 'quoted text')";
    }
  }
  return std::nullopt;
}

bool date_format(int64_t ms, std::string_view pattern, Arena& arena, std::string_view* result) {
  const CivilTime t = civil_time(ms);
  const size_t bound = pattern.size() * 12 + 16;
  char* out = arena.allocate(bound);
  size_t n = 0;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      const size_t close = pattern.find('\'', i + 1);
      if (close == std::string_view::npos) {
        arena.shrink_last(out, bound, 0);
        return false;
      }
      if (close == i + 1) {
        out[n++] = '\'';  // '' is a quote
      } else {
        put_text(out, &n, pattern.substr(i + 1, close - i - 1));
      }
      i = close + 1;
      continue;
    }
    if (!is_letter(c)) {
      out[n++] = c;
      ++i;
      continue;
    }
    size_t count = 1;
    while (i + count < pattern.size() && pattern[i + count] == c) ++count;
    i += count;
    switch (c) {
      case 'y':
        if (count == 2) {
          put_number(out, &n, ((t.year % 100) + 100) % 100, 2);
        } else {
          put_number(out, &n, t.year, count);
        }
        break;
      case 'M':
        if (count >= 4) {
          put_text(out, &n, kMonths[t.month - 1]);
        } else if (count == 3) {
          put_text(out, &n, kMonths[t.month - 1].substr(0, 3));
        } else {
          put_number(out, &n, t.month, count);
        }
        break;
      case 'd':
        put_number(out, &n, t.day, count);
        break;
      case 'D':
        put_number(out, &n, t.day_of_year, count);
        break;
      case 'H':
        put_number(out, &n, t.hour, count);
        break;
      case 'h':
        put_number(out, &n, t.hour % 12 == 0 ? 12 : t.hour % 12, count);
        break;
      case 'm':
        put_number(out, &n, t.minute, count);
        break;
      case 's':
        put_number(out, &n, t.second, count);
        break;
      case 'S': {
        // Fraction of the second: S tenths, SS hundredths, SSS milliseconds, more adds zeros.
        char ms3[3] = {static_cast<char>('0' + t.millisecond / 100),
                       static_cast<char>('0' + t.millisecond / 10 % 10),
                       static_cast<char>('0' + t.millisecond % 10)};
        for (size_t k = 0; k < count; ++k) out[n++] = k < 3 ? ms3[k] : '0';
        break;
      }
      case 'a':
        put_text(out, &n, t.hour < 12 ? "AM" : "PM");
        break;
      case 'E':
        put_text(out, &n,
                 count >= 4 ? kDays[t.day_of_week - 1] : kDays[t.day_of_week - 1].substr(0, 3));
        break;
      case 'X':
        out[n++] = 'Z';
        break;
      case 'Z':
        put_text(out, &n, "+0000");
        break;
      default:
        arena.shrink_last(out, bound, 0);
        return false;
    }
  }
  arena.shrink_last(out, bound, n);
  *result = std::string_view(out, n);
  return true;
}

}  // namespace rivulet::stream::internal
