#pragma once
/// Concept-drift detectors, River's `drift` module: a detector reads one number at a time (an
/// error indicator 0/1, a loss, a measurement), and after each `update(x)` says whether it
/// detected a change in the stream's distribution (`drift_detected()`) and, for the detectors
/// that have one, whether it is in the warning zone before a drift (`warning_detected()`).
///
/// Detectors are values of the registry (kind "drift detector"), so ensembles and wrappers take
/// them in a spec: `forest.ARFClassifier(drift_detector=drift.ADWIN(delta=0.001))`.
/// Thread safety: none.

#include <memory>
#include <string_view>

#include "rivulet/core/state.h"

namespace rivulet::ml {

class DriftDetector {
 public:
  virtual ~DriftDetector() = default;
  /// The registry name, e.g. "drift.ADWIN".
  virtual std::string_view name() const = 0;
  /// Reads the next value of the monitored stream and updates the drift (and warning) state.
  virtual void update(double x) = 0;
  /// True when the last update() detected a drift.
  virtual bool drift_detected() const = 0;
  /// True when the last update() put the detector in its warning zone. Detectors without a
  /// warning zone return false.
  virtual bool warning_detected() const { return false; }
  /// Forgets everything learned: the detector is as created, with the same options.
  virtual void reset() = 0;
  /// A new detector with the same options and a fresh state (River's `clone()`).
  virtual std::unique_ptr<DriftDetector> clone() const = 0;
  /// Writes / restores the whole state (not the options).
  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;
};

}  // namespace rivulet::ml
