#include "rivulet/core/value.h"

#include <charconv>
#include <cmath>
#include <ostream>

namespace rivulet {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kInt:
      return "bigint";
    case Type::kDouble:
      return "double";
    case Type::kString:
      return "string";
  }
  return "?";
}

std::optional<Type> parse_type(std::string_view name) {
  struct Alias {
    std::string_view name;
    Type type;
  };
  static constexpr Alias kAliases[] = {
      {"null", Type::kNull},      {"boolean", Type::kBool},   {"bool", Type::kBool},
      {"bigint", Type::kInt},     {"int", Type::kInt},        {"integer", Type::kInt},
      {"long", Type::kInt},       {"smallint", Type::kInt},   {"tinyint", Type::kInt},
      {"double", Type::kDouble},  {"float", Type::kDouble},   {"real", Type::kDouble},
      {"decimal", Type::kDouble}, {"numeric", Type::kDouble}, {"string", Type::kString},
      {"varchar", Type::kString}, {"char", Type::kString},    {"text", Type::kString},
  };
  for (const Alias& a : kAliases) {
    if (iequals(a.name, name)) return a.type;
  }
  return std::nullopt;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
    case Type::kInt:
      return a.i_ == b.i_;
    case Type::kDouble:
      return a.d_ == b.d_ || (std::isnan(a.d_) && std::isnan(b.d_));
    case Type::kString:
      return a.as_string() == b.as_string();
  }
  return false;
}

size_t format_int(int64_t i, char (&buf)[32]) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), i);
  (void)ec;
  return static_cast<size_t>(end - buf);
}

size_t format_double(double d, char (&buf)[32]) {
  if (std::isnan(d)) {
    std::memcpy(buf, "NaN", 3);
    return 3;
  }
  if (std::isinf(d)) {
    if (d > 0) {
      std::memcpy(buf, "Infinity", 8);
      return 8;
    }
    std::memcpy(buf, "-Infinity", 9);
    return 9;
  }
  size_t n = 0;
  if (std::signbit(d)) {
    buf[n++] = '-';
    d = -d;
  }
  if (d == 0.0) {
    std::memcpy(buf + n, "0.0", 3);
    return n + 3;
  }
  // Shortest round-trip digits in scientific form: "d[.ddd]e[+-]xx".
  char sci[32];
  auto [end, ec] = std::to_chars(sci, sci + sizeof(sci), d, std::chars_format::scientific);
  (void)ec;
  char digits[24];
  size_t n_digits = 0;
  const char* p = sci;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[n_digits++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exponent);
  if (d >= 1e-3 && d < 1e7) {
    if (exponent >= 0) {
      // Integer part: the first exponent+1 digits (padded with zeros), then the rest.
      const size_t int_digits = static_cast<size_t>(exponent) + 1;
      for (size_t i = 0; i < int_digits; ++i) buf[n++] = i < n_digits ? digits[i] : '0';
      buf[n++] = '.';
      if (n_digits > int_digits) {
        for (size_t i = int_digits; i < n_digits; ++i) buf[n++] = digits[i];
      } else {
        buf[n++] = '0';
      }
    } else {
      buf[n++] = '0';
      buf[n++] = '.';
      for (int i = 0; i < -exponent - 1; ++i) buf[n++] = '0';
      for (size_t i = 0; i < n_digits; ++i) buf[n++] = digits[i];
    }
    return n;
  }
  buf[n++] = digits[0];
  buf[n++] = '.';
  if (n_digits > 1) {
    for (size_t i = 1; i < n_digits; ++i) buf[n++] = digits[i];
  } else {
    buf[n++] = '0';
  }
  buf[n++] = 'E';
  auto [e_end, e_ec] = std::to_chars(buf + n, buf + sizeof(buf), exponent);
  (void)e_ec;
  return static_cast<size_t>(e_end - buf);
}

void append_to(std::string& out, const Value& value) {
  char buf[32];
  switch (value.type()) {
    case Type::kNull:
      out += "NULL";
      return;
    case Type::kBool:
      out += value.as_bool() ? "TRUE" : "FALSE";
      return;
    case Type::kInt:
      out.append(buf, format_int(value.as_int(), buf));
      return;
    case Type::kDouble:
      out.append(buf, format_double(value.as_double(), buf));
      return;
    case Type::kString:
      out += value.as_string();
      return;
  }
}

std::string to_string(const Value& value) {
  std::string out;
  append_to(out, value);
  return out;
}

std::ostream& operator<<(std::ostream& os, const Value& value) {
  if (value.is_null()) return os << "NULL";
  os << type_name(value.type()) << ' ';
  if (value.type() == Type::kString) return os << '\'' << value.as_string() << '\'';
  return os << to_string(value);
}

}  // namespace rivulet
