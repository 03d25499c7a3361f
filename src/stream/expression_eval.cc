// The evaluator: one dispatch per node per chunk, then a tight loop over the chunk's selected
// rows. Strict operators evaluate their operands on the same rows first; AND, OR, CASE and
// COALESCE narrow the rows for their later operands (selection vectors).

#include <re2/re2.h>

#include <cmath>
#include <cstring>
#include <numbers>

#include "stream/expression_internal.h"

namespace rivulet::stream::internal {
namespace {

template <class F>
inline void unary(Value* out, View a, const uint16_t* sel, size_t n, F f) {
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = a[r];
    out[r] = x.is_null() ? Value() : f(x);
  }
}

template <class F>
inline void binary(Value* out, View a, View b, const uint16_t* sel, size_t n, F f) {
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = a[r];
    const Value y = b[r];
    out[r] = x.is_null() || y.is_null() ? Value() : f(x, y);
  }
}

template <class F>
inline void ternary(Value* out, View a, View b, View c, const uint16_t* sel, size_t n, F f) {
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = a[r];
    const Value y = b[r];
    const Value z = c[r];
    out[r] = x.is_null() || y.is_null() || z.is_null() ? Value() : f(x, y, z);
  }
}

inline int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// Byte equality without a call to memcmp for the short strings of most records: two possibly
// overlapping word loads from each side.
template <class W>
inline bool same_ends(const char* p, const char* q, size_t n) {
  W x1, y1, x2, y2;
  std::memcpy(&x1, p, sizeof(W));
  std::memcpy(&y1, q, sizeof(W));
  std::memcpy(&x2, p + n - sizeof(W), sizeof(W));
  std::memcpy(&y2, q + n - sizeof(W), sizeof(W));
  return ((x1 ^ y1) | (x2 ^ y2)) == 0;
}

inline bool same_bytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n > 16) return std::memcmp(p, q, n) == 0;
  if (n >= 8) return same_ends<uint64_t>(p, q, n);
  if (n >= 4) return same_ends<uint32_t>(p, q, n);
  if (n >= 2) return same_ends<uint16_t>(p, q, n);
  return n == 0 || *p == *q;
}

// SQL equality of two non-null values of comparable types (numbers mix).
inline bool equal(Value x, Value y) {
  if (x.type() == y.type()) {
    switch (x.type()) {
      case Type::kInt:
      case Type::kBool:
        return x.as_int() == y.as_int();
      case Type::kDouble:
        return x.as_double() == y.as_double();
      case Type::kString:
        return same_bytes(x.as_string(), y.as_string());
      case Type::kNull:
        return false;
    }
  }
  return x.to_double() == y.to_double();
}

inline bool less(Value x, Value y) {
  if (x.type() == Type::kInt && y.type() == Type::kInt) return x.as_int() < y.as_int();
  if (x.type() == Type::kString) return x.as_string() < y.as_string();
  if (x.type() == Type::kBool) return !x.as_bool() && y.as_bool();
  return x.to_double() < y.to_double();
}

inline bool less_equal(Value x, Value y) { return less(x, y) || equal(x, y); }

inline bool is_true(Value v) { return v.type() == Type::kBool && v.as_bool(); }
inline bool is_false(Value v) { return v.type() == Type::kBool && !v.as_bool(); }

// Three-valued logic: 0 false, 1 true, 2 unknown.
inline int and3(int a, int b) { return a == 0 || b == 0 ? 0 : (a == 2 || b == 2 ? 2 : 1); }
inline Value from3(int v, bool negate) {
  if (v == 2) return Value();
  return Value::of_bool((v == 1) != negate);
}

template <class Get>
void compare_loop(Value* out, View a, View b, const uint16_t* sel, size_t n, CmpOp op, Get get) {
  switch (op) {
    case CmpOp::kEq:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) == get(y)); });
      return;
    case CmpOp::kNe:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) != get(y)); });
      return;
    case CmpOp::kLt:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) < get(y)); });
      return;
    case CmpOp::kLe:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) <= get(y)); });
      return;
    case CmpOp::kGt:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) > get(y)); });
      return;
    case CmpOp::kGe:
      binary(out, a, b, sel, n, [&](Value x, Value y) { return Value::of_bool(get(x) >= get(y)); });
      return;
  }
}

std::string_view ascii_case(std::string_view s, bool upper, Arena& arena) {
  if (s.empty()) return s;
  char* p = arena.allocate(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    p[i] = c;
  }
  return {p, s.size()};
}

// memcpy that accepts the null pointer of an empty view.
inline void copy_bytes(char* dst, const char* src, size_t n) {
  if (n > 0) std::memcpy(dst, src, n);
}

Value replace_all(std::string_view s, std::string_view from, std::string_view to, Arena& arena) {
  if (from.empty()) return Value::of_string(s);
  size_t count = 0;
  for (size_t at = s.find(from); at != std::string_view::npos;
       at = s.find(from, at + from.size())) {
    ++count;
  }
  if (count == 0) return Value::of_string(s);
  const size_t size = s.size() - count * from.size() + count * to.size();
  if (size > Value::kMaxStringLength) return Value();
  char* p = arena.allocate(size);
  size_t n = 0, last = 0;
  for (size_t at = s.find(from); at != std::string_view::npos;
       at = s.find(from, at + from.size())) {
    copy_bytes(p + n, s.data() + last, at - last);
    n += at - last;
    copy_bytes(p + n, to.data(), to.size());
    n += to.size();
    last = at + from.size();
  }
  copy_bytes(p + n, s.data() + last, s.size() - last);
  return Value::of_string({p, size});
}

Value format_to_arena(Value x, Arena& arena) {
  char buf[32];
  size_t len = 0;
  switch (x.type()) {
    case Type::kBool:
      return Value::of_string(x.as_bool() ? "TRUE" : "FALSE");
    case Type::kInt:
      len = format_int(x.as_int(), buf);
      break;
    case Type::kDouble:
      len = format_double(x.as_double(), buf);
      break;
    default:
      return x;
  }
  return Value::of_string(arena.copy({buf, len}));
}

}  // namespace

bool is_leaf(Op op) { return op == Op::kLiteral || op == Op::kField; }

uint32_t sel_buffers(Op op) {
  switch (op) {
    case Op::kAnd:
    case Op::kOr:
    case Op::kCoalesce:
      return 1;
    case Op::kCase:
      return 2;
    default:
      return 0;
  }
}

std::string cast_error_message(Value input, Type target) {
  std::string shown;
  if (input.type() == Type::kString) {
    std::string_view s = input.as_string();
    constexpr size_t kShown = 60;
    shown.reserve(kShown + 5);
    shown += '\'';
    shown += s.substr(0, kShown);
    shown += s.size() > kShown ? "...'" : "'";
  } else {
    shown = to_string(input);
  }
  std::string msg = "cannot CAST " + shown + " AS " + std::string(type_name(target));
  if (input.type() == Type::kDouble && target == Type::kInt) msg += " (out of range)";
  if (input.type() == Type::kString && target == Type::kBool) {
    msg += " (valid: true, false, t, f, yes, no, y, n, 1, 0)";
  }
  return msg + "; use TRY_CAST to get NULL instead";
}

template <bool is_and>
void Evaluator::run_and_or(const Node& nd, const uint16_t* sel, size_t n) {
  const uint32_t l = prog_.kid(nd, 0), rk = prog_.kid(nd, 1);
  run(l, sel, n);
  const View L = view(l);
  // The right operand matters only where the left one does not decide: not FALSE for AND, not
  // TRUE for OR.
  uint16_t* sub = sel_buffer(nd, 0);
  size_t m = 0;
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = L[r];
    const bool decided = is_and ? is_false(x) : is_true(x);
    sub[m] = static_cast<uint16_t>(r);
    m += decided ? 0 : 1;
  }
  if (m > 0) run(rk, sub, m);
  const View R = view(rk);
  Value* o = out(nd);
  // Without branches (the outcome is data-dependent): y is stale where x decided, and ignored.
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = L[r];
    const Value y = R[r];
    const bool decided = is_and ? (is_false(x) | is_false(y)) : (is_true(x) | is_true(y));
    const bool unknown = !decided & (x.is_null() | y.is_null());
    const Value v = Value::of_bool(decided != is_and);
    o[r] = unknown ? Value() : v;
  }
}

void Evaluator::run_case(const Node& nd, const uint16_t* sel, size_t n) {
  uint16_t* remaining = sel_buffer(nd, 0);
  uint16_t* taken = sel_buffer(nd, 1);
  std::memcpy(remaining, sel, n * sizeof(uint16_t));
  size_t m = n;
  Value* o = out(nd);
  const uint32_t pairs = (nd.count - (nd.flag ? 1 : 0)) / 2;
  for (uint32_t i = 0; i < pairs && m > 0; ++i) {
    const uint32_t cond = prog_.kid(nd, 2 * i), value = prog_.kid(nd, 2 * i + 1);
    run(cond, remaining, m);
    const View C = view(cond);
    size_t t = 0, rest = 0;
    for (size_t k = 0; k < m; ++k) {
      const uint16_t r = remaining[k];
      if (is_true(C[r])) {
        taken[t++] = r;
      } else {
        remaining[rest++] = r;
      }
    }
    m = rest;
    if (t > 0) {
      run(value, taken, t);
      const View V = view(value);
      for (size_t k = 0; k < t; ++k) o[taken[k]] = V[taken[k]];
    }
  }
  if (m == 0) return;
  if (nd.flag) {
    const uint32_t otherwise = prog_.kid(nd, nd.count - 1);
    run(otherwise, remaining, m);
    const View E = view(otherwise);
    for (size_t k = 0; k < m; ++k) o[remaining[k]] = E[remaining[k]];
  } else {
    for (size_t k = 0; k < m; ++k) o[remaining[k]] = Value();
  }
}

void Evaluator::run_coalesce(const Node& nd, const uint16_t* sel, size_t n) {
  uint16_t* remaining = sel_buffer(nd, 0);
  std::memcpy(remaining, sel, n * sizeof(uint16_t));
  size_t m = n;
  Value* o = out(nd);
  for (uint32_t i = 0; i < nd.count && m > 0; ++i) {
    const uint32_t kid = prog_.kid(nd, i);
    run(kid, remaining, m);
    const View V = view(kid);
    size_t rest = 0;
    for (size_t k = 0; k < m; ++k) {
      const uint16_t r = remaining[k];
      const Value v = V[r];
      if (v.is_null()) {
        remaining[rest++] = r;
      } else {
        o[r] = v;
      }
    }
    m = rest;
  }
  for (size_t k = 0; k < m; ++k) o[remaining[k]] = Value();
}

void Evaluator::run_cast(uint32_t id, const Node& nd, const uint16_t* sel, size_t n) {
  const View a = view(prog_.kid(nd, 0));
  const auto to = static_cast<Type>(nd.aux);
  Value* o = out(nd);
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = a[r];
    Value y;
    bool ok = true;
    switch (x.type()) {
      case Type::kNull:
        break;
      case Type::kBool:
        if (to == Type::kInt) y = Value::of_int(x.as_bool() ? 1 : 0);
        if (to == Type::kDouble) y = Value::of_double(x.as_bool() ? 1.0 : 0.0);
        if (to == Type::kString) y = format_to_arena(x, *arena_);
        if (to == Type::kBool) y = x;
        break;
      case Type::kInt:
        if (to == Type::kInt) y = x;
        if (to == Type::kDouble) y = Value::of_double(static_cast<double>(x.as_int()));
        if (to == Type::kString) y = format_to_arena(x, *arena_);
        if (to == Type::kBool) y = Value::of_bool(x.as_int() != 0);
        break;
      case Type::kDouble: {
        const double d = x.as_double();
        if (to == Type::kInt) {
          // Truncation toward zero; NaN, infinities and values beyond bigint cannot convert.
          ok = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
          if (ok) y = Value::of_int(static_cast<int64_t>(d));
        }
        if (to == Type::kDouble) y = x;
        if (to == Type::kString) y = format_to_arena(x, *arena_);
        if (to == Type::kBool) y = Value::of_bool(d != 0.0);
        break;
      }
      case Type::kString: {
        const std::string_view s = x.as_string();
        if (to == Type::kInt) {
          const auto v = parse_bigint(s);
          ok = v.has_value();
          if (ok) y = Value::of_int(*v);
        } else if (to == Type::kDouble) {
          const auto v = parse_double(s);
          ok = v.has_value();
          if (ok) y = Value::of_double(*v);
        } else if (to == Type::kBool) {
          const auto v = parse_boolean(s);
          ok = v.has_value();
          if (ok) y = Value::of_bool(*v);
        } else {
          y = x;
        }
        break;
      }
    }
    if (!ok && !nd.flag) fail(id, r, x);
    o[r] = y;
  }
}

void Evaluator::run_compare(const Node& nd, const uint16_t* sel, size_t n) {
  const View a = view(prog_.kid(nd, 0)), b = view(prog_.kid(nd, 1));
  Value* o = out(nd);
  const auto op = static_cast<CmpOp>(nd.aux);
  switch (nd.op) {
    case Op::kCmpInt:
      compare_loop(o, a, b, sel, n, op, [](Value v) { return v.as_int(); });
      return;
    case Op::kCmpDouble:
      compare_loop(o, a, b, sel, n, op, [](Value v) { return v.as_double(); });
      return;
    case Op::kCmpString:
      if (op == CmpOp::kEq || op == CmpOp::kNe) {
        const bool eq = op == CmpOp::kEq;
        binary(o, a, b, sel, n, [eq](Value x, Value y) {
          return Value::of_bool(same_bytes(x.as_string(), y.as_string()) == eq);
        });
        return;
      }
      compare_loop(o, a, b, sel, n, op, [](Value v) { return v.as_string(); });
      return;
    case Op::kCmpBool:
      compare_loop(o, a, b, sel, n, op, [](Value v) { return v.as_bool(); });
      return;
    default:
      return;
  }
}

// x IN (constants) for a short list of strings or bigints of x's type: the common case, without
// the generic comparison per item.
template <class T, class Get, class Eq>
bool in_constants(const Node& nd, View a, const View* items, Value* o, const uint16_t* sel,
                  size_t n, Get get, Eq eq) {
  constexpr uint32_t kMax = 16;
  T values[kMax];
  uint32_t m = 0;
  bool has_null = false;
  for (uint32_t i = 1; i < nd.count; ++i) {
    if (items[i].stride != 0 || m == kMax) return false;
    const Value v = items[i].p[0];
    if (v.is_null()) {
      has_null = true;
    } else {
      values[m++] = get(v);
    }
  }
  const int not_found = has_null ? 2 : 0;
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = a[r];
    if (x.is_null()) {
      o[r] = Value();
      continue;
    }
    const T key = get(x);
    int result = not_found;
    for (uint32_t i = 0; i < m; ++i) {
      if (eq(key, values[i])) {
        result = 1;
        break;
      }
    }
    o[r] = from3(result, nd.flag);
  }
  return true;
}

void Evaluator::run_in(const Node& nd, const uint16_t* sel, size_t n) {
  for (uint32_t i = 0; i < nd.count; ++i) views_[i] = view(prog_.kid(nd, i));
  Value* o = out(nd);
  // The items must all have x's type for the fast paths (a bigint x against doubles: generic).
  const Type x_type = prog_.nodes[prog_.kid(nd, 0)].type;
  bool same_type = true;
  for (uint32_t i = 1; i < nd.count; ++i) {
    const Type t = prog_.nodes[prog_.kid(nd, i)].type;
    same_type = same_type && (t == x_type || t == Type::kNull);
  }
  if (same_type && x_type == Type::kString &&
      in_constants<std::string_view>(
          nd, views_[0], views_, o, sel, n, [](Value v) { return v.as_string(); },
          [](std::string_view a, std::string_view b) { return same_bytes(a, b); })) {
    return;
  }
  if (same_type && x_type == Type::kInt &&
      in_constants<int64_t>(
          nd, views_[0], views_, o, sel, n, [](Value v) { return v.as_int(); },
          [](int64_t a, int64_t b) { return a == b; })) {
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    const size_t r = sel[k];
    const Value x = views_[0][r];
    if (x.is_null()) {
      o[r] = Value();
      continue;
    }
    int result = 0;
    for (uint32_t i = 1; i < nd.count; ++i) {
      const Value y = views_[i][r];
      if (y.is_null()) {
        result = 2;
      } else if (equal(x, y)) {
        result = 1;
        break;
      }
    }
    o[r] = from3(result, nd.flag);
  }
}

void Evaluator::run_like(const Node& nd, const uint16_t* sel, size_t n) {
  const View a = view(prog_.kid(nd, 0)), b = view(prog_.kid(nd, 1));
  Value* o = out(nd);
  const LikePlan& plan = prog_.likes[nd.extra - 1];
  const bool negate = nd.flag;
  auto loop = [&](auto match) {
    binary(o, a, b, sel, n, [&](Value x, Value y) {
      return Value::of_bool(match(x.as_string(), y.as_string()) != negate);
    });
  };
  const std::string_view lit = plan.literal;
  switch (plan.per_row ? LikePlan::Kind::kGeneral : plan.kind) {
    case LikePlan::Kind::kExact:
      loop([lit](std::string_view s, std::string_view) { return same_bytes(s, lit); });
      return;
    case LikePlan::Kind::kPrefix:
      loop([lit](std::string_view s, std::string_view) {
        return s.size() >= lit.size() && same_bytes(s.substr(0, lit.size()), lit);
      });
      return;
    case LikePlan::Kind::kSuffix:
      loop([lit](std::string_view s, std::string_view) {
        return s.size() >= lit.size() && same_bytes(s.substr(s.size() - lit.size()), lit);
      });
      return;
    case LikePlan::Kind::kContains:
      loop([lit](std::string_view s, std::string_view) {
        return s.find(lit) != std::string_view::npos;
      });
      return;
    case LikePlan::Kind::kGeneral: {
      const int escape = plan.escape;
      loop([escape](std::string_view s, std::string_view p) { return like_match(s, p, escape); });
      return;
    }
  }
}

void Evaluator::run_math(const Node& nd, const uint16_t* sel, size_t n) {
  const View a = view(prog_.kid(nd, 0));
  Value* o = out(nd);
  auto m1 = [&](auto f) {
    unary(o, a, sel, n, [&](Value x) { return Value::of_double(f(x.as_double())); });
  };
  switch (static_cast<MathFn>(nd.aux)) {
    case MathFn::kSqrt:
      return m1([](double v) { return std::sqrt(v); });
    case MathFn::kLn:
      return m1([](double v) { return std::log(v); });
    case MathFn::kLog10:
      return m1([](double v) { return std::log10(v); });
    case MathFn::kLog2:
      return m1([](double v) { return std::log2(v); });
    case MathFn::kExp:
      return m1([](double v) { return std::exp(v); });
    case MathFn::kFloor:
      return m1([](double v) { return std::floor(v); });
    case MathFn::kCeil:
      return m1([](double v) { return std::ceil(v); });
    case MathFn::kSin:
      return m1([](double v) { return std::sin(v); });
    case MathFn::kCos:
      return m1([](double v) { return std::cos(v); });
    case MathFn::kTan:
      return m1([](double v) { return std::tan(v); });
    case MathFn::kAsin:
      return m1([](double v) { return std::asin(v); });
    case MathFn::kAcos:
      return m1([](double v) { return std::acos(v); });
    case MathFn::kAtan:
      return m1([](double v) { return std::atan(v); });
    case MathFn::kDegrees:
      return m1([](double v) { return v * (180.0 / std::numbers::pi); });
    case MathFn::kRadians:
      return m1([](double v) { return v * (std::numbers::pi / 180.0); });
  }
}

void Evaluator::run_string(const Node& nd, const uint16_t* sel, size_t n) {
  Value* o = out(nd);
  const View a = view(prog_.kid(nd, 0));
  Arena& arena = *arena_;
  switch (nd.op) {
    case Op::kConcat: {
      for (uint32_t i = 0; i < nd.count; ++i) views_[i] = view(prog_.kid(nd, i));
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        size_t size = 0;
        bool null = false;
        for (uint32_t i = 0; i < nd.count; ++i) {
          const Value v = views_[i][r];
          if (v.is_null()) {
            null = true;
            break;
          }
          size += v.as_string().size();
        }
        if (null || size > Value::kMaxStringLength) {
          o[r] = Value();
          continue;
        }
        char* p = size == 0 ? nullptr : arena.allocate(size);
        size_t at = 0;
        for (uint32_t i = 0; i < nd.count; ++i) {
          const std::string_view s = views_[i][r].as_string();
          if (!s.empty()) std::memcpy(p + at, s.data(), s.size());
          at += s.size();
        }
        o[r] = Value::of_string({p, size});
      }
      return;
    }
    case Op::kLower:
    case Op::kUpper: {
      const bool upper = nd.op == Op::kUpper;
      unary(o, a, sel, n,
            [&](Value x) { return Value::of_string(ascii_case(x.as_string(), upper, arena)); });
      return;
    }
    case Op::kCharLength:
      unary(o, a, sel, n, [](Value x) {
        return Value::of_int(static_cast<int64_t>(utf8_length(x.as_string())));
      });
      return;
    case Op::kTrim: {
      const auto mode = static_cast<TrimMode>(nd.aux);
      binary(o, a, view(prog_.kid(nd, 1)), sel, n, [mode](Value x, Value chars) {
        return Value::of_string(trim(x.as_string(), chars.as_string(), mode));
      });
      return;
    }
    case Op::kSubstring: {
      const View b = view(prog_.kid(nd, 1));
      if (nd.count == 2) {
        binary(o, a, b, sel, n, [](Value s, Value pos) {
          return Value::of_string(substring(s.as_string(), pos.as_int(), INT64_MAX));
        });
      } else {
        ternary(o, a, b, view(prog_.kid(nd, 2)), sel, n, [](Value s, Value pos, Value len) {
          if (len.as_int() < 0) return Value();
          return Value::of_string(substring(s.as_string(), pos.as_int(), len.as_int()));
        });
      }
      return;
    }
    case Op::kPosition: {
      const View b = view(prog_.kid(nd, 1));
      if (nd.count == 2) {
        binary(o, a, b, sel, n, [](Value needle, Value s) {
          return Value::of_int(locate(needle.as_string(), s.as_string(), 1));
        });
      } else {
        ternary(o, a, b, view(prog_.kid(nd, 2)), sel, n, [](Value needle, Value s, Value from) {
          return Value::of_int(locate(needle.as_string(), s.as_string(), from.as_int()));
        });
      }
      return;
    }
    case Op::kReplace:
      ternary(o, a, view(prog_.kid(nd, 1)), view(prog_.kid(nd, 2)), sel, n,
              [&](Value s, Value from, Value to) {
                return replace_all(s.as_string(), from.as_string(), to.as_string(), arena);
              });
      return;
    case Op::kStartsWith:
      binary(o, a, view(prog_.kid(nd, 1)), sel, n, [](Value s, Value p) {
        return Value::of_bool(s.as_string().starts_with(p.as_string()));
      });
      return;
    case Op::kEndsWith:
      binary(o, a, view(prog_.kid(nd, 1)), sel, n, [](Value s, Value p) {
        return Value::of_bool(s.as_string().ends_with(p.as_string()));
      });
      return;
    default:
      return;
  }
}

void Evaluator::run_regexp(const Node& nd, const uint16_t* sel, size_t n) {
  Value* o = out(nd);
  const View text = view(prog_.kid(nd, 0));
  const View pattern = view(prog_.kid(nd, 1));
  if (nd.op == Op::kSplitIndex) {
    ternary(o, text, pattern, view(prog_.kid(nd, 2)), sel, n, [](Value s, Value d, Value i) {
      const auto field = split_index(s.as_string(), d.as_string(), i.as_int());
      return field ? Value::of_string(*field) : Value();
    });
    return;
  }
  // A constant pattern was compiled with the program; one from the rows is compiled here, once
  // per run of equal patterns.
  const re2::RE2* constant = nd.extra != 0 ? prog_.regexes[nd.extra - 1].get() : nullptr;
  std::shared_ptr<const re2::RE2> compiled;
  std::string_view compiled_for;
  auto regex_of = [&](std::string_view p) -> const re2::RE2* {
    if (constant != nullptr) return constant;
    if (compiled_for.data() == nullptr || compiled_for != p) {
      compiled = compile_regex(p, nullptr);
      compiled_for = p.data() == nullptr ? std::string_view("", 0) : p;
    }
    return compiled.get();
  };
  switch (nd.op) {
    case Op::kRegexp:
      binary(o, text, pattern, sel, n, [&](Value s, Value p) {
        const re2::RE2* re = regex_of(p.as_string());
        return Value::of_bool(re != nullptr && regex_find(*re, s.as_string()));
      });
      return;
    case Op::kRegexpExtract:
      ternary(o, text, pattern, view(prog_.kid(nd, 2)), sel, n, [&](Value s, Value p, Value g) {
        const re2::RE2* re = regex_of(p.as_string());
        if (re == nullptr) return Value();
        const auto group = regex_extract(*re, s.as_string(), g.as_int());
        return group ? Value::of_string(*group) : Value();
      });
      return;
    case Op::kRegexpReplace: {
      Arena& arena = *arena_;
      ternary(o, text, pattern, view(prog_.kid(nd, 2)), sel, n, [&](Value s, Value p, Value r) {
        const re2::RE2* re = regex_of(p.as_string());
        if (re == nullptr) return Value();
        return Value::of_string(regex_replace(*re, s.as_string(), r.as_string(), arena));
      });
      return;
    }
    default:
      return;
  }
}

void Evaluator::run_time(const Node& nd, const uint16_t* sel, size_t n) {
  Value* o = out(nd);
  const View a = view(prog_.kid(nd, 0));
  switch (nd.op) {
    case Op::kToTimestampMs:
      unary(o, a, sel, n, [](Value x) {
        const auto ms = parse_timestamp(x.as_string());
        return ms ? Value::of_int(*ms) : Value();
      });
      return;
    case Op::kTimePart: {
      const auto part = static_cast<TimePart>(nd.aux);
      unary(o, a, sel, n, [part](Value x) { return Value::of_int(time_part(x.as_int(), part)); });
      return;
    }
    case Op::kDateFormat: {
      Arena& arena = *arena_;
      binary(o, a, view(prog_.kid(nd, 1)), sel, n, [&](Value ms, Value pattern) {
        std::string_view s;
        if (!date_format(ms.as_int(), pattern.as_string(), arena, &s)) return Value();
        return Value::of_string(s);
      });
      return;
    }
    default:
      return;
  }
}

void Evaluator::run(uint32_t id, const uint16_t* sel, size_t n) {
  const Node& nd = prog_.nodes[id];
  switch (nd.op) {
    case Op::kLiteral:
    case Op::kField:
      return;
    case Op::kAnd:
      return run_and_or<true>(nd, sel, n);
    case Op::kOr:
      return run_and_or<false>(nd, sel, n);
    case Op::kCase:
      return run_case(nd, sel, n);
    case Op::kCoalesce:
      return run_coalesce(nd, sel, n);
    default:
      break;
  }
  run_strict_kids(nd, sel, n);
  Value* o = out(nd);
  const View a = nd.count > 0 ? view(prog_.kid(nd, 0)) : View{&nd.constant, 0};
  const View b = nd.count > 1 ? view(prog_.kid(nd, 1)) : View{&nd.constant, 0};
  switch (nd.op) {
    case Op::kIntToDouble:
      unary(o, a, sel, n,
            [](Value x) { return Value::of_double(static_cast<double>(x.as_int())); });
      return;
    case Op::kCast:
      return run_cast(id, nd, sel, n);
    case Op::kNegInt:
      unary(o, a, sel, n, [](Value x) { return Value::of_int(wrap_sub(0, x.as_int())); });
      return;
    case Op::kNegDouble:
      unary(o, a, sel, n, [](Value x) { return Value::of_double(-x.as_double()); });
      return;
    case Op::kAddInt:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_int(wrap_add(x.as_int(), y.as_int())); });
      return;
    case Op::kSubInt:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_int(wrap_sub(x.as_int(), y.as_int())); });
      return;
    case Op::kMulInt:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_int(wrap_mul(x.as_int(), y.as_int())); });
      return;
    case Op::kDivInt:
      binary(o, a, b, sel, n, [](Value x, Value y) {
        const int64_t d = y.as_int();
        if (d == 0) return Value();
        if (d == -1) return Value::of_int(wrap_sub(0, x.as_int()));  // MIN / -1 wraps
        return Value::of_int(x.as_int() / d);
      });
      return;
    case Op::kModInt:
      binary(o, a, b, sel, n, [](Value x, Value y) {
        const int64_t d = y.as_int();
        if (d == 0) return Value();
        if (d == -1) return Value::of_int(0);
        return Value::of_int(x.as_int() % d);
      });
      return;
    case Op::kAddDouble:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_double(x.as_double() + y.as_double()); });
      return;
    case Op::kSubDouble:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_double(x.as_double() - y.as_double()); });
      return;
    case Op::kMulDouble:
      binary(o, a, b, sel, n,
             [](Value x, Value y) { return Value::of_double(x.as_double() * y.as_double()); });
      return;
    case Op::kDivDouble:
      binary(o, a, b, sel, n, [](Value x, Value y) {
        if (y.as_double() == 0.0) return Value();
        return Value::of_double(x.as_double() / y.as_double());
      });
      return;
    case Op::kModDouble:
      binary(o, a, b, sel, n, [](Value x, Value y) {
        if (y.as_double() == 0.0) return Value();
        return Value::of_double(std::fmod(x.as_double(), y.as_double()));
      });
      return;
    case Op::kCmpInt:
    case Op::kCmpDouble:
    case Op::kCmpString:
    case Op::kCmpBool:
      return run_compare(nd, sel, n);
    case Op::kDistinct:
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        const Value x = a[r], y = b[r];
        bool distinct;
        if (x.is_null() || y.is_null()) {
          distinct = x.is_null() != y.is_null();
        } else {
          distinct = !equal(x, y);
        }
        o[r] = Value::of_bool(distinct != nd.flag);
      }
      return;
    case Op::kNot:
      unary(o, a, sel, n, [](Value x) { return Value::of_bool(!x.as_bool()); });
      return;
    case Op::kIsTest: {
      const auto test = static_cast<IsTest>(nd.aux);
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        const Value x = a[r];
        bool v = false;
        switch (test) {
          case IsTest::kNull:
            v = x.is_null();
            break;
          case IsTest::kNotNull:
            v = !x.is_null();
            break;
          case IsTest::kTrue:
            v = is_true(x);
            break;
          case IsTest::kNotTrue:
            v = !is_true(x);
            break;
          case IsTest::kFalse:
            v = is_false(x);
            break;
          case IsTest::kNotFalse:
            v = !is_false(x);
            break;
        }
        o[r] = Value::of_bool(v);
      }
      return;
    }
    case Op::kBetween: {
      const View c = view(prog_.kid(nd, 2));
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        const Value x = a[r], lo = b[r], hi = c[r];
        if (x.is_null()) {
          o[r] = Value();
          continue;
        }
        const int ge = lo.is_null() ? 2 : (less_equal(lo, x) ? 1 : 0);
        const int le = hi.is_null() ? 2 : (less_equal(x, hi) ? 1 : 0);
        o[r] = from3(and3(ge, le), nd.flag);
      }
      return;
    }
    case Op::kIn:
      return run_in(nd, sel, n);
    case Op::kLike:
      return run_like(nd, sel, n);
    case Op::kNullIf:
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        const Value x = a[r], y = b[r];
        o[r] = !x.is_null() && !y.is_null() && equal(x, y) ? Value() : x;
      }
      return;
    case Op::kGreatest:
    case Op::kLeast: {
      const bool greatest = nd.op == Op::kGreatest;
      for (uint32_t i = 0; i < nd.count; ++i) views_[i] = view(prog_.kid(nd, i));
      for (size_t k = 0; k < n; ++k) {
        const size_t r = sel[k];
        Value best = views_[0][r];
        for (uint32_t i = 1; i < nd.count && !best.is_null(); ++i) {
          const Value v = views_[i][r];
          if (v.is_null()) {
            best = v;
          } else if (greatest ? less(best, v) : less(v, best)) {
            best = v;
          }
        }
        o[r] = best;
      }
      return;
    }
    case Op::kAbsInt:
      unary(o, a, sel, n, [](Value x) {
        return Value::of_int(x.as_int() < 0 ? wrap_sub(0, x.as_int()) : x.as_int());
      });
      return;
    case Op::kAbsDouble:
      unary(o, a, sel, n, [](Value x) { return Value::of_double(std::fabs(x.as_double())); });
      return;
    case Op::kSignInt:
      unary(o, a, sel, n, [](Value x) {
        return Value::of_int((x.as_int() > 0 ? 1 : 0) - (x.as_int() < 0 ? 1 : 0));
      });
      return;
    case Op::kSignDouble:
      unary(o, a, sel, n, [](Value x) {
        const double d = x.as_double();
        return Value::of_double(d > 0 ? 1.0 : (d < 0 ? -1.0 : d));
      });
      return;
    case Op::kMath1:
      return run_math(nd, sel, n);
    case Op::kLogBase:
      binary(o, a, b, sel, n, [](Value base, Value x) {
        return Value::of_double(std::log(x.as_double()) / std::log(base.as_double()));
      });
      return;
    case Op::kPower:
      binary(o, a, b, sel, n, [](Value x, Value y) {
        return Value::of_double(std::pow(x.as_double(), y.as_double()));
      });
      return;
    case Op::kRoundInt:
      binary(o, a, b, sel, n,
             [](Value x, Value d) { return Value::of_int(round_bigint(x.as_int(), d.as_int())); });
      return;
    case Op::kRoundDouble:
      binary(o, a, b, sel, n, [](Value x, Value d) {
        return Value::of_double(round_double(x.as_double(), d.as_int()));
      });
      return;
    case Op::kConcat:
    case Op::kLower:
    case Op::kUpper:
    case Op::kCharLength:
    case Op::kTrim:
    case Op::kSubstring:
    case Op::kPosition:
    case Op::kReplace:
    case Op::kStartsWith:
    case Op::kEndsWith:
      return run_string(nd, sel, n);
    case Op::kRegexp:
    case Op::kRegexpExtract:
    case Op::kRegexpReplace:
    case Op::kSplitIndex:
      return run_regexp(nd, sel, n);
    case Op::kToTimestampMs:
    case Op::kTimePart:
    case Op::kDateFormat:
      return run_time(nd, sel, n);
    default:
      return;
  }
}

}  // namespace rivulet::stream::internal
