#include "rivulet/ml/metrics/confusion_matrix.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace rivulet::ml {
namespace {

// The value of a label that reads as a number, for sorting numeric labels as River sorts ints.
bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

// A whole count with thousands separators, as River prints `f"{int(n):,}"`.
std::string format_count(double v) {
  const auto n = static_cast<long long>(v);
  std::string digits = fmt::format("{}", n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (n < 0) out.insert(out.begin(), '-');
  return out;
}

}  // namespace

Result<std::unique_ptr<ConfusionMatrix>> ConfusionMatrix::create() {
  return std::make_unique<ConfusionMatrix>();
}

Result<std::unique_ptr<ConfusionMatrix>> ConfusionMatrix::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> ConfusionMatrix::clone_fresh() const {
  auto m = std::make_unique<ConfusionMatrix>();
  m->attach(labels_);
  return m;
}

void ConfusionMatrix::grow(size_t slots) {
  std::vector<double> data(slots * slots, 0.0);
  for (size_t r = 0; r < slots_; ++r) {
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(r * slots_), slots_,
                data.begin() + static_cast<std::ptrdiff_t>(r * slots));
  }
  data_ = std::move(data);
  sum_row_.resize(slots, 0.0);
  sum_col_.resize(slots, 0.0);
  slots_ = slots;
}

void ConfusionMatrix::add(ClassId y_true, ClassId y_pred, double w) {
  const size_t t = slot(y_true), p = slot(y_pred);
  const size_t needed = std::max(t, p) + 1;
  // Grows only when a new class id appears (room for kNoClass and two classes at first).
  if (needed > slots_) grow(std::max<size_t>(needed, 3));
  data_[t * slots_ + p] += w;
  sum_row_[t] += w;
  sum_col_[p] += w;
  if (y_true == y_pred) sum_diag_ += w;
  total_ += w;
}

void ConfusionMatrix::update(ClassId y_true, ClassId y_pred, std::span<const double>) {
  add(y_true, y_pred, 1.0);
}

void ConfusionMatrix::revert(ClassId y_true, ClassId y_pred, std::span<const double>) {
  add(y_true, y_pred, -1.0);
}

double ConfusionMatrix::get() const { return total_ != 0.0 ? sum_diag_ / total_ : 0.0; }

double ConfusionMatrix::count(ClassId y_true, ClassId y_pred) const {
  const size_t t = slot(y_true), p = slot(y_pred);
  return t < slots_ && p < slots_ ? data_[t * slots_ + p] : 0.0;
}

double ConfusionMatrix::sum_row(ClassId y_true) const {
  const size_t t = slot(y_true);
  return t < slots_ ? sum_row_[t] : 0.0;
}

double ConfusionMatrix::sum_col(ClassId y_pred) const {
  const size_t p = slot(y_pred);
  return p < slots_ ? sum_col_[p] : 0.0;
}

size_t ConfusionMatrix::n_classes() const {
  size_t n = 0;
  for_each_class([&n](ClassId) { ++n; });
  return n;
}

std::string ConfusionMatrix::table() const {
  struct Label {
    ClassId id;
    std::string name;
  };
  std::vector<Label> classes;
  for_each_class([&](ClassId c) {
    if (labels_ != nullptr && c < labels_->size()) {
      classes.push_back({c, labels_->name(c)});
    } else {
      classes.push_back({c, fmt::format("{}", c)});
    }
  });
  bool numeric = true;
  for (const auto& l : classes) {
    double v;
    numeric = numeric && parse_number(l.name, v);
  }
  std::stable_sort(classes.begin(), classes.end(), [numeric](const Label& a, const Label& b) {
    if (numeric) {
      double x = 0, y = 0;
      parse_number(a.name, x);
      parse_number(b.name, y);
      if (x != y) return x < y;
    }
    return a.name < b.name;
  });
  if (classes.empty()) return "";
  std::vector<Label> columns = classes;
  if (sum_col(kNoClass) != 0.0) columns.push_back({kNoClass, "(unseen)"});

  size_t label_width = 0, number_width = 0;
  for (const auto& row : classes) {
    label_width = std::max(label_width, row.name.size());
    for (const auto& col : columns) {
      number_width = std::max(number_width, format_count(count(row.id, col.id)).size());
    }
  }
  size_t width = std::max(label_width, number_width);
  for (const auto& col : columns) width = std::max(width, col.name.size());
  width += 2;
  std::string out = fmt::format("{:>{}}", "", label_width);
  for (const auto& col : columns) out += fmt::format("{:>{}}", col.name, width);
  for (const auto& row : classes) {
    out += fmt::format("\n{:>{}}", row.name, label_width);
    for (const auto& col : columns) {
      out += fmt::format("{:>{}}", format_count(count(row.id, col.id)), width);
    }
  }
  return out;
}

std::string ConfusionMatrix::report() const {
  if (n_classes() == 0) return fmt::format("{}: (empty)", name());
  return fmt::format("{}:\n{}", name(), table());
}

void ConfusionMatrix::save(StateWriter& out) const {
  out(static_cast<uint64_t>(slots_), data_, sum_row_, sum_col_, sum_diag_, total_);
}

void ConfusionMatrix::load(StateReader& in) {
  uint64_t slots = 0;
  in(slots, data_, sum_row_, sum_col_, sum_diag_, total_);
  slots_ = static_cast<size_t>(slots);
  if (data_.size() != slots_ * slots_ || sum_row_.size() != slots_ || sum_col_.size() != slots_) {
    throw cereal::Exception("ConfusionMatrix: inconsistent state");
  }
}

}  // namespace rivulet::ml
