#pragma once
/// The hashing trick, River's `preprocessing.FeatureHasher(n_features=1048576, seed=None)`: each
/// feature's name is hashed into one of `n_features` buckets, a block of feature indices that the
/// hasher reserves in the model's feature space (named `hash[0]`, `hash[1]`, ...). A numeric
/// feature keeps its value; a one-hot feature `name=value` (River hashes the string
/// `f"{name}={value}"` with value 1) is hashed under that same name. Features that fall in the
/// same bucket add up.
///
/// River hashes with salted BLAKE2s; rivulet with XXH3 (64 bits) seeded by `seed`, so bucket
/// numbers differ from River's while the scheme is the same. River's `seed=None` draws a random
/// salt; here no seed means the model's seed (`--seed`), else 0, so that runs are reproducible.
/// Each input feature's bucket is computed once and cached, so steady state does no string work.
/// The hasher learns nothing.
/// Thread safety: none (transform_one fills member caches).
/// ```cpp example
/// rivulet::FeatureSpace space;
/// auto hasher = rivulet::ml::FeatureHasher::create({.n_features = 4}).value();
/// hasher->attach({&space, nullptr});
/// const auto dog = space.intern("dog"), cat = space.intern("cat");
/// rivulet::Features out;
/// hasher->transform_one(rivulet::Features{{dog, 1.0}, {cat, 2.0}}, out);
/// double total = 0;
/// for (const auto& f : out) total += f.value;
/// EXPECT_EQ(total, 3.0);
/// EXPECT_EQ(space.name(out[0].index).substr(0, 5), "hash[");
/// ```

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class FeatureHasher final : public Transformer {
 public:
  struct Options {
    int64_t n_features = 1048576;  ///< Number of buckets. REQUIRES: 1 <= n_features <= 2^31.
    uint64_t seed = 0;             ///< Seed of the hash function.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<FeatureHasher>> create(const Options& options);
  static Result<std::unique_ptr<FeatureHasher>> from_params(Params& p);

  std::string_view name() const override { return "preprocessing.FeatureHasher"; }
  /// Reserves the block of buckets in the context's feature space.
  void attach(const ModelContext& context) override;
  void learn_one(const Features&) override {}
  void transform_one(const Features& x, Features& out) const override;
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}
  void describe(Description& out) const override;

  /// The bucket (0 <= b < n_features) of a feature name.
  uint32_t bucket_of(std::string_view feature_name) const;

  explicit FeatureHasher(const Options& options) : options_(options) {}

 private:
  uint32_t bucket(FeatureIndex i) const;

  Options options_;
  FeatureIndex first_ = 0;  // first index of the reserved block
  static constexpr uint32_t kNoBucket = 0xffffffffu;
  mutable std::vector<uint32_t> bucket_;  // by input feature
  // Open addressing table that merges the features of one sample falling in the same bucket:
  // a slot is used when slot_stamp_ == stamp_.
  mutable std::vector<uint64_t> slot_stamp_;
  mutable std::vector<uint32_t> slot_bucket_;
  mutable std::vector<uint32_t> slot_position_;
  mutable uint64_t stamp_ = 0;
};

}  // namespace rivulet::ml
