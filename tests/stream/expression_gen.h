#pragma once
// Random well-typed expressions over a schema, for differential tests of the evaluator (batch
// against row by row, filter against eval) and for fuzzing.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rivulet/core/schema.h"

namespace rivulet::stream::testing {

class ExpressionGenerator {
 public:
  ExpressionGenerator(const Schema& schema, uint64_t seed) : rng_(seed) {
    for (const auto& f : schema.fields()) fields_.emplace_back(f.name, f.type);
  }

  // An expression of type `t` (one of boolean, bigint, double, string) nested up to `depth`.
  std::string gen(Type t, int depth) {
    if (depth <= 0 || pick(4) == 0) return leaf(t);
    switch (t) {
      case Type::kBool:
        return gen_bool(depth - 1);
      case Type::kInt:
        return gen_int(depth - 1);
      case Type::kDouble:
        return gen_double(depth - 1);
      default:
        return gen_string(depth - 1);
    }
  }

  Type any_type() {
    static constexpr Type kTypes[] = {Type::kBool, Type::kInt, Type::kDouble, Type::kString};
    return kTypes[pick(4)];
  }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  template <size_t N>
  const char* one_of(const char* const (&xs)[N]) {
    return xs[pick(N)];
  }

  std::string field_of(Type t) {
    std::vector<std::string> names;
    for (const auto& [name, type] : fields_) {
      if (type == t) names.push_back(name);
    }
    if (names.empty()) return literal(t);
    return "`" + names[pick(names.size())] + "`";
  }

  std::string literal(Type t) {
    switch (t) {
      case Type::kBool: {
        static constexpr const char* kLits[] = {"TRUE", "FALSE", "NULL"};
        return one_of(kLits);
      }
      case Type::kInt: {
        static constexpr const char* kLits[] = {
            "0", "1", "-1", "7", "2", "100", "9223372036854775807", "-9223372036854775808",
            "1700000000000", "-3", "NULL", "255"};
        return one_of(kLits);
      }
      case Type::kDouble: {
        static constexpr const char* kLits[] = {"0.0", "2.5", "-0.5", "1e308", "1e-300", "-0.0",
                                                "3.14159", "100.0", "0.005", "1.5E10"};
        return one_of(kLits);
      }
      default: {
        static constexpr const char* kLits[] = {
            "''", "'abc'", "'FR'", "'héllo'", "'2024-02-29T12:34:56.789Z'", "' 42 '", "'%'",
            "'a_c'", "'true'", "'x'", "'NaN'", "'yyyy-MM-dd HH:mm'", "NULL", "'1e3'"};
        return one_of(kLits);
      }
    }
  }

  std::string leaf(Type t) { return pick(3) == 0 ? literal(t) : field_of(t); }

  std::string num(int d) { return gen(pick(2) ? Type::kInt : Type::kDouble, d); }

  std::string gen_bool(int d) {
    switch (pick(16)) {
      case 0: {
        static constexpr const char* kOps[] = {"=", "<>", "<", "<=", ">", ">=", "==", "!="};
        return "(" + num(d) + " " + one_of(kOps) + " " + num(d) + ")";
      }
      case 1: {
        static constexpr const char* kOps[] = {"=", "<>", "<", ">="};
        return "(" + gen(Type::kString, d) + " " + one_of(kOps) + " " + gen(Type::kString, d) + ")";
      }
      case 2:
        return "(" + gen(Type::kBool, d) + " AND " + gen(Type::kBool, d) + ")";
      case 3:
        return "(" + gen(Type::kBool, d) + " OR " + gen(Type::kBool, d) + ")";
      case 4:
        return "(NOT " + gen(Type::kBool, d) + ")";
      case 5: {
        static constexpr const char* kTests[] = {"IS NULL", "IS NOT NULL"};
        return "(" + gen(any_type(), d) + " " + one_of(kTests) + ")";
      }
      case 6: {
        static constexpr const char* kTests[] = {"IS TRUE", "IS NOT TRUE", "IS FALSE",
                                                 "IS NOT FALSE"};
        return "(" + gen(Type::kBool, d) + " " + one_of(kTests) + ")";
      }
      case 7:
        return "(" + num(d) + (pick(2) ? " NOT" : "") + " BETWEEN " + num(d) + " AND " + num(d) +
               ")";
      case 8: {
        const Type t = pick(2) ? Type::kString : Type::kInt;
        std::string s = "(" + gen(t, d) + (pick(2) ? " NOT" : "") + " IN (" + gen(t, d);
        for (size_t k = pick(4); k > 0; --k) s += ", " + gen(t, d);
        return s + "))";
      }
      case 9: {
        static constexpr const char* kPatterns[] = {"'a%'", "'%c'", "'%b%'", "'a_c'", "'%'",
                                                    "'abc'", "'h%o'", "'_'", "'%!%%' ESCAPE '!'"};
        return "(" + gen(Type::kString, d) + (pick(2) ? " NOT" : "") + " LIKE " +
               (pick(4) ? std::string(one_of(kPatterns)) : gen(Type::kString, d)) + ")";
      }
      case 10:
        return std::string(pick(2) ? "STARTS_WITH(" : "ENDS_WITH(") + gen(Type::kString, d) +
               ", " + gen(Type::kString, d) + ")";
      case 11:
        return "(" + num(d) + " IS" + (pick(2) ? " NOT" : "") + " DISTINCT FROM " + num(d) + ")";
      case 12:
        return case_of(Type::kBool, d);
      case 13:
        return "COALESCE(" + gen(Type::kBool, d) + ", " + gen(Type::kBool, d) + ")";
      case 14:
        return "TRY_CAST(" + gen(Type::kString, d) + " AS boolean)";
      default:
        return "IF(" + gen(Type::kBool, d) + ", " + gen(Type::kBool, d) + ", " +
               gen(Type::kBool, d) + ")";
    }
  }

  std::string gen_int(int d) {
    switch (pick(18)) {
      case 0: {
        static constexpr const char* kOps[] = {"+", "-", "*", "/", "%"};
        return "(" + gen(Type::kInt, d) + " " + one_of(kOps) + " " + gen(Type::kInt, d) + ")";
      }
      case 1:
        return "(- " + gen(Type::kInt, d) + ")";
      case 2:
        return std::string(pick(2) ? "ABS(" : "SIGN(") + gen(Type::kInt, d) + ")";
      case 3:
        return "ROUND(" + gen(Type::kInt, d) + ", " + gen(Type::kInt, d) + ")";
      case 4:
        return "CHAR_LENGTH(" + gen(Type::kString, d) + ")";
      case 5:
        return "POSITION(" + gen(Type::kString, d) + " IN " + gen(Type::kString, d) + ")";
      case 6:
        return "LOCATE(" + gen(Type::kString, d) + ", " + gen(Type::kString, d) + ", " +
               gen(Type::kInt, d) + ")";
      case 7: {
        static constexpr const char* kFns[] = {"HOUR(",      "MINUTE(",    "SECOND(",
                                               "YEAR(",      "MONTH(",     "DAYOFWEEK(",
                                               "DAYOFYEAR(", "DAYOFMONTH(", "QUARTER(",
                                               "MILLISECOND("};
        return one_of(kFns) + gen(pick(2) ? Type::kInt : Type::kString, d) + ")";
      }
      case 8:
        return "TRY_CAST(" + gen(any_type(), d) + " AS bigint)";
      case 9:
        return "TO_TIMESTAMP_MS(" + gen(Type::kString, d) + ")";
      case 10:
        return case_of(Type::kInt, d);
      case 11:
        return "COALESCE(" + gen(Type::kInt, d) + ", " + gen(Type::kInt, d) + ")";
      case 12:
        return std::string(pick(2) ? "GREATEST(" : "LEAST(") + gen(Type::kInt, d) + ", " +
               gen(Type::kInt, d) + ")";
      case 13:
        return "NULLIF(" + gen(Type::kInt, d) + ", " + gen(Type::kInt, d) + ")";
      case 14:
        return "MOD(" + gen(Type::kInt, d) + ", " + gen(Type::kInt, d) + ")";
      case 15:
        return "EXTRACT(HOUR FROM " + gen(Type::kInt, d) + ")";
      case 16:  // may fail: a row error
        return "CAST(" + gen(pick(2) ? Type::kString : Type::kDouble, d) + " AS bigint)";
      default:
        return "IF(" + gen(Type::kBool, d) + ", " + gen(Type::kInt, d) + ", " +
               gen(Type::kInt, d) + ")";
    }
  }

  std::string gen_double(int d) {
    switch (pick(14)) {
      case 0: {
        static constexpr const char* kOps[] = {"+", "-", "*", "/", "%"};
        return "(" + gen(Type::kDouble, d) + " " + one_of(kOps) + " " + num(d) + ")";
      }
      case 1: {
        static constexpr const char* kFns[] = {"SQRT(", "LN(",  "EXP(",  "LOG10(", "FLOOR(",
                                               "CEIL(", "SIN(", "ATAN(", "ABS(",   "SIGN("};
        return one_of(kFns) + gen(Type::kDouble, d) + ")";
      }
      case 2:
        return "POWER(" + num(d) + ", " + num(d) + ")";
      case 3:
        return "LOG(" + num(d) + ", " + num(d) + ")";
      case 4:
        return "ROUND(" + gen(Type::kDouble, d) + ", " + gen(Type::kInt, d) + ")";
      case 5:
        return "TRY_CAST(" + gen(any_type(), d) + " AS double)";
      case 6:
        return "CAST(" + gen(Type::kInt, d) + " AS double)";
      case 7:
        return case_of(Type::kDouble, d);
      case 8:
        return "COALESCE(" + gen(Type::kDouble, d) + ", " + num(d) + ")";
      case 9:
        return std::string(pick(2) ? "GREATEST(" : "LEAST(") + num(d) + ", " +
               gen(Type::kDouble, d) + ")";
      case 10:
        return "(- " + gen(Type::kDouble, d) + ")";
      case 11:
        return "NULLIF(" + gen(Type::kDouble, d) + ", " + num(d) + ")";
      case 12:
        return "IF(" + gen(Type::kBool, d) + ", " + gen(Type::kDouble, d) + ", " + num(d) + ")";
      default:
        return "(" + gen(Type::kInt, d) + " * 1.0 + " + gen(Type::kDouble, d) + ")";
    }
  }

  std::string gen_string(int d) {
    switch (pick(16)) {
      case 0:
        return "(" + gen(Type::kString, d) + " || " + gen(any_type(), d) + ")";
      case 1:
        return "CONCAT(" + gen(Type::kString, d) + ", " + gen(any_type(), d) + ")";
      case 2:
        return std::string(pick(2) ? "LOWER(" : "UPPER(") + gen(Type::kString, d) + ")";
      case 3: {
        static constexpr const char* kFns[] = {"TRIM(", "LTRIM(", "RTRIM("};
        return one_of(kFns) + gen(Type::kString, d) + ")";
      }
      case 4: {
        static constexpr const char* kModes[] = {"BOTH", "LEADING", "TRAILING"};
        return std::string("TRIM(") + one_of(kModes) + " " + gen(Type::kString, d) + " FROM " +
               gen(Type::kString, d) + ")";
      }
      case 5:
        return "SUBSTRING(" + gen(Type::kString, d) + ", " + gen(Type::kInt, d) +
               (pick(2) ? ", " + gen(Type::kInt, d) : std::string()) + ")";
      case 6:
        return "SUBSTRING(" + gen(Type::kString, d) + " FROM " + gen(Type::kInt, d) + " FOR " +
               gen(Type::kInt, d) + ")";
      case 7:
        return "REPLACE(" + gen(Type::kString, d) + ", " + gen(Type::kString, d) + ", " +
               gen(Type::kString, d) + ")";
      case 8: {
        static constexpr const char* kPatterns[] = {"'yyyy-MM-dd HH:mm:ss'", "'EEE, d MMM yy'",
                                                    "'HH:mm:ss.SSS X'", "'''T'''"};
        return "DATE_FORMAT(" + gen(pick(2) ? Type::kInt : Type::kString, d) + ", " +
               (pick(3) ? std::string(one_of(kPatterns)) : gen(Type::kString, d)) + ")";
      }
      case 9:
        return "CAST(" + gen(any_type(), d) + " AS string)";
      case 10:
        return case_of(Type::kString, d);
      case 11:
        return "COALESCE(" + gen(Type::kString, d) + ", " + gen(Type::kString, d) + ")";
      case 12:
        return "IF(" + gen(Type::kBool, d) + ", " + gen(Type::kString, d) + ", " +
               gen(Type::kString, d) + ")";
      case 13:
        return "NULLIF(" + gen(Type::kString, d) + ", " + gen(Type::kString, d) + ")";
      case 14:
        return "CASE " + gen(Type::kString, d) + " WHEN " + gen(Type::kString, d) + " THEN " +
               gen(Type::kString, d) + " ELSE " + gen(Type::kString, d) + " END";
      default:
        return std::string(pick(2) ? "GREATEST(" : "LEAST(") + gen(Type::kString, d) + ", " +
               gen(Type::kString, d) + ")";
    }
  }

  std::string case_of(Type t, int d) {
    std::string s = "CASE";
    for (size_t k = 1 + pick(3); k > 0; --k) {
      s += " WHEN " + gen(Type::kBool, d) + " THEN " + gen(t, d);
    }
    if (pick(3)) s += " ELSE " + gen(t, d);
    return s + " END";
  }

  std::mt19937_64 rng_;
  std::vector<std::pair<std::string, Type>> fields_;
};

}  // namespace rivulet::stream::testing
