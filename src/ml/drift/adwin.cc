#include "rivulet/ml/drift/adwin.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rivulet::ml {
namespace {

// 2^row: the number of values a bucket of that row summarizes.
double bucket_size(size_t row) { return std::ldexp(1.0, static_cast<int>(row)); }

constexpr size_t kInitialRows = 16;

}  // namespace

Result<std::unique_ptr<ADWIN>> ADWIN::create(Options options) {
  if (!(options.delta > 0.0 && options.delta < 1.0)) {
    return Status::invalid_argument(
        fmt::format("drift.ADWIN: delta must be in (0, 1), got {}", options.delta));
  }
  if (options.clock < 1) {
    return Status::invalid_argument(
        fmt::format("drift.ADWIN: clock must be >= 1, got {}", options.clock));
  }
  if (options.max_buckets < 2 || options.max_buckets > 1000) {
    return Status::invalid_argument(
        fmt::format("drift.ADWIN: max_buckets must be in [2, 1000], got {}", options.max_buckets));
  }
  if (options.min_window_length < 1) {
    return Status::invalid_argument(fmt::format(
        "drift.ADWIN: min_window_length must be >= 1, got {}", options.min_window_length));
  }
  if (options.grace_period < 0) {
    return Status::invalid_argument(
        fmt::format("drift.ADWIN: grace_period must be >= 0, got {}", options.grace_period));
  }
  return std::make_unique<ADWIN>(options);
}

Result<std::unique_ptr<ADWIN>> ADWIN::from_params(Params& p) {
  const Options d;
  Options o;
  o.delta = p.number("delta", d.delta, "significance of the cut test");
  o.clock = p.integer("clock", d.clock, "test cut points every this many updates");
  o.max_buckets = p.integer("max_buckets", d.max_buckets, "buckets of each size before two merge");
  o.min_window_length = p.integer("min_window_length", d.min_window_length,
                                  "least length of each sub-window at a cut");
  o.grace_period = p.integer("grace_period", d.grace_period, "no test until the window is longer");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

ADWIN::ADWIN(Options options)
    : options_(options), stride_(static_cast<size_t>(options.max_buckets) + 1) {
  // 16 rows hold windows of up to 5 * (2^16 - 1) values; longer windows add rows (doubling).
  counts_.resize(kInitialRows, 0);
  buckets_.resize(stride_ * kInitialRows);
}

std::unique_ptr<DriftDetector> ADWIN::clone() const { return std::make_unique<ADWIN>(options_); }

void ADWIN::reset() {
  clear_state();
  drift_detected_ = false;
}

void ADWIN::clear_state() {
  std::fill(counts_.begin(), counts_.end(), 0);
  n_rows_ = 1;
  width_ = total_ = variance_ = 0.0;
  tick_ = 0;
  n_detections_ = 0;
}

void ADWIN::update(double x) {
  // River 0.12: the update after a detection starts over from an empty window.
  if (drift_detected_) clear_state();
  drift_detected_ = insert_and_detect(x);
}

bool ADWIN::insert_and_detect(double value) {
  insert(value);
  return detect_change();
}

void ADWIN::add_row() {
  if (n_rows_ == counts_.size()) {
    counts_.resize(counts_.size() * 2, 0);
    buckets_.resize(counts_.size() * stride_);
  }
  counts_[n_rows_] = 0;
  ++n_rows_;
}

void ADWIN::insert(double value) {
  row(0)[counts_[0]] = {value, 0.0};
  ++counts_[0];
  width_ += 1.0;
  // The same floating-point steps as River's _insert_element.
  double incremental_variance = 0.0;
  if (width_ > 1.0) {
    incremental_variance = (width_ - 1.0) * (value - total_ / (width_ - 1.0)) *
                           (value - total_ / (width_ - 1.0)) / width_;
  }
  variance_ += incremental_variance;
  total_ += value;
  compress();
}

void ADWIN::compress() {
  const auto max_buckets = static_cast<int32_t>(options_.max_buckets);
  for (size_t r = 0; r < n_rows_; ++r) {
    if (counts_[r] != max_buckets + 1) break;
    if (r + 1 == n_rows_) add_row();
    Bucket* b = row(r);
    const double n1 = bucket_size(r), n2 = bucket_size(r);
    const double mu1 = b[0].total / n1, mu2 = b[1].total / n2;
    const double total12 = b[0].total + b[1].total;
    const double temp = n1 * n2 * (mu1 - mu2) * (mu1 - mu2) / (n1 + n2);
    const double v12 = b[0].variance + b[1].variance + temp;
    Bucket* next = row(r + 1);
    next[counts_[r + 1]] = {total12, v12};
    ++counts_[r + 1];
    std::copy(b + 2, b + counts_[r], b);
    counts_[r] -= 2;
    if (counts_[r + 1] <= max_buckets) break;
  }
}

double ADWIN::delete_oldest() {
  const size_t last = n_rows_ - 1;
  Bucket* b = row(last);
  const double n = bucket_size(last);
  const double u = b[0].total;
  const double mu = u / n;
  const double v = b[0].variance;
  width_ -= n;
  total_ -= u;
  const double mu_window = total_ / width_;
  const double incremental_variance =
      v + n * width_ * (mu - mu_window) * (mu - mu_window) / (n + width_);
  variance_ -= incremental_variance;
  std::copy(b + 1, b + counts_[last], b);
  --counts_[last];
  if (counts_[last] == 0 && n_rows_ > 1) --n_rows_;
  return n;
}

bool ADWIN::cut_holds(double n0, double n1, double delta_mean) const {
  const auto min_len = static_cast<double>(options_.min_window_length);
  const double delta_prime = std::log(2 * std::log(width_) / options_.delta);
  const double m_recip = (1.0 / (n0 - min_len + 1)) + (1.0 / (n1 - min_len + 1));
  const double variance_in_window = variance_ / width_;
  const double epsilon =
      std::sqrt(2 * m_recip * variance_in_window * delta_prime) + 2.0 / 3.0 * delta_prime * m_recip;
  return std::fabs(delta_mean) > epsilon;
}

bool ADWIN::detect_change() {
  bool change_detected = false;
  ++tick_;
  if (tick_ % options_.clock != 0 || !(width_ > static_cast<double>(options_.grace_period))) {
    return false;
  }
  const auto min_len = static_cast<double>(options_.min_window_length);
  bool reduce_width = true;
  while (reduce_width) {
    reduce_width = false;
    bool exit_flag = false;
    double n0 = 0.0, n1 = width_, u0 = 0.0, u1 = total_;
    // Oldest row first; within a row oldest bucket first. As in River, the newest bucket of each
    // row is never a cut point (River's loop runs to current_idx - 1).
    for (size_t r = n_rows_; r-- > 0 && !exit_flag;) {
      const Bucket* b = row(r);
      const double size = bucket_size(r);
      const int32_t last = counts_[r] - 1;
      for (int32_t k = 0; k < last; ++k) {
        n0 += size;
        n1 -= size;
        u0 += b[k].total;
        u1 -= b[k].total;
        const double delta_mean = (u0 / n0) - (u1 / n1);
        if (n1 >= min_len && n0 >= min_len && cut_holds(n0, n1, delta_mean)) {
          reduce_width = true;
          change_detected = true;
          if (width_ > 0) {
            n0 -= delete_oldest();
            exit_flag = true;
            break;
          }
        }
      }
    }
  }
  if (change_detected) ++n_detections_;
  return change_detected;
}

void ADWIN::save(StateWriter& out) const {
  out(width_, total_, variance_, tick_, n_detections_, drift_detected_);
  out(static_cast<uint64_t>(n_rows_));
  for (size_t r = 0; r < n_rows_; ++r) {
    out(counts_[r]);
    for (int32_t k = 0; k < counts_[r]; ++k) out(row(r)[k]);
  }
}

void ADWIN::load(StateReader& in) {
  in(width_, total_, variance_, tick_, n_detections_, drift_detected_);
  uint64_t rows = 0;
  in(rows);
  if (rows < 1 || rows > 64) throw cereal::Exception("drift.ADWIN: corrupt state (rows)");
  std::fill(counts_.begin(), counts_.end(), 0);
  n_rows_ = 1;
  while (n_rows_ < rows) add_row();
  for (size_t r = 0; r < n_rows_; ++r) {
    int32_t count = 0;
    in(count);
    if (count < 0 || static_cast<size_t>(count) > stride_ - 1) {
      throw cereal::Exception("drift.ADWIN: corrupt state (bucket count)");
    }
    counts_[r] = count;
    for (int32_t k = 0; k < count; ++k) in(row(r)[k]);
  }
}

}  // namespace rivulet::ml
