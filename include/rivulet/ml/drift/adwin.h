#pragma once
/// ADaptive WINdowing, River's `drift.ADWIN(delta=0.002)` (River 0.12.1; the later keyword
/// arguments clock, max_buckets, min_window_length and grace_period are accepted with River's
/// fixed values as defaults). The window is kept as an exponential histogram of buckets: row r
/// holds up to max_buckets summaries (total, variance) of 2^r values each; a row that overflows
/// merges its two oldest buckets into the next row. Every `clock` updates, once the window is
/// longer than grace_period, every cut point W0 | W1 between buckets (oldest first) is tested
/// with Hoeffding's bound on the difference of the means, and the oldest bucket is dropped while
/// a cut holds. As in River 0.12: the newest bucket of each row is never a cut point, and the
/// update after a detection starts from an empty window (River resets every drift detector
/// after a drift).
/// Storage for 16 rows (windows of up to 327,675 values, about 1.6 kB) is made at creation and
/// kept across resets, so updates allocate only when a window outgrows it (then rows double).
/// Thread safety: none.
/// Reference: A. Bifet, R. Gavalda, "Learning from time-changing data with adaptive
/// windowing", SIAM SDM 2007.
/// ```cpp example
/// auto adwin = rivulet::ml::ADWIN::create({}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   adwin->update(i < 1000 ? (i % 2) : 4 + (i % 4));  // mean 0.5, then 5.5
///   if (adwin->drift_detected()) first = i;
/// }
/// EXPECT_EQ(first, 1023);  // checked every 32 updates: the first check after the change
/// EXPECT_LT(adwin->width(), 1000.0);  // the old values were dropped
/// ```

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class ADWIN final : public DriftDetector {
 public:
  struct Options {
    double delta = 0.002;     ///< Significance of the cut test. REQUIRES: 0 < delta < 1.
    int64_t clock = 32;       ///< Cut points are tested every `clock` updates. REQUIRES: >= 1.
    int64_t max_buckets = 5;  ///< Buckets per row before two merge. REQUIRES: >= 2.
    int64_t min_window_length = 5;  ///< Least length of W0 and W1 at a cut. REQUIRES: >= 1.
    int64_t grace_period = 10;      ///< No test until the window is longer. REQUIRES: >= 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<ADWIN>> create(Options options);
  static Result<std::unique_ptr<ADWIN>> from_params(Params& p);
  explicit ADWIN(Options options);

  std::string_view name() const override { return "drift.ADWIN"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// Number of values in the window.
  double width() const { return width_; }
  /// Sum of the values in the window.
  double total() const { return total_; }
  /// Sum of squared deviations from the window's mean (River's `variance`, not divided by width).
  double variance() const { return variance_; }
  /// Mean of the window, 0 when it is empty.
  double estimation() const { return width_ == 0.0 ? 0.0 : total_ / width_; }
  /// Drifts detected since the last reset (0 or 1 in River 0.12, which resets after a drift).
  int64_t n_detections() const { return n_detections_; }
  const Options& options() const { return options_; }

 private:
  // Row r: buckets_[r * stride_ + i] for i < counts_[r]; index 0 is the oldest.
  struct Bucket {
    double total;
    double variance;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(total, variance);
    }
  };
  void clear_state();
  bool insert_and_detect(double value);
  void insert(double value);
  void compress();
  bool detect_change();
  bool cut_holds(double n0, double n1, double delta_mean) const;
  double delete_oldest();
  void add_row();
  Bucket* row(size_t r) { return buckets_.data() + r * stride_; }
  const Bucket* row(size_t r) const { return buckets_.data() + r * stride_; }

  Options options_;
  size_t stride_;
  std::vector<Bucket> buckets_;  // capacity kept across resets
  std::vector<int32_t> counts_;  // per allocated row
  size_t n_rows_ = 1;            // rows in use; row 0 always exists
  double width_ = 0.0;
  double total_ = 0.0;
  double variance_ = 0.0;
  int64_t tick_ = 0;
  int64_t n_detections_ = 0;
  bool drift_detected_ = false;
};

}  // namespace rivulet::ml
