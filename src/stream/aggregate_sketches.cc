// The sketches behind APPROX_COUNT_DISTINCT (HyperLogLog), APPROX_PERCENTILE (KLL) and TOP_K
// (Misra-Gries). Debian 12 packages no C++ sketch library (Apache DataSketches is not packaged),
// so the published algorithms are written here.

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "rivulet/stream/aggregate.h"

namespace rivulet::stream {

uint64_t hash_value(Value v) {
  const auto seed = static_cast<uint64_t>(v.type());
  switch (v.type()) {
    case Type::kNull:
      return XXH3_64bits_withSeed(nullptr, 0, seed);
    case Type::kBool:
    case Type::kInt: {
      const int64_t i = v.type() == Type::kBool ? (v.as_bool() ? 1 : 0) : v.as_int();
      return XXH3_64bits_withSeed(&i, sizeof i, seed);
    }
    case Type::kDouble: {
      double d = v.as_double();
      if (d == 0) d = 0;  // -0.0 as 0.0
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      return XXH3_64bits_withSeed(&d, sizeof d, seed);
    }
    case Type::kString: {
      const std::string_view s = v.as_string();
      return XXH3_64bits_withSeed(s.data(), s.size(), seed);
    }
  }
  return 0;
}

// ---- HyperLogLog ---------------------------------------------------------------------------

namespace {

// Ertl 2017, algorithm 6: sigma and tau series of the improved raw estimator.
double hll_sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0;
  double z = x;
  double z_old;
  do {
    x *= x;
    z_old = z;
    z += x * y;
    y += y;
  } while (z != z_old);
  return z;
}

double hll_tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1.0 - x;
  double z_old;
  do {
    x = std::sqrt(x);
    z_old = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (z != z_old);
  return z / 3.0;
}

}  // namespace

HyperLogLog::HyperLogLog(int precision) : p_(precision) {}

void HyperLogLog::add_hash(uint64_t hash) {
  const auto index = static_cast<uint32_t>(hash >> (64 - p_));
  const uint64_t rest = hash << p_;
  const int q = 64 - p_;
  const int rank = std::min(std::countl_zero(rest), q) + 1;
  set_register(index, static_cast<uint8_t>(rank));
}

void HyperLogLog::set_register(uint32_t index, uint8_t rank) {
  if (!dense_.empty()) {
    if (dense_[index] < rank) dense_[index] = rank;
    return;
  }
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), index,
                             [](uint32_t entry, uint32_t i) { return (entry >> 8) < i; });
  if (it != sparse_.end() && (*it >> 8) == index) {
    if ((*it & 0xff) < rank) *it = index << 8 | rank;
    return;
  }
  sparse_.insert(it, index << 8 | rank);
  if (sparse_.size() > (size_t{1} << p_) / 16) densify();
}

void HyperLogLog::densify() {
  dense_.assign(size_t{1} << p_, 0);
  for (uint32_t entry : sparse_) dense_[entry >> 8] = static_cast<uint8_t>(entry & 0xff);
  sparse_.clear();
  sparse_.shrink_to_fit();
}

void HyperLogLog::merge(const HyperLogLog& other) {
  if (other.dense_.empty()) {
    for (uint32_t entry : other.sparse_) set_register(entry >> 8, entry & 0xff);
    return;
  }
  if (dense_.empty()) densify();
  for (size_t i = 0; i < dense_.size(); ++i) dense_[i] = std::max(dense_[i], other.dense_[i]);
}

double HyperLogLog::estimate() const {
  const int q = 64 - p_;
  const double m = static_cast<double>(size_t{1} << p_);
  double counts[66] = {};
  if (dense_.empty()) {
    counts[0] = m - static_cast<double>(sparse_.size());
    for (uint32_t entry : sparse_) counts[entry & 0xff] += 1;
  } else {
    for (uint8_t r : dense_) counts[r] += 1;
  }
  double z = m * hll_tau(1.0 - counts[q + 1] / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + counts[k]);
  z += m * hll_sigma(counts[0] / m);
  const double alpha_inf = 0.5 / std::log(2.0);
  return alpha_inf * m * m / z;
}

void HyperLogLog::reset() {
  sparse_.clear();
  dense_.clear();
  dense_.shrink_to_fit();
}

void HyperLogLog::save(StateWriter& out) const { out(static_cast<uint8_t>(p_), sparse_, dense_); }

void HyperLogLog::load(StateReader& in) {
  uint8_t p = 0;
  std::vector<uint32_t> sparse;
  std::vector<uint8_t> dense;
  in(p, sparse, dense);
  const size_t m = size_t{1} << p_;
  if (p != p_ || (!dense.empty() && dense.size() != m) || (!dense.empty() && !sparse.empty())) {
    throw cereal::Exception("HyperLogLog: state of another precision");
  }
  const uint32_t max_rank = static_cast<uint32_t>(64 - p_ + 1);
  for (size_t i = 0; i < sparse.size(); ++i) {
    if ((sparse[i] >> 8) >= m || (sparse[i] & 0xff) > max_rank || (sparse[i] & 0xff) == 0 ||
        (i > 0 && (sparse[i] >> 8) <= (sparse[i - 1] >> 8))) {
      throw cereal::Exception("HyperLogLog: corrupt sparse list");
    }
  }
  for (uint8_t r : dense) {
    if (r > max_rank) throw cereal::Exception("HyperLogLog: corrupt register");
  }
  sparse_ = std::move(sparse);
  dense_ = std::move(dense);
}

// ---- KLL -----------------------------------------------------------------------------------

namespace {
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

KllSketch::KllSketch(uint32_t k, uint64_t seed) : k_(k), seed_(seed), rng_(seed) {
  add_level();
  levels_[0].reserve(k_);
}

void KllSketch::add_level() {
  levels_.emplace_back();
  caps_.resize(levels_.size());
  total_capacity_ = 0;
  for (size_t h = 0; h < levels_.size(); ++h) {
    const size_t depth = levels_.size() - 1 - h;
    const double cap = std::ceil(static_cast<double>(k_) * std::pow(2.0 / 3.0, depth));
    caps_[h] = std::max<size_t>(8, static_cast<size_t>(cap));
    total_capacity_ += caps_[h];
  }
}

size_t KllSketch::retained() const { return retained_; }

void KllSketch::add(double x) {
  if (std::isnan(x)) return;
  if (n_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++n_;
  ++retained_;
  levels_[0].push_back(x);
  if (retained_ >= total_capacity_) compress();
}

void KllSketch::compress() {
  while (retained_ >= total_capacity_) {
    size_t h = 0;
    while (h < levels_.size() && levels_[h].size() < capacity(h)) ++h;
    if (h == levels_.size()) return;  // cannot happen: some level is at capacity
    if (h + 1 == levels_.size()) add_level();
    auto& level = levels_[h];
    auto& above = levels_[h + 1];
    std::sort(level.begin(), level.end());
    // An odd item stays at this level with its weight; the others pair up and one of each pair,
    // chosen by a fair coin shared by the whole compaction, moves up with twice the weight.
    const size_t odd = level.size() % 2;
    const size_t offset = splitmix64(rng_) & 1;
    for (size_t i = odd + offset; i < level.size(); i += 2) above.push_back(level[i]);
    retained_ -= (level.size() - odd) / 2;
    level.resize(odd);
  }
}

void KllSketch::merge(const KllSketch& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  n_ += other.n_;
  while (levels_.size() < other.levels_.size()) add_level();
  for (size_t h = 0; h < other.levels_.size(); ++h) {
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  }
  retained_ += other.retained_;
  compress();
}

void KllSketch::sorted_view() const {
  view_.clear();
  for (size_t h = 0; h < levels_.size(); ++h) {
    for (double x : levels_[h]) view_.emplace_back(x, uint64_t{1} << h);
  }
  std::sort(view_.begin(), view_.end());
}

double KllSketch::quantile(double q) const {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  sorted_view();
  uint64_t total = 0;
  for (const auto& [x, w] : view_) total += w;
  const double target = q * static_cast<double>(total);
  uint64_t cumulative = 0;
  for (const auto& [x, w] : view_) {
    cumulative += w;
    if (static_cast<double>(cumulative) >= target) return std::clamp(x, min_, max_);
  }
  return max_;
}

double KllSketch::rank(double x) const {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  uint64_t below = 0;
  uint64_t total = 0;
  for (size_t h = 0; h < levels_.size(); ++h) {
    for (double v : levels_[h]) {
      total += uint64_t{1} << h;
      if (v <= x) below += uint64_t{1} << h;
    }
  }
  return static_cast<double>(below) / static_cast<double>(total);
}

void KllSketch::reset() {
  n_ = 0;
  retained_ = 0;
  rng_ = seed_;
  std::vector<double> keep = std::move(levels_[0]);  // keeps its capacity
  keep.clear();
  levels_.clear();
  caps_.clear();
  add_level();
  levels_[0] = std::move(keep);
}

void KllSketch::save(StateWriter& out) const { out(k_, rng_, n_, min_, max_, levels_); }

void KllSketch::load(StateReader& in) {
  uint32_t k = 0;
  uint64_t rng = 0;
  uint64_t n = 0;
  double min = 0;
  double max = 0;
  std::vector<std::vector<double>> levels;
  in(k, rng, n, min, max, levels);
  if (k != k_ || levels.empty() || levels.size() > 64) {
    throw cereal::Exception("KllSketch: state of another k");
  }
  uint64_t weight = 0;
  for (size_t h = 0; h < levels.size(); ++h) weight += levels[h].size() << h;
  if (weight != n) throw cereal::Exception("KllSketch: weights do not add up to the count");
  rng_ = rng;
  n_ = n;
  min_ = min;
  max_ = max;
  levels_.clear();
  caps_.clear();
  while (levels_.size() < levels.size()) add_level();
  retained_ = 0;
  for (const auto& level : levels) retained_ += level.size();
  levels_ = std::move(levels);
}

// ---- Misra-Gries ---------------------------------------------------------------------------

size_t MisraGries::Hash::operator()(std::string_view s) const {
  return static_cast<size_t>(XXH3_64bits(s.data(), s.size()));
}

MisraGries::MisraGries(size_t capacity) : capacity_(capacity) {
  counters_.reserve(capacity + 1);
  scratch_.reserve(capacity + 1);
}

void MisraGries::add(std::string_view item, uint64_t count) {
  if (count == 0) return;
  n_ += count;
  auto it = counters_.find(item);
  if (it != counters_.end()) {
    it->second += count;
    return;
  }
  if (counters_.size() < capacity_) {
    counters_.emplace(std::string(item), count);
    return;
  }
  // Full: the new item and every counter lose the smallest of their counts (capacity + 1
  // counters lose that much each, which bounds the error by n / (capacity + 1)).
  uint64_t smallest = count;
  for (const auto& [key, c] : counters_) smallest = std::min(smallest, c);
  error_ += smallest;
  for (auto i = counters_.begin(); i != counters_.end();) {
    i->second -= smallest;
    i = i->second == 0 ? counters_.erase(i) : std::next(i);
  }
  if (count > smallest) counters_.emplace(std::string(item), count - smallest);
}

void MisraGries::shrink_to_capacity() {
  if (counters_.size() <= capacity_) return;
  scratch_.clear();
  for (const auto& [key, c] : counters_) scratch_.push_back(c);
  // Subtract the (capacity + 1)-th largest count from every counter (Agarwal et al. 2012).
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(capacity_),
                   scratch_.end(), std::greater<>());
  const uint64_t cut = scratch_[capacity_];
  error_ += cut;
  for (auto i = counters_.begin(); i != counters_.end();) {
    i->second = i->second > cut ? i->second - cut : 0;
    i = i->second == 0 ? counters_.erase(i) : std::next(i);
  }
}

void MisraGries::merge(const MisraGries& other) {
  n_ += other.n_;
  error_ += other.error_;
  for (const auto& [key, c] : other.counters_) {
    auto it = counters_.find(std::string_view(key));
    if (it != counters_.end()) {
      it->second += c;
    } else {
      counters_.emplace(key, c);
    }
  }
  shrink_to_capacity();
}

uint64_t MisraGries::estimate(std::string_view item) const {
  auto it = counters_.find(item);
  return it == counters_.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, uint64_t>> MisraGries::top(size_t k) const {
  std::vector<std::pair<std::string, uint64_t>> out(counters_.begin(), counters_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

void MisraGries::reset() {
  n_ = 0;
  error_ = 0;
  counters_.clear();
}

void MisraGries::save(StateWriter& out) const {
  std::vector<std::pair<std::string, uint64_t>> items(counters_.begin(), counters_.end());
  std::sort(items.begin(), items.end());  // the same bytes for the same state
  out(static_cast<uint64_t>(capacity_), n_, error_, items);
}

void MisraGries::load(StateReader& in) {
  uint64_t capacity = 0;
  uint64_t n = 0;
  uint64_t error = 0;
  std::vector<std::pair<std::string, uint64_t>> items;
  in(capacity, n, error, items);
  if (capacity != capacity_ || items.size() > capacity_) {
    throw cereal::Exception("MisraGries: state of another capacity");
  }
  counters_.clear();
  for (auto& [key, c] : items) {
    if (c == 0 || !counters_.emplace(std::move(key), c).second) {
      throw cereal::Exception("MisraGries: corrupt counters");
    }
  }
  n_ = n;
  error_ = error;
}

}  // namespace rivulet::stream
