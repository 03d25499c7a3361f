#include "rivulet/ml/anomaly/gaussian_scorer.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

GaussianScorer::GaussianScorer(const Options& options)
    : UnivariateAnomalyDetector(options.feature), options_(options) {}

Result<std::unique_ptr<GaussianScorer>> GaussianScorer::create(const Options& options) {
  if (options.window_size < 0) {
    return Status::invalid_argument(
        fmt::format("anomaly.GaussianScorer: window_size must be >= 0 (0: no window), got {}",
                    options.window_size));
  }
  if (options.grace_period < 0) {
    return Status::invalid_argument(fmt::format(
        "anomaly.GaussianScorer: grace_period must be >= 0, got {}", options.grace_period));
  }
  return std::make_unique<GaussianScorer>(options);
}

Result<std::unique_ptr<GaussianScorer>> GaussianScorer::from_params(Params& p) {
  Options o;
  // River's window_size is an int or None (0 too: `if window_size` is false), hence value().
  const SpecValue* w = p.value("window_size", "int", "None",
                               "fit over the last this many values; None (or 0): all of them");
  if (w != nullptr && w->kind != SpecValue::Kind::kNone) {
    if (w->kind != SpecValue::Kind::kNumber || w->number != std::floor(w->number) ||
        w->number < 0 || w->number > 9.0e15) {
      p.fail(Status::invalid_argument(fmt::format(
          "model spec, column {}: anomaly.GaussianScorer: 'window_size' must be a non-negative "
          "integer or None, got {}",
          w->column, w->text)));
    } else {
      o.window_size = static_cast<int64_t>(w->number);
    }
  }
  o.grace_period = p.integer("grace_period", o.grace_period, "score 0 until this many values");
  o.feature =
      p.string("feature", "", "the feature scored (River scores y); empty: the first feature");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

// River's stats.Mean and stats.Var (w = 1), operation for operation.
void GaussianScorer::update(double y) {
  const double mean_old = mean_;
  n_ += 1.0;
  mean_ += (1.0 / n_) * (y - mean_);
  s_ += 1.0 * (y - mean_old) * (y - mean_);
}

void GaussianScorer::revert(double y) {
  const double mean_old = mean_;
  n_ -= 1.0;
  if (n_ == 0.0) {
    mean_ = 0.0;
  } else {
    mean_ -= (1.0 / n_) * (y - mean_);
  }
  s_ -= 1.0 * (y - mean_old) * (y - mean_);
}

double GaussianScorer::sigma() const {
  const double var = n_ > 1.0 ? s_ / (n_ - 1.0) : 0.0;
  // Python's var ** 0.5. A window's reverts can leave the sum of squares a rounding error below
  // 0, where River would fail (a complex root); that counts as 0 here.
  return var > 0.0 ? std::pow(var, 0.5) : 0.0;
}

void GaussianScorer::learn_one(const Features& x) {
  const auto y = learn_value_of(x);
  if (!y) return;
  const auto size = static_cast<size_t>(options_.window_size);
  if (size == 0) {
    update(*y);
    return;
  }
  // utils.Rolling: revert the oldest value of a full window, then update.
  if (window_.size() == size) {
    revert(window_[head_]);
    update(*y);
    window_[head_] = *y;
    head_ = (head_ + 1) % size;
  } else {
    update(*y);
    window_.push_back(*y);
  }
}

double GaussianScorer::score_value(double y) const {
  if (n_ < static_cast<double>(options_.grace_period)) return 0.0;
  const double denominator = sigma() * std::sqrt(2.0);
  const double cdf = denominator == 0.0 ? 0.0 : 0.5 * (1.0 + std::erf((y - mean_) / denominator));
  return 2.0 * std::abs(cdf - 0.5);
}

double GaussianScorer::score_one(const Features& x) const {
  const auto y = value_of(x);
  return y ? score_value(*y) : 0.0;
}

void GaussianScorer::save(StateWriter& out) const {
  save_feature(out);
  out(n_, mean_, s_, window_, static_cast<uint64_t>(head_));
}

void GaussianScorer::load(StateReader& in) {
  load_feature(in);
  uint64_t head = 0;
  in(n_, mean_, s_, window_, head);
  if (window_.size() > static_cast<size_t>(options_.window_size) ||
      (head != 0 && head >= window_.size())) {
    throw cereal::Exception("anomaly.GaussianScorer: state saved with another window_size");
  }
  head_ = static_cast<size_t>(head);
}

void GaussianScorer::describe(Description& out) const {
  const std::string f = feature();
  out.add("feature", f.empty() ? "(the first feature, once learned)" : f);
  out.add("n", n_);
  out.add("mean", mean_);
  out.add("sigma", sigma());
}

}  // namespace rivulet::ml
