#pragma once
/// The arguments of one generator spec, `kind(arg, name=value, ...)`, read by a generator's
/// factory in the order of River's signature: positional arguments bind to the parameters in the
/// order the factory asks for them, named ones by name. Values are numbers, strings (quoted, or a
/// bare word), `True`/`False` (any case), `None`, and nested generator specs `kind(args)` of a
/// registered kind, for generators built over others (`concept_drift(stream=sea(variant=0))`,
/// read with generator_spec()). The first problem met (wrong type, an
/// argument given twice) is kept and reported by finish(), which also names any argument that no
/// parameter took and lists the valid ones. In describe mode the same factory code records each
/// parameter's name, type, default and help for `rivulet gen --list`.
///
/// (The model-spec reader, ml::Params, plays this part for learners; generators live in the io
/// layer, which does not know the ml layer, hence this small reader of the same syntax.)
/// Thread safety: none.
/// ```cpp example
/// using rivulet::io::GeneratorParams;
/// auto p = GeneratorParams::parse("hyperplane(n_features=4, mag_change=0.001)").value();
/// ASSERT_TRUE(p.set("sigma=0.2").ok());
/// EXPECT_EQ(p.kind(), "hyperplane");
/// EXPECT_EQ(p.integer("n_features", 10, "features"), 4);
/// EXPECT_EQ(p.number("mag_change", 0.0, "drift"), 0.001);
/// EXPECT_EQ(p.number("sigma", 0.1, "reversal"), 0.2);
/// EXPECT_TRUE(p.finish().ok());
/// ```

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/io/generators/generator.h"

namespace rivulet::io {

class GeneratorParams {
 public:
  /// Parses `kind` or `kind(args)`. `default_seed` is what seed() returns for a seed parameter
  /// the spec does not set. Errors: kInvalidArgument naming the 1-based column of a syntax error.
  static Result<GeneratorParams> parse(std::string_view spec, uint64_t default_seed = 42);
  /// Records parameter descriptions; every getter returns its default.
  static GeneratorParams describe_mode();

  /// Sets `name=value` over the spec's arguments (replacing a named argument of that name).
  /// Errors: kInvalidArgument when the text is not `name=value`.
  Status set(std::string_view assignment);

  const std::string& kind() const { return kind_; }
  /// Renames the kind in messages (the registry's name for an alias such as `synth.SEA`).
  void set_kind(std::string kind) { kind_ = std::move(kind); }

  double number(std::string_view name, double def, std::string_view help);
  /// An integral number.
  int64_t integer(std::string_view name, int64_t def, std::string_view help);
  bool boolean(std::string_view name, bool def, std::string_view help);
  std::string string(std::string_view name, std::string_view def, std::string_view help);
  /// A seed (a non-negative integer): the argument when given, else the default seed.
  uint64_t seed(std::string_view name, std::string_view help);
  /// A number or None (the default, returned as std::nullopt).
  std::optional<double> optional_number(std::string_view name, std::string_view help);
  /// A nested generator spec: `kind(args)` (checked for syntax and a known kind when parsed), a
  /// bare kind or a quoted spec; its text as written, `def` when absent.
  std::string generator_spec(std::string_view name, std::string_view def, std::string_view help);

  /// Records a validation failure of the factory (kept if it is the first problem).
  void fail(Status status);
  /// The first error met, or an error naming the arguments that no parameter took.
  Status finish() const;
  bool describing() const { return describing_; }
  const std::vector<GeneratorParamInfo>& infos() const { return infos_; }

 private:
  struct Arg {
    std::string name;  // empty: positional
    enum class Kind { kNumber, kString, kBool, kNone, kSpec } kind = Kind::kNone;
    double number = 0.0;
    bool boolean = false;
    std::string text;  // the string, or the value as written
    bool used = false;
  };

  GeneratorParams() = default;
  // `offset`: characters before `spec` in the text the columns of errors count in.
  static Result<GeneratorParams> parse_at(std::string_view spec, uint64_t default_seed,
                                          size_t offset);
  static Result<Arg> parse_value(std::string_view text, size_t column_base);
  // The argument for `name` (named, else the next positional one); nullptr when absent.
  Arg* take(std::string_view name, std::string_view type, std::string default_text,
            std::string_view help);
  void type_error(const Arg& arg, std::string_view name, std::string_view expected);

  std::string kind_;
  std::vector<Arg> args_;
  size_t next_positional_ = 0;
  uint64_t default_seed_ = 42;
  bool describing_ = false;
  std::vector<GeneratorParamInfo> infos_;
  Status error_;
};

}  // namespace rivulet::io
