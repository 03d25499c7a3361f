#include "rivulet/ml/drift/kswin.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<KSWIN>> KSWIN::create(Options options) {
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("drift.KSWIN: alpha must be in [0, 1], got {}", options.alpha));
  }
  if (options.stat_size < 1) {
    return Status::invalid_argument(
        fmt::format("drift.KSWIN: stat_size must be >= 1, got {}", options.stat_size));
  }
  if (options.window_size < 2 * options.stat_size || options.window_size > (int64_t{1} << 30)) {
    return Status::invalid_argument(
        fmt::format("drift.KSWIN: window_size must be at least twice stat_size ({}), got {}",
                    options.stat_size, options.window_size));
  }
  return std::make_unique<KSWIN>(options);
}

Result<std::unique_ptr<KSWIN>> KSWIN::from_params(Params& p) {
  const Options d;
  Options o;
  o.alpha = p.number("alpha", d.alpha, "significance of the Kolmogorov-Smirnov test");
  o.window_size = p.integer("window_size", d.window_size, "values kept");
  o.stat_size = p.integer("stat_size", d.stat_size, "size of both samples compared");
  o.seed = p.seed(d.seed);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

KSWIN::KSWIN(Options options)
    : options_(options),
      rng_(options.seed),
      window_(static_cast<size_t>(options.window_size)),
      pool_(static_cast<size_t>(options.window_size - options.stat_size)),
      sample_(static_cast<size_t>(options.stat_size)),
      taken_(static_cast<size_t>(options.window_size - options.stat_size)),
      old_values_(static_cast<size_t>(options.stat_size)),
      recent_values_(static_cast<size_t>(options.stat_size)) {}

void KSWIN::reset() {
  rng_.reseed(options_.seed);
  head_ = count_ = 0;
  p_value_ = 0.0;
  drift_detected_ = false;
}

uint64_t KSWIN::randbelow(uint64_t n) {
  // Python: k = n.bit_length(); r = getrandbits(k) until r < n. getrandbits(k <= 32) is the top
  // k bits of one 32-bit draw (window sizes are below 2^30, see create()).
  const int k = std::bit_width(n);
  uint64_t r = rng_.next_u32() >> (32 - k);
  while (r >= n) r = rng_.next_u32() >> (32 - k);
  return r;
}

void KSWIN::sample_indices(size_t n, size_t k) {
  // CPython's Random.sample: a partial Fisher-Yates shuffle of a pool when n is small compared
  // with k, rejection of repeats otherwise.
  size_t setsize = 21;
  if (k > 5)
    setsize += static_cast<size_t>(
        std::pow(4.0, std::ceil(std::log(static_cast<double>(k * 3)) / std::log(4.0))));
  if (n <= setsize) {
    for (size_t i = 0; i < n; ++i) pool_[i] = i;
    for (size_t i = 0; i < k; ++i) {
      const auto j = static_cast<size_t>(randbelow(n - i));
      sample_[i] = pool_[j];
      pool_[j] = pool_[n - i - 1];
    }
  } else {
    std::fill(taken_.begin(), taken_.end(), 0);
    for (size_t i = 0; i < k; ++i) {
      auto j = static_cast<size_t>(randbelow(n));
      while (taken_[j]) j = static_cast<size_t>(randbelow(n));
      taken_[j] = 1;
      sample_[i] = j;
    }
  }
}

void KSWIN::ks_2samp(std::vector<double>& a, std::vector<double>& b, double& statistic,
                     double& p_value) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const size_t n = a.size();
  const auto nd = static_cast<double>(n);
  // cdf differences at every value of both samples (np.searchsorted(..., side='right') / n).
  double min_diff = 0.0, max_diff = 0.0;
  bool first = true;
  for (const auto* values : {&a, &b}) {
    for (double v : *values) {
      const double cdf1 =
          static_cast<double>(std::upper_bound(a.begin(), a.end(), v) - a.begin()) / nd;
      const double cdf2 =
          static_cast<double>(std::upper_bound(b.begin(), b.end(), v) - b.begin()) / nd;
      const double diff = cdf1 - cdf2;
      if (first || diff < min_diff) min_diff = diff;
      if (first || diff > max_diff) max_diff = diff;
      first = false;
    }
  }
  const double min_s = std::clamp(-min_diff, 0.0, 1.0);
  const double d = std::max(min_s, max_diff);
  // Exact mode, n1 == n2: lcm = n, h = round(d * lcm) (halves to even, as np.round).
  const auto h = static_cast<int64_t>(std::nearbyint(d * nd));
  statistic = static_cast<double>(h) / nd;
  if (h == 0) {
    p_value = 1.0;
    return;
  }
  // SciPy's _compute_prob_outside_square(n, h).
  const auto ni = static_cast<int64_t>(n);
  double p = 0.0;
  for (int64_t k = ni / h; k >= 0; --k) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(ni - k * h - j) * p1 / static_cast<double>(ni + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
  }
  p_value = std::clamp(2 * p, 0.0, 1.0);
}

void KSWIN::update(double x) {
  if (drift_detected_) reset();
  const size_t size = window_.size();
  if (count_ < size) {
    window_[(head_ + count_++) % size] = x;
  } else {
    window_[head_] = x;
    head_ = (head_ + 1) % size;
  }
  if (count_ < size) return;  // not enough values for a test

  const auto stat = static_cast<size_t>(options_.stat_size);
  const size_t n_old = size - stat;
  sample_indices(n_old, stat);
  for (size_t i = 0; i < stat; ++i) {
    old_values_[i] = window_[(head_ + sample_[i]) % size];
    recent_values_[i] = window_[(head_ + n_old + i) % size];
  }
  double statistic = 0.0;
  ks_2samp(old_values_, recent_values_, statistic, p_value_);
  drift_detected_ = p_value_ <= options_.alpha && statistic > 0.1;
}

void KSWIN::save(StateWriter& out) const {
  out(rng_, static_cast<uint64_t>(count_));
  for (size_t i = 0; i < count_; ++i) out(window_[(head_ + i) % window_.size()]);
  out(p_value_, drift_detected_);
}

void KSWIN::load(StateReader& in) {
  uint64_t count = 0;
  in(rng_, count);
  if (count > window_.size())
    throw cereal::Exception("drift.KSWIN: state saved with a larger window");
  head_ = 0;
  count_ = count;
  for (size_t i = 0; i < count_; ++i) in(window_[i]);
  in(p_value_, drift_detected_);
}

}  // namespace rivulet::ml
