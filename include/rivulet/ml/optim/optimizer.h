#pragma once
/// Optimizers for linear models, as River's `optim` module: `step(w, g)` moves the weights
/// against the gradient and counts one iteration.
/// Thread safety: none; each model owns its optimizer.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/state.h"

namespace rivulet::ml {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// The registry name, e.g. "optim.SGD".
  virtual std::string_view name() const = 0;
  /// A fresh optimizer with the same options and no state (multi-output models keep one each).
  virtual std::unique_ptr<Optimizer> clone_fresh() const = 0;
  /// Called before the gradient is computed (River's look_ahead); most optimizers do nothing.
  /// REQUIRES: w.size() >= x.index_bound().
  virtual void look_ahead(std::vector<double>& w, const Features& x) {
    (void)w;
    (void)x;
  }
  /// Updates w for each (index, gradient) pair of `gradient`, then counts one iteration.
  /// REQUIRES: w.size() >= gradient.index_bound().
  virtual void step(std::vector<double>& w, const Features& gradient) = 0;
  /// The learning rate the next step will use (River's `optimizer.learning_rate`).
  virtual double learning_rate() const = 0;
  uint64_t n_iterations() const { return n_iterations_; }

  virtual void save(StateWriter& out) const { out(n_iterations_); }
  virtual void load(StateReader& in) { in(n_iterations_); }

 protected:
  uint64_t n_iterations_ = 0;
};

}  // namespace rivulet::ml
