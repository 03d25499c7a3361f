#include "rivulet/stream/json_text.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace rivulet::stream {
namespace {

// Bytes that are escaped: controls, the quote and the backslash.
constexpr std::array<bool, 256> kJsonEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kJsonEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_json_value(std::string& out, const Value& v) {
  char buf[32];
  switch (v.type()) {
    case Type::kNull:
      out += "null";
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
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      const char* end = fmt::format_to(buf, FMT_COMPILE("{}"), d);
      out.append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case Type::kString:
      append_json_string(out, v.as_string());
      return;
  }
}

}  // namespace rivulet::stream
