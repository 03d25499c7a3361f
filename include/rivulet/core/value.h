#pragma once
/// Typed values of records: null, boolean, bigint (int64), double and string, with the type names
/// Flink SQL uses. A `Value` is 16 bytes and trivially copyable; a string value is a view (pointer
/// and length) into memory owned elsewhere, usually the per-batch arena (stream/arena.h), so
/// copying a value never copies or allocates.
/// Thread safety: values; a string value is valid as long as the memory it points into.
/// ```cpp example
/// using rivulet::Value;
/// Value amount = Value::of_double(12.5);
/// EXPECT_EQ(amount.type(), rivulet::Type::kDouble);
/// EXPECT_EQ(amount.as_double(), 12.5);
/// EXPECT_EQ(rivulet::to_string(Value::of_int(42)), "42");
/// EXPECT_EQ(rivulet::to_string(Value::of_double(1e10)), "1.0E10");  // as Flink prints doubles
/// EXPECT_EQ(rivulet::parse_type("VARCHAR"), rivulet::Type::kString);
/// EXPECT_EQ(rivulet::type_name(rivulet::Type::kInt), "bigint");
/// ```

#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace rivulet {

/// The type of a value or of a schema field. kNull is the type of the NULL literal only; a
/// field of any type may hold NULL when it is nullable.
enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString };

/// "null", "boolean", "bigint", "double", "string" (Flink SQL's names).
std::string_view type_name(Type type);

/// Parses a type name, case-insensitively: the names above and the aliases bool; int, integer,
/// long, smallint, tinyint; float, real, decimal, numeric; varchar, char, text. nullopt otherwise.
std::optional<Type> parse_type(std::string_view name);

/// True for kInt and kDouble.
constexpr bool is_numeric(Type type) { return type == Type::kInt || type == Type::kDouble; }

/// One typed value. Strings are not owned: see the file comment.
class Value {
 public:
  /// The longest string a value can hold (its length is stored in 32 bits).
  static constexpr size_t kMaxStringLength = UINT32_MAX;

  /// NULL.
  constexpr Value() = default;
  static constexpr Value null() { return Value(); }
  static constexpr Value of_bool(bool b) { return Value(Type::kBool, b ? 1 : 0); }
  static constexpr Value of_int(int64_t i) { return Value(Type::kInt, i); }
  static constexpr Value of_double(double d) {
    Value v;
    v.meta_ = meta(Type::kDouble, 0);
    v.d_ = d;
    return v;
  }
  /// A view of `s`; nothing is copied. REQUIRES: s.size() <= kMaxStringLength.
  static constexpr Value of_string(std::string_view s) {
    Value v;
    v.meta_ = meta(Type::kString, static_cast<uint32_t>(s.size()));
    v.s_ = s.data();
    return v;
  }

  constexpr Type type() const { return static_cast<Type>(meta_ >> 32); }
  constexpr bool is_null() const { return meta_ == 0; }

  /// REQUIRES: type() == kBool.
  constexpr bool as_bool() const { return i_ != 0; }
  /// REQUIRES: type() == kInt.
  constexpr int64_t as_int() const { return i_; }
  /// REQUIRES: type() == kDouble.
  constexpr double as_double() const { return d_; }
  /// REQUIRES: type() == kString.
  constexpr std::string_view as_string() const { return {s_, static_cast<uint32_t>(meta_)}; }
  /// The value as a double. REQUIRES: type() is kInt or kDouble.
  constexpr double to_double() const { return type() == Type::kInt ? static_cast<double>(i_) : d_; }

  /// Identity, for tests and containers: same type and same payload; strings by content; two
  /// NaNs are equal here. SQL's `=` (where NULL = NULL is NULL and NaN = NaN is false) is the
  /// expression language's, not this.
  friend bool operator==(const Value& a, const Value& b);

 private:
  constexpr Value(Type t, int64_t i) : i_(i), meta_(meta(t, 0)) {}
  // The type and a string's length in one word, so that a value is written and read as two
  // whole words (no partial stores for the CPU to forward).
  static constexpr uint64_t meta(Type t, uint32_t len) {
    return static_cast<uint64_t>(t) << 32 | len;
  }

  union {
    int64_t i_ = 0;
    double d_;
    const char* s_;
  };
  uint64_t meta_ = 0;  // type << 32 | string length; 0 is NULL
};

static_assert(sizeof(Value) == 16, "Value is two words");

/// Formats a value the way Flink SQL prints it: NULL, TRUE/FALSE, 42, doubles as Java's
/// Double.toString does (1.5, 100.0, 1.0E7, 1.0E-4, NaN, Infinity, -Infinity), strings as their
/// text without quotes.
std::string to_string(const Value& value);
/// Appends the same text to `out`.
void append_to(std::string& out, const Value& value);

/// Writes a double as Java's Double.toString (shortest digits that round-trip) into `buf` and
/// returns the length. Allocates nothing.
size_t format_double(double d, char (&buf)[32]);
/// Writes a bigint in decimal into `buf` and returns the length. Allocates nothing.
size_t format_int(int64_t i, char (&buf)[32]);

/// For GoogleTest failure messages: the type and the text, e.g. `bigint 42`, `string 'FR'`.
std::ostream& operator<<(std::ostream& os, const Value& value);

}  // namespace rivulet
