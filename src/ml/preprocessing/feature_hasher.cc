#include "rivulet/ml/preprocessing/feature_hasher.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <bit>
#include <string>

namespace rivulet::ml {

Result<std::unique_ptr<FeatureHasher>> FeatureHasher::create(const Options& options) {
  if (options.n_features < 1 || options.n_features > (int64_t{1} << 31)) {
    return Status::invalid_argument(
        fmt::format("FeatureHasher: n_features must be in [1, 2^31], got {}", options.n_features));
  }
  return std::make_unique<FeatureHasher>(options);
}

Result<std::unique_ptr<FeatureHasher>> FeatureHasher::from_params(Params& p) {
  Options o;
  o.n_features = p.integer("n_features", o.n_features, "number of buckets");
  o.seed = p.seed(0, "hash seed; default: the model's seed, else 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void FeatureHasher::attach(const ModelContext& context) {
  Transformer::attach(context);
  if (context.space != nullptr) {
    first_ = context.space->reserve_block("hash", static_cast<uint32_t>(options_.n_features));
  }
  bucket_.clear();
}

uint32_t FeatureHasher::bucket_of(std::string_view feature_name) const {
  const uint64_t h = XXH3_64bits_withSeed(feature_name.data(), feature_name.size(), options_.seed);
  return static_cast<uint32_t>(h % static_cast<uint64_t>(options_.n_features));
}

uint32_t FeatureHasher::bucket(FeatureIndex i) const {
  if (i < bucket_.size() && bucket_[i] != kNoBucket) return bucket_[i];
  ensure_index(bucket_, i, kNoBucket);
  bucket_[i] = bucket_of(feature_name(i));
  return bucket_[i];
}

void FeatureHasher::transform_one(const Features& x, Features& out) const {
  out.clear();
  // A power of two at least twice the number of features keeps probe sequences short.
  const size_t wanted = std::bit_ceil(std::max<size_t>(2 * x.size(), 8));
  if (slot_stamp_.size() < wanted) {
    slot_stamp_.assign(wanted, 0);
    slot_bucket_.assign(wanted, 0);
    slot_position_.assign(wanted, 0);
    stamp_ = 0;
  }
  ++stamp_;
  const size_t mask = slot_stamp_.size() - 1;
  for (const auto& [i, xi] : x) {
    const uint32_t b = bucket(i);
    size_t slot = (static_cast<uint64_t>(b) * 0x9E3779B97F4A7C15ull >> 32) & mask;
    while (slot_stamp_[slot] == stamp_ && slot_bucket_[slot] != b) slot = (slot + 1) & mask;
    if (slot_stamp_[slot] == stamp_) {
      out[slot_position_[slot]].value += xi;
      continue;
    }
    slot_stamp_[slot] = stamp_;
    slot_bucket_[slot] = b;
    slot_position_[slot] = static_cast<uint32_t>(out.size());
    out.push(first_ + b, xi);
  }
}

void FeatureHasher::describe(Description& out) const {
  out.add("n_features", static_cast<double>(options_.n_features));
  out.add("seed", static_cast<double>(options_.seed));
}

}  // namespace rivulet::ml
