#pragma once
// Appending the generators' JSON objects without allocating: keys are literals or strings
// prepared once, numbers are formatted with std::to_chars into a stack buffer. Doubles are
// written as Python's repr writes them (shortest round-trip digits; "300000.0", "1e-05",
// "1e+16"), so River's values print the same; the ".0" of integral values also keeps a field to
// one JSON number type (a reader that types `1` as an integer and `1.5` as a double sees doubles
// throughout). Values are our own: keys and strings need no escaping.

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace rivulet::io::internal {

inline void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // Python's repr: the shortest digits that read back to v, in positional notation for decimal
  // exponents from -4 to 15 and in scientific notation outside. std::to_chars picks whichever
  // notation is shorter, so redo the two cases where that differs from repr.
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  const size_t e = text.find('e');
  if (e != std::string_view::npos) {
    // The exponent's digits end where the text does: buf is not NUL-terminated, and reading
    // on (as atoi did) took whatever digits the stack held after them for the exponent's.
    const char* from = buf + e + 1;
    if (*from == '+') ++from;
    int exponent = 0;
    std::from_chars(from, r.ptr, exponent);
    if (exponent >= -4 && exponent < 16) {
      r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
      text = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
    }
  } else if (std::fabs(v) >= 1e16) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    text = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
  }
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

inline void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

// `v` in decimal, left-padded with zeros to `width` digits.
inline void append_padded(std::string& out, uint64_t v, int width) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  const int digits = static_cast<int>(r.ptr - buf);
  if (digits < width) out.append(static_cast<size_t>(width - digits), '0');
  out.append(buf, static_cast<size_t>(digits));
}

// One JSON object: `{"k":v,...}` then '\n'. Keys are passed with their quotes and colon already
// written (`"\"amount\":"`), so a field costs two appends.
class JsonLine {
 public:
  explicit JsonLine(std::string& out) : out_(out) { out_ += '{'; }
  JsonLine(const JsonLine&) = delete;
  JsonLine& operator=(const JsonLine&) = delete;

  JsonLine& key(std::string_view quoted_key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += quoted_key;
    return *this;
  }
  JsonLine& number(std::string_view quoted_key, double v) {
    key(quoted_key);
    append_double(out_, v);
    return *this;
  }
  JsonLine& integer(std::string_view quoted_key, int64_t v) {
    key(quoted_key);
    append_int(out_, v);
    return *this;
  }
  JsonLine& boolean(std::string_view quoted_key, bool v) {
    key(quoted_key);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonLine& string(std::string_view quoted_key, std::string_view v) {
    key(quoted_key);
    out_ += '"';
    out_ += v;
    out_ += '"';
    return *this;
  }
  // A string made of a prefix and a zero-padded number: "c0000042".
  JsonLine& id(std::string_view quoted_key, std::string_view prefix, uint64_t v, int width) {
    key(quoted_key);
    out_ += '"';
    out_ += prefix;
    append_padded(out_, v, width);
    out_ += '"';
    return *this;
  }
  void end() { out_ += "}\n"; }

 private:
  std::string& out_;
  bool first_ = true;
};

// `"name":` for each of n names "<prefix><i>", prepared once by a generator.
inline std::string quoted_key(std::string_view name) { return fmt::format("\"{}\":", name); }

// The canonical text of a spec: `kind(name=value, ...)`, values as a spec writes them.
class SpecText {
 public:
  explicit SpecText(std::string_view kind) : text_(kind) { text_ += '('; }
  SpecText& add(std::string_view name, double v) {
    sep(name);
    append_double(text_, v);
    return *this;
  }
  SpecText& add(std::string_view name, int64_t v) {
    sep(name);
    append_int(text_, v);
    return *this;
  }
  SpecText& add(std::string_view name, uint64_t v) {
    sep(name);
    text_ += std::to_string(v);
    return *this;
  }
  SpecText& add(std::string_view name, bool v) {
    sep(name);
    text_ += v ? "True" : "False";
    return *this;
  }
  SpecText& add(std::string_view name, std::string_view v) {
    sep(name);
    text_ += '\'';
    text_ += v;
    text_ += '\'';
    return *this;
  }
  SpecText& add(std::string_view name, const char* v) { return add(name, std::string_view(v)); }
  std::string str() const { return text_ + ")"; }

 private:
  void sep(std::string_view name) {
    if (text_.back() != '(') text_ += ", ";
    text_ += name;
    text_ += '=';
  }
  std::string text_;
};

}  // namespace rivulet::io::internal
