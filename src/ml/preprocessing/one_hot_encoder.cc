#include "rivulet/ml/preprocessing/one_hot_encoder.h"

#include <fmt/format.h>

#include <bit>

namespace rivulet::ml {

Result<std::unique_ptr<OneHotEncoder>> OneHotEncoder::create(const Options& options) {
  return std::make_unique<OneHotEncoder>(options);
}

Result<std::unique_ptr<OneHotEncoder>> OneHotEncoder::from_params(Params& p) {
  Options o;
  o.sparse =
      p.boolean("sparse", o.sparse, "leave out the 0s of the encoded features a sample lacks");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void OneHotEncoder::attach(const ModelContext& context) {
  Transformer::attach(context);
  clear_caches();
}

void OneHotEncoder::clear_caches() const {
  kind_.clear();
  encoded_.clear();
  mark_.clear();
  stamp_ = 0;
}

FeatureIndex OneHotEncoder::encode(FeatureIndex i, double v) const {
  FeatureSpace* space = context_.space;
  if (space == nullptr || i >= space->size()) return i;
  if (i >= kind_.size()) {
    kind_.resize(static_cast<size_t>(i) + 1, kUnknown);
    encoded_.resize(static_cast<size_t>(i) + 1);
  }
  if (kind_[i] == kUnknown) {
    kind_[i] = space->name(i).find('=') != std::string::npos ? kOneHot : kNumeric;
  }
  if (kind_[i] == kOneHot) return i;
  auto& table = encoded_[i];
  const uint64_t key = std::bit_cast<uint64_t>(v);
  if (auto it = table.find(key); it != table.end()) return it->second;
  const FeatureIndex o = space->intern(fmt::format("{}={}", space->name(i), v));
  table.emplace(key, o);
  return o;
}

void OneHotEncoder::learn_one(const Features& x) {
  if (options_.sparse) return;  // the learned set only serves the zeros
  for (const auto& [i, xi] : x) {
    const FeatureIndex o = encode(i, xi);
    ensure_index(is_known_, o, uint8_t{0});
    if (!is_known_[o]) {
      is_known_[o] = 1;
      known_.push_back(o);
    }
  }
}

void OneHotEncoder::transform_one(const Features& x, Features& out) const {
  out.clear();
  ++stamp_;
  for (const auto& [i, xi] : x) {
    const FeatureIndex o = encode(i, xi);
    ensure_index(mark_, o, uint64_t{0});
    if (mark_[o] == stamp_) continue;  // two inputs encoded alike: keep indices unique
    mark_[o] = stamp_;
    const bool passed_through = o == i;
    out.push(o, passed_through ? xi : 1.0);
  }
  if (options_.sparse) return;
  for (FeatureIndex o : known_) {
    if (o < mark_.size() && mark_[o] == stamp_) continue;
    out.push(o, 0.0);
  }
}

void OneHotEncoder::load(StateReader& in) {
  in(known_);
  is_known_.clear();
  for (FeatureIndex o : known_) {
    ensure_index(is_known_, o, uint8_t{0});
    is_known_[o] = 1;
  }
  clear_caches();
}

void OneHotEncoder::describe(Description& out) const {
  out.add("sparse", options_.sparse ? "True" : "False");
  out.add("n_encoded", static_cast<double>(known_.size()));
}

}  // namespace rivulet::ml
