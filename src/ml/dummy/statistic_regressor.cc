#include "rivulet/ml/dummy/statistic_regressor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>

namespace rivulet::ml {

Result<std::unique_ptr<StatisticRegressor>> StatisticRegressor::create(const Options& options) {
  return std::make_unique<StatisticRegressor>(options);
}

Result<StatisticRegressor::Statistic> StatisticRegressor::parse_statistic(std::string_view text) {
  std::string s;
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s.starts_with("stats.")) s.erase(0, 6);
  if (s.ends_with("()")) s.resize(s.size() - 2);
  if (s == "mean") return Statistic::kMean;
  if (s == "median") return Statistic::kMedian;
  return Status::invalid_argument(fmt::format(
      "StatisticRegressor: unknown statistic '{}' (expected 'mean' or 'median')", text));
}

Result<std::unique_ptr<StatisticRegressor>> StatisticRegressor::from_params(Params& p) {
  Options o;
  const std::string statistic =
      p.string("statistic", "mean",
               "running statistic of the targets: 'mean' (stats.Mean) or 'median' (exact)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  auto parsed = parse_statistic(statistic);
  if (!parsed.ok()) return parsed.status();
  o.statistic = *parsed;
  return create(o);
}

void StatisticRegressor::learn_one(const Features&, double y) {
  n_ += 1;
  if (options_.statistic == Statistic::kMean) {
    mean_ += (y - mean_) / n_;  // River's stats.Mean with w = 1
    return;
  }
  if (lower_.empty() || y <= lower_.front()) {
    lower_.push_back(y);
    std::push_heap(lower_.begin(), lower_.end());
  } else {
    upper_.push_back(y);
    std::push_heap(upper_.begin(), upper_.end(), std::greater<>());
  }
  // Rebalance so that lower_ has as many values as upper_, or one more.
  if (lower_.size() > upper_.size() + 1) {
    std::pop_heap(lower_.begin(), lower_.end());
    upper_.push_back(lower_.back());
    lower_.pop_back();
    std::push_heap(upper_.begin(), upper_.end(), std::greater<>());
  } else if (upper_.size() > lower_.size()) {
    std::pop_heap(upper_.begin(), upper_.end(), std::greater<>());
    lower_.push_back(upper_.back());
    upper_.pop_back();
    std::push_heap(lower_.begin(), lower_.end());
  }
}

double StatisticRegressor::predict_one(const Features&) const {
  if (options_.statistic == Statistic::kMean) return mean_;
  if (lower_.empty()) return 0.0;
  if (lower_.size() > upper_.size()) return lower_.front();
  return (lower_.front() + upper_.front()) / 2.0;
}

void StatisticRegressor::describe(Description& out) const {
  out.add("statistic", options_.statistic == Statistic::kMean ? "mean" : "median");
  out.add("n", n_);
  out.add("value", predict_one(Features{}));
}

}  // namespace rivulet::ml
