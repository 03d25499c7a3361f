#pragma once
/// One-hot encoding of every feature, River's `preprocessing.OneHotEncoder(sparse=False)`.
///
/// River turns each feature's value into its own feature `name_value` = 1. In rivulet, text
/// values already arrive one-hot encoded by the feature extractor (`city=Paris` = 1), so:
/// - a one-hot feature (its name holds `=`) passes through unchanged;
/// - a numeric feature becomes the feature `name=value` = 1, its name interned in the model's
///   feature space (given by attach()); the value is written in its shortest exact form
///   (`x=1.5`, `x=3`), so River's `x_1.5` is rivulet's `x=1.5`.
/// The name of each (feature, value) pair is built once; later samples find it in a per-feature
/// table without string work. Without an attached feature space, numeric features pass through.
///
/// As River, with `sparse=False` (the default) the output also holds, with value 0, every
/// encoded feature learned so far that x lacks (numeric values and one-hot features alike), so
/// the output grows with the number of distinct values seen; `sparse=True` leaves those zeros
/// out. Learning only records which encoded features exist.
/// Thread safety: none (transform_one interns new names and reuses member buffers).
/// ```cpp example
/// rivulet::FeatureSpace space;
/// auto oh = rivulet::ml::OneHotEncoder::create({.sparse = true}).value();
/// oh->attach({&space, nullptr});
/// const auto size = space.intern("size"), city = space.intern("city=Paris");
/// rivulet::Features out;
/// oh->transform_one(rivulet::Features{{size, 3.0}, {city, 1.0}}, out);
/// EXPECT_EQ(space.name(out[0].index), "size=3");
/// EXPECT_EQ(out[0].value, 1.0);
/// EXPECT_EQ(out[1].index, city);  // already one-hot: passed through
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class OneHotEncoder final : public Transformer {
 public:
  struct Options {
    bool sparse = false;  ///< Leave out the 0s of the encoded features x lacks.
  };
  static Result<std::unique_ptr<OneHotEncoder>> create(const Options& options);
  static Result<std::unique_ptr<OneHotEncoder>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.OneHotEncoder"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x) override;
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter& out) const override { out(known_); }
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  explicit OneHotEncoder(const Options& options) : options_(options) {}

 private:
  enum Kind : uint8_t { kUnknown = 0, kNumeric = 1, kOneHot = 2 };
  // The encoded feature of input feature i with value v (interning its name if new).
  FeatureIndex encode(FeatureIndex i, double v) const;
  void clear_caches() const;

  Options options_;
  std::vector<FeatureIndex> known_;  // encoded features learned, in the order first learned
  std::vector<uint8_t> is_known_;    // by encoded feature
  // Caches, rebuilt from the feature space when needed.
  mutable std::vector<uint8_t> kind_;                                        // by input feature
  mutable std::vector<std::unordered_map<uint64_t, FeatureIndex>> encoded_;  // value bits -> index
  mutable std::vector<uint64_t> mark_;  // mark_[o] == stamp_: o is already in the output
  mutable uint64_t stamp_ = 0;
};

}  // namespace rivulet::ml
