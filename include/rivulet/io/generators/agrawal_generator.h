#pragma once
/// River 0.12.1's `datasets.synth.Agrawal` (Agrawal, Imielinski and Swami, "Database mining: a
/// performance perspective", IEEE TKDE 1993): loan applications with six numeric and three
/// categorical features and ten classification functions of them; drift is a change of function.
/// `balance_classes` alternates the classes (samples are redrawn until the wanted class comes);
/// `perturbation` moves numeric values by up to that share of their range.
/// Draws from numpy's legacy `RandomState(seed)` as River 0.12.1 does (numpy_random.h), so the
/// same seed gives River's samples. River's quirks are kept, because they are its stream:
/// functions 4 compares salary with ranges it never reaches, and with `perturbation > 0` the
/// house value is clamped between a minimum of (9 - zipcode) * 100000 and a maximum of 0, so
/// it becomes one or the other.
/// Emits `{"salary": float, "commission": float, "age": int, "elevel": int, "car": int,
/// "zipcode": int, "hvalue": float, "hyears": int, "loan": float, "y": 0|1}` (River's feature
/// names; a commission of 0, an integer in River, is written 0.0; perturbed ages and years, floats
/// in River, are whole numbers and written as integers).
/// Thread safety: none.
/// ```cpp example
/// using rivulet::io::AgrawalGenerator;
/// auto agrawal = AgrawalGenerator::create({.classification_function = 0, .seed = 42}).value();
/// std::string line;
/// agrawal->next(line);
/// // River: [68690.2154, 81303.5729, 62, 4, 6, 2, 419982.4410, 11, 433088.0728] 1
/// EXPECT_EQ(line, "{\"salary\":68690.21545015712,\"commission\":81303.57298074372,\"age\":62,"
///                 "\"elevel\":4,\"car\":6,\"zipcode\":2,\"hvalue\":419982.441072602,"
///                 "\"hyears\":11,\"loan\":433088.07288746757,\"y\":1}\n");
/// ```

#include <cstdint>
#include <memory>
#include <string>

#include "rivulet/io/generators/generator.h"
#include "rivulet/io/generators/numpy_random.h"

namespace rivulet::io {

class AgrawalGenerator final : public Generator {
 public:
  struct Options {
    int64_t classification_function = 0;  ///< REQUIRES: in [0, 9].
    uint64_t seed = 42;                   ///< Seed of RandomState. REQUIRES: < 2^32.
    bool balance_classes = false;         ///< Alternate the classes 1, 0, 1, ...
    double perturbation = 0.0;            ///< Noise on numeric values. REQUIRES: in [0, 1].
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<AgrawalGenerator>> create(const Options& options);
  /// Reads River's signature `Agrawal(classification_function=0, seed=None,
  /// balance_classes=False, perturbation=0.0)`.
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "agrawal"; }
  std::string spec() const override;

 private:
  explicit AgrawalGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  double perturb(double value, double min, double max, double range);

  Options options_;
  NumpyRandomState rng_;
  bool next_class_should_be_zero_ = false;
};

}  // namespace rivulet::io
