#pragma once
/// Incremental aggregate functions for windows, per-event rolling features (OVER ... RANGE
/// PRECEDING) and top-N, named as in Flink SQL: COUNT, COUNT(*), SUM, AVG, MIN, MAX, VAR_SAMP,
/// VAR_POP, STDDEV_SAMP, STDDEV_POP, FIRST_VALUE, LAST_VALUE, COUNT(DISTINCT x),
/// APPROX_COUNT_DISTINCT (HyperLogLog, p = 14), APPROX_PERCENTILE (KLL sketch, k = 200) and TOP_K
/// (Misra-Gries heavy hitters). User documentation: docs/aggregates.md.
///
/// An `Aggregate` is an accumulator: `add` a value (NULLs are skipped, as in SQL), `merge` another
/// accumulator of the same function (sliding windows combine panes; `other` holds events that come
/// after this one's, which matters for FIRST_VALUE/LAST_VALUE only), read `result()`, and, where
/// the math allows (`can_remove()`), `remove` a value added before (retraction for rolling
/// windows). `save`/`load` write the state for checkpoints.
///
/// Fixed-size accumulators allocate nothing per add; MIN/MAX/FIRST/LAST of strings copy the string
/// into a buffer they own (allocating only when it must grow); COUNT(DISTINCT) allocates per new
/// distinct value; the sketches allocate only when they grow.
/// Ownership: an accumulator owns its state; a string result points into the accumulator and is
/// valid until its next non-const call.
/// Thread safety: none; one accumulator per key and pane, driven by one thread.
/// ```cpp example
/// using rivulet::Value;
/// auto avg = rivulet::stream::make_aggregate("avg", rivulet::Type::kInt);
/// ASSERT_TRUE(avg.ok());
/// EXPECT_EQ((*avg)->result_type(), rivulet::Type::kDouble);
/// (*avg)->add(Value::of_int(1));
/// (*avg)->add(Value());  // NULL: skipped
/// (*avg)->add(Value::of_int(4));
/// EXPECT_EQ((*avg)->result(), Value::of_double(2.5));
/// ASSERT_TRUE((*avg)->remove(Value::of_int(4)).ok());
/// EXPECT_EQ((*avg)->result(), Value::of_double(1.0));
///
/// auto bad = rivulet::stream::make_aggregate("AVERAGE", rivulet::Type::kDouble);
/// EXPECT_EQ(bad.status().code(), rivulet::StatusCode::kInvalidArgument);
/// ```

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/core/value.h"

namespace rivulet::stream {

/// The aggregate functions, by their Flink SQL name.
enum class AggregateFunction : uint8_t {
  kCount,                ///< COUNT(x): non-NULL values, bigint
  kCountStar,            ///< COUNT(*): every row (NULLs too), bigint
  kSum,                  ///< SUM(x): of x's type; NULL when no value
  kAvg,                  ///< AVG(x): double; NULL when no value
  kMin,                  ///< MIN(x): of x's type
  kMax,                  ///< MAX(x)
  kVarSamp,              ///< VAR_SAMP(x) (alias VARIANCE): double, NULL below 2 values
  kVarPop,               ///< VAR_POP(x): double, NULL when no value
  kStddevSamp,           ///< STDDEV_SAMP(x) (alias STDDEV)
  kStddevPop,            ///< STDDEV_POP(x)
  kFirstValue,           ///< FIRST_VALUE(x): the first non-NULL value
  kLastValue,            ///< LAST_VALUE(x): the last non-NULL value
  kCountDistinct,        ///< COUNT(DISTINCT x): exact, bigint
  kApproxCountDistinct,  ///< APPROX_COUNT_DISTINCT(x): HyperLogLog, bigint
  kApproxPercentile,     ///< APPROX_PERCENTILE(x, p): KLL sketch, double
  kTopK,                 ///< TOP_K(x, k): Misra-Gries heavy hitters, string (JSON)
};

/// "COUNT", "COUNT(*)", "SUM", ... "TOP_K".
std::string_view aggregate_function_name(AggregateFunction function);

/// The arguments of an aggregate call beyond its input field.
struct AggregateArgs {
  bool star = false;        ///< COUNT(*). REQUIRES: only with COUNT.
  bool distinct = false;    ///< COUNT(DISTINCT x). REQUIRES: only with COUNT.
  double percentile = 0.5;  ///< APPROX_PERCENTILE's fraction. REQUIRES: in [0, 1].
  size_t top_k = 10;        ///< TOP_K's number of items reported. REQUIRES: in [1, 10000].
  uint64_t seed = 0;        ///< APPROX_PERCENTILE's compaction coin flips (deterministic).
  /// MIN/MAX for rolling windows: keep a monotonic deque so that remove() works when values
  /// leave in the order they were added (remove(x) removes the oldest value, which must be x).
  /// REQUIRES: only with MIN or MAX of bigint, double or boolean.
  bool fifo_remove = false;
};

/// The bytes a StateWriter writes for an arithmetic value (as it is in memory: the archive's
/// default options keep the machine's byte order) and for a string (its size as 8 bytes, then
/// its text), appended to `out` without the archive: Aggregate::append_state's, and snapshots
/// of many small values.
template <class T>
void append_state_value(std::string& out, T v) {
  static_assert(std::is_arithmetic_v<T>);
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof v);
}
inline void append_state_string(std::string& out, std::string_view text) {
  append_state_value(out, static_cast<uint64_t>(text.size()));
  out.append(text);
}

/// One accumulator of one aggregate function over values of one input type.
class Aggregate {
 public:
  virtual ~Aggregate() = default;

  virtual AggregateFunction function() const = 0;
  std::string_view name() const { return aggregate_function_name(function()); }
  /// The type of the values added (kNull for COUNT(*), which takes any).
  virtual Type input_type() const = 0;
  /// The type of result(); result() may also be NULL.
  virtual Type result_type() const = 0;

  /// Adds one value. NULL is skipped (COUNT(*) counts it). REQUIRES: v is NULL or of
  /// input_type() (a bigint is accepted where a double is expected).
  virtual void add(Value v) = 0;
  /// Whether remove() is supported: COUNT, COUNT(*), SUM, AVG, the variances and standard
  /// deviations, COUNT(DISTINCT x), and MIN/MAX made with AggregateArgs::fifo_remove (values
  /// removed in the order they were added). FIRST/LAST and plain MIN/MAX would need the values
  /// themselves; the sketches cannot forget.
  virtual bool can_remove() const { return false; }
  /// Undoes add(v) of a value added before. Returns kUnimplemented when !can_remove(), and
  /// kFailedPrecondition when v was not added (removing from an empty accumulator).
  virtual Status remove(Value v);
  /// Adds the values of `other` (events that come after this accumulator's). Returns
  /// kInvalidArgument when other is not the same function over the same input type (and, for
  /// the sketches, with the same parameters).
  virtual Status merge(const Aggregate& other) = 0;
  /// The current result (NULL where SQL gives NULL, e.g. SUM of no value).
  virtual Value result() const = 0;
  /// Not OK when the result cannot be represented: SUM of bigint beyond the bigint range gives
  /// kOutOfRange (result() is then NULL).
  virtual Status error() const { return {}; }
  /// Back to the state of a fresh accumulator (small buffers are kept for reuse).
  virtual void reset() = 0;
  /// An independent copy, state included.
  virtual std::unique_ptr<Aggregate> clone() const = 0;

  /// Writes the state (not the function or types, which the caller knows).
  virtual void save(StateWriter& out) const = 0;
  /// Appends to `out` exactly the bytes save() writes, without the archive (a million
  /// windows' counts and sums in a snapshot: the archive's calls were a third of its time).
  /// COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE and COUNT(DISTINCT); false (nothing
  /// appended) for the others, which save() then writes.
  virtual bool append_state(std::string& out) const {
    (void)out;
    return false;
  }
  /// Reads a state written by save() of the same function and types. Returns kDataLoss for
  /// truncated or corrupt bytes (the accumulator is then reset).
  Status load(StateReader& in);

 protected:
  virtual void load_state(StateReader& in) = 0;  // throws on corrupt bytes
};

/// Resolves `name` (case-insensitive: "avg", "COUNT", "count(*)", "VARIANCE", ...) over values
/// of `input` (the argument's type; ignored for COUNT(*)) to a fresh accumulator. Returns
/// kInvalidArgument for an unknown name ("unknown aggregate function 'AVGG' (did you mean
/// 'AVG'?); valid: COUNT, ..."), a type the function does not take ("SUM expects a number, got
/// string"), or arguments out of range.
Result<std::unique_ptr<Aggregate>> make_aggregate(std::string_view name, Type input,
                                                  const AggregateArgs& args = {});

/// The names make_aggregate accepts, aliases included.
const std::vector<std::string_view>& aggregate_names();

// ---- The sketches, usable on their own ----------------------------------------------------

/// 64-bit hash of a value for the sketches (XXH3 of its bytes; -0.0 hashes as 0.0 and all NaNs
/// alike; a bigint and the equal double hash differently). Stable across machines and releases.
uint64_t hash_value(Value v);

/// HyperLogLog (Flajolet et al. 2007) with 2^p registers over 64-bit hashes, estimated with
/// Ertl's improved estimator (Ertl 2017, "New cardinality estimation algorithms for HyperLogLog
/// sketches"), which is unbiased over the whole range without HLL++'s empirical bias tables.
/// Relative standard error 1.04 / sqrt(2^p): 0.81% at p = 14. Starts sparse (a sorted list of
/// (register, rank) pairs, exact same estimate) and turns dense (2^p bytes) past 2^p / 16 pairs.
/// Mergeable: the union of two sketches of the same p.
class HyperLogLog {
 public:
  static constexpr int kDefaultPrecision = 14;
  /// REQUIRES: 4 <= precision <= 18.
  explicit HyperLogLog(int precision = kDefaultPrecision);

  void add_hash(uint64_t hash);
  /// REQUIRES: other.precision() == precision().
  void merge(const HyperLogLog& other);
  double estimate() const;
  int precision() const { return p_; }
  bool is_sparse() const { return dense_.empty(); }
  void reset();

  void save(StateWriter& out) const;
  void load(StateReader& in);  // throws on corrupt bytes

 private:
  void densify();
  void set_register(uint32_t index, uint8_t rank);

  int p_;
  std::vector<uint32_t> sparse_;  // sorted by index: index << 8 | rank
  std::vector<uint8_t> dense_;    // 2^p registers once dense
};

/// KLL quantile sketch (Karnin, Lang, Liberty 2016) as in Apache DataSketches: compactors with
/// capacities shrinking by 2/3 per level below the top, k = 200 by default. Normalized rank error
/// about 1.33% (99% confidence, DataSketches' figure for k = 200); min and max are exact. The
/// compaction coin flips come from a seeded generator kept in the state, so runs are reproducible.
/// Mergeable; allocates only when a level grows.
class KllSketch {
 public:
  static constexpr uint32_t kDefaultK = 200;
  /// REQUIRES: 8 <= k <= 65535.
  explicit KllSketch(uint32_t k = kDefaultK, uint64_t seed = 0);

  /// NaN is ignored.
  void add(double x);
  /// REQUIRES: other.k() == k().
  void merge(const KllSketch& other);
  /// The value whose normalized rank is q (0 = min, 1 = max). NaN when empty. REQUIRES: 0<=q<=1.
  double quantile(double q) const;
  /// Estimated fraction of values <= x.
  double rank(double x) const;
  uint64_t count() const { return n_; }
  uint32_t k() const { return k_; }
  /// Values retained (memory use).
  size_t retained() const;
  void reset();

  void save(StateWriter& out) const;
  void load(StateReader& in);  // throws on corrupt bytes

 private:
  size_t capacity(size_t level) const { return caps_[level]; }
  void add_level();
  void compress();
  void sorted_view() const;

  uint32_t k_;
  uint64_t seed_;
  uint64_t rng_;
  uint64_t n_ = 0;
  double min_ = 0;
  double max_ = 0;
  std::vector<std::vector<double>> levels_;
  std::vector<size_t> caps_;  // capacity of each level, recomputed when a level is added
  size_t total_capacity_ = 0;
  size_t retained_ = 0;
  mutable std::vector<std::pair<double, uint64_t>> view_;  // (value, weight) for queries
};

/// Misra-Gries frequent items (Misra, Gries 1982), mergeable as in Agarwal et al. 2012
/// ("Mergeable summaries"): at most `capacity` counters; an item's estimate is a lower bound of
/// its true count and undercounts by at most `max_error()` <= n / (capacity + 1). Items are byte
/// strings (see AggregateFunction::kTopK for values).
class MisraGries {
 public:
  /// REQUIRES: capacity >= 1.
  explicit MisraGries(size_t capacity);

  void add(std::string_view item, uint64_t count = 1);
  void merge(const MisraGries& other);
  /// The estimate of `item` (0 when not tracked).
  uint64_t estimate(std::string_view item) const;
  /// Upper bound of (true count - estimate) for every item.
  uint64_t max_error() const { return error_; }
  uint64_t total() const { return n_; }
  size_t capacity() const { return capacity_; }
  /// The tracked items by decreasing estimate (ties by item bytes), at most `k`.
  std::vector<std::pair<std::string, uint64_t>> top(size_t k) const;
  void reset();

  void save(StateWriter& out) const;
  void load(StateReader& in);  // throws on corrupt bytes

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  void shrink_to_capacity();

  size_t capacity_;
  uint64_t n_ = 0;
  uint64_t error_ = 0;
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> counters_;
  std::vector<uint64_t> scratch_;
};

}  // namespace rivulet::stream
