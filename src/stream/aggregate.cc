// The exact aggregates, the sketch-backed ones, and make_aggregate. The sketches themselves are
// in aggregate_sketches.cc.

#include "rivulet/stream/aggregate.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <typeinfo>

#include "rivulet/core/schema.h"

namespace rivulet::stream {

std::string_view aggregate_function_name(AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kCount:
      return "COUNT";
    case AggregateFunction::kCountStar:
      return "COUNT(*)";
    case AggregateFunction::kSum:
      return "SUM";
    case AggregateFunction::kAvg:
      return "AVG";
    case AggregateFunction::kMin:
      return "MIN";
    case AggregateFunction::kMax:
      return "MAX";
    case AggregateFunction::kVarSamp:
      return "VAR_SAMP";
    case AggregateFunction::kVarPop:
      return "VAR_POP";
    case AggregateFunction::kStddevSamp:
      return "STDDEV_SAMP";
    case AggregateFunction::kStddevPop:
      return "STDDEV_POP";
    case AggregateFunction::kFirstValue:
      return "FIRST_VALUE";
    case AggregateFunction::kLastValue:
      return "LAST_VALUE";
    case AggregateFunction::kCountDistinct:
      return "COUNT(DISTINCT)";
    case AggregateFunction::kApproxCountDistinct:
      return "APPROX_COUNT_DISTINCT";
    case AggregateFunction::kApproxPercentile:
      return "APPROX_PERCENTILE";
    case AggregateFunction::kTopK:
      return "TOP_K";
  }
  return "?";
}

Status Aggregate::remove(Value v) {
  (void)v;
  return Status::unimplemented(std::string(name()) +
                               " cannot remove a value (it would need the values themselves)");
}

Status Aggregate::load(StateReader& in) {
  try {
    load_state(in);
  } catch (const std::exception& e) {
    reset();
    return Status::data_loss(std::string(name()) + " state: " + e.what());
  }
  return {};
}

namespace {

// ---- Helpers -------------------------------------------------------------------------------

// Bytes that identify a value of a known type (COUNT(DISTINCT), TOP_K): 8 bytes for numbers
// (-0.0 as 0.0, one NaN), 1 for booleans, the bytes of a string.
void encode_key(Value v, std::string& out) {
  out.clear();
  switch (v.type()) {
    case Type::kNull:
      return;
    case Type::kBool:
      out.push_back(v.as_bool() ? 1 : 0);
      return;
    case Type::kInt: {
      const int64_t i = v.as_int();
      out.append(reinterpret_cast<const char*>(&i), sizeof i);
      return;
    }
    case Type::kDouble: {
      double d = v.as_double();
      if (d == 0) d = 0;
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      out.append(reinterpret_cast<const char*>(&d), sizeof d);
      return;
    }
    case Type::kString:
      out.append(v.as_string());
      return;
  }
}

Value decode_key(Type type, std::string_view key) {
  switch (type) {
    case Type::kBool:
      return Value::of_bool(!key.empty() && key[0] != 0);
    case Type::kInt: {
      int64_t i = 0;
      std::memcpy(&i, key.data(), std::min(key.size(), sizeof i));
      return Value::of_int(i);
    }
    case Type::kDouble: {
      double d = 0;
      std::memcpy(&d, key.data(), std::min(key.size(), sizeof d));
      return Value::of_double(d);
    }
    case Type::kString:
      return Value::of_string(key);
    case Type::kNull:
      break;
  }
  return Value();
}

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return static_cast<size_t>(XXH3_64bits(s.data(), s.size()));
  }
};
using KeyCounts = std::unordered_map<std::string, uint64_t, KeyHash, std::equal_to<>>;

// A value of a double input: bigints are accepted and converted.
inline double as_number(Value v) { return v.to_double(); }

// Total order of Java's compareTo, which Flink's MIN/MAX use: -0.0 < 0.0, NaN above everything.
bool less_double(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  if (a < b) return true;
  return a == b && std::signbit(a) && !std::signbit(b);
}

// 128-bit integers (GCC and Clang); __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Kahan-Babuska-Neumaier compensated sum: retraction (adding -x) stays accurate.
struct CompensatedSum {
  double sum = 0;
  double comp = 0;
  void add(double x) {
    const double t = sum + x;
    if (std::abs(sum) >= std::abs(x)) {
      comp += (sum - t) + x;
    } else {
      comp += (x - t) + sum;
    }
    sum = t;
  }
  double value() const { return sum + comp; }
};

// Base with the bookkeeping shared by every aggregate.
template <class Derived>
class AggregateBase : public Aggregate {
 public:
  AggregateBase(AggregateFunction function, Type input) : function_(function), input_(input) {}
  AggregateFunction function() const override { return function_; }
  Type input_type() const override { return input_; }
  std::unique_ptr<Aggregate> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  Status merge(const Aggregate& other) override {
    // typeid of a final class: a pointer comparison, cheaper than dynamic_cast when merging the
    // panes of every window.
    const auto* same =
        typeid(other) == typeid(Derived) ? static_cast<const Derived*>(&other) : nullptr;
    if (same == nullptr || other.function() != function_ || other.input_type() != input_) {
      return Status::invalid_argument("cannot merge " + std::string(other.name()) + " of " +
                                      std::string(type_name(other.input_type())) + " into " +
                                      std::string(name()) + " of " +
                                      std::string(type_name(input_)));
    }
    return static_cast<Derived*>(this)->merge_same(*same);
  }

 protected:
  AggregateFunction function_;
  Type input_;
};

// ---- COUNT, COUNT(*) -----------------------------------------------------------------------

class CountAggregate final : public AggregateBase<CountAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return Type::kInt; }
  void add(Value v) override {
    if (function_ == AggregateFunction::kCountStar || !v.is_null()) ++n_;
  }
  bool can_remove() const override { return true; }
  Status remove(Value v) override {
    if (function_ != AggregateFunction::kCountStar && v.is_null()) return {};
    if (n_ == 0) return Status::failed_precondition("COUNT: remove from an empty count");
    --n_;
    return {};
  }
  Status merge_same(const CountAggregate& other) {
    n_ += other.n_;
    return {};
  }
  Value result() const override { return Value::of_int(n_); }
  void reset() override { n_ = 0; }
  void save(StateWriter& out) const override { out(n_); }
  bool append_state(std::string& out) const override {
    append_state_value(out, n_);
    return true;
  }

 protected:
  void load_state(StateReader& in) override {
    int64_t n = 0;
    in(n);
    if (n < 0) throw cereal::Exception("negative count");
    n_ = n;
  }

 private:
  int64_t n_ = 0;
};

// ---- SUM, AVG ------------------------------------------------------------------------------

// Sums bigints in 128 bits (exact: no overflow before 2^64 additions), so that an intermediate
// overflow that later values or retractions undo is harmless; sums doubles with compensation.
class SumAggregate final : public AggregateBase<SumAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override {
    return function_ == AggregateFunction::kSum ? input_ : Type::kDouble;
  }
  void add(Value v) override {
    if (v.is_null()) return;
    ++n_;
    if (input_ == Type::kInt) {
      int_sum_ += v.as_int();
    } else {
      sum_.add(as_number(v));
    }
  }
  bool can_remove() const override { return true; }
  Status remove(Value v) override {
    if (v.is_null()) return {};
    if (n_ == 0) return Status::failed_precondition(std::string(name()) + ": remove from empty");
    if (--n_ == 0) {
      reset();
      return {};
    }
    if (input_ == Type::kInt) {
      int_sum_ -= v.as_int();
    } else {
      sum_.add(-as_number(v));
    }
    return {};
  }
  Status merge_same(const SumAggregate& other) {
    n_ += other.n_;
    int_sum_ += other.int_sum_;
    sum_.add(other.sum_.sum);
    sum_.add(other.sum_.comp);
    return {};
  }
  Value result() const override {
    if (n_ == 0) return Value();
    if (input_ == Type::kInt) {
      if (function_ == AggregateFunction::kAvg) {
        return Value::of_double(static_cast<double>(int_sum_) / static_cast<double>(n_));
      }
      if (!fits_bigint()) return Value();
      return Value::of_int(static_cast<int64_t>(int_sum_));
    }
    const double s = sum_.value();
    return Value::of_double(function_ == AggregateFunction::kAvg ? s / static_cast<double>(n_) : s);
  }
  Status error() const override {
    if (function_ == AggregateFunction::kSum && input_ == Type::kInt && n_ > 0 && !fits_bigint()) {
      return Status::out_of_range(
          "SUM overflows bigint (its sum is beyond +/-9223372036854775807); use "
          "SUM(CAST(x AS double))");
    }
    return {};
  }
  void reset() override {
    n_ = 0;
    int_sum_ = 0;
    sum_ = {};
  }
  void save(StateWriter& out) const override {
    const auto u = static_cast<UInt128>(int_sum_);
    out(n_, static_cast<uint64_t>(u >> 64), static_cast<uint64_t>(u), sum_.sum, sum_.comp);
  }
  bool append_state(std::string& out) const override {
    const auto u = static_cast<UInt128>(int_sum_);
    append_state_value(out, n_);
    append_state_value(out, static_cast<uint64_t>(u >> 64));
    append_state_value(out, static_cast<uint64_t>(u));
    append_state_value(out, sum_.sum);
    append_state_value(out, sum_.comp);
    return true;
  }

 protected:
  void load_state(StateReader& in) override {
    int64_t n = 0;
    uint64_t hi = 0;
    uint64_t lo = 0;
    CompensatedSum s;
    in(n, hi, lo, s.sum, s.comp);
    if (n < 0) throw cereal::Exception("negative count");
    n_ = n;
    int_sum_ = static_cast<Int128>(static_cast<UInt128>(hi) << 64 | lo);
    sum_ = s;
  }

 private:
  bool fits_bigint() const {
    return int_sum_ >= std::numeric_limits<int64_t>::min() &&
           int_sum_ <= std::numeric_limits<int64_t>::max();
  }

  int64_t n_ = 0;
  Int128 int_sum_ = 0;
  CompensatedSum sum_;
};

// ---- VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP --------------------------------------------

// Welford's updates, their inverse for remove, and Chan et al.'s pairwise formula for merge.
class MomentsAggregate final : public AggregateBase<MomentsAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return Type::kDouble; }
  void add(Value v) override {
    if (v.is_null()) return;
    const double x = as_number(v);
    ++n_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (x - mean_);
  }
  bool can_remove() const override { return true; }
  Status remove(Value v) override {
    if (v.is_null()) return {};
    if (n_ == 0) return Status::failed_precondition(std::string(name()) + ": remove from empty");
    if (n_ == 1) {
      reset();
      return {};
    }
    const double x = as_number(v);
    const double old_mean = mean_;
    --n_;
    mean_ -= (x - old_mean) / static_cast<double>(n_);
    m2_ = std::max(0.0, m2_ - (x - old_mean) * (x - mean_));
    return {};
  }
  Status merge_same(const MomentsAggregate& other) {
    if (other.n_ == 0) return {};
    if (n_ == 0) {
      n_ = other.n_;
      mean_ = other.mean_;
      m2_ = other.m2_;
      return {};
    }
    const auto na = static_cast<double>(n_);
    const auto nb = static_cast<double>(other.n_);
    const double n = na + nb;
    const double d = other.mean_ - mean_;
    mean_ += d * nb / n;
    m2_ += other.m2_ + d * d * na * nb / n;
    n_ += other.n_;
    return {};
  }
  Value result() const override {
    const bool sample =
        function_ == AggregateFunction::kVarSamp || function_ == AggregateFunction::kStddevSamp;
    const bool stddev =
        function_ == AggregateFunction::kStddevSamp || function_ == AggregateFunction::kStddevPop;
    if (n_ == 0 || (sample && n_ < 2)) return Value();
    const double var = m2_ / static_cast<double>(sample ? n_ - 1 : n_);
    return Value::of_double(stddev ? std::sqrt(var) : var);
  }
  void reset() override {
    n_ = 0;
    mean_ = 0;
    m2_ = 0;
  }
  void save(StateWriter& out) const override { out(n_, mean_, m2_); }

 protected:
  void load_state(StateReader& in) override {
    int64_t n = 0;
    double mean = 0;
    double m2 = 0;
    in(n, mean, m2);
    if (n < 0 || !(m2 >= 0)) throw cereal::Exception("corrupt moments");
    n_ = n;
    mean_ = mean;
    m2_ = m2;
  }

 private:
  int64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
};

// ---- MIN, MAX, FIRST_VALUE, LAST_VALUE -----------------------------------------------------

// One value of the input type; a string is copied into `text_` (which keeps its capacity).
class HeldValue {
 public:
  bool has() const { return has_; }
  Value get(Type type) const {
    if (!has_) return Value();
    return type == Type::kString ? Value::of_string(text_) : value_;
  }
  void set(Type type, Value v) {
    has_ = true;
    if (type == Type::kString) {
      text_.assign(v.as_string());
    } else if (type == Type::kDouble) {
      value_ = Value::of_double(as_number(v));
    } else {
      value_ = v;
    }
  }
  void clear() { has_ = false; }
  void save(StateWriter& out, Type type) const {
    uint64_t bits = 0;
    if (type == Type::kInt || type == Type::kBool) bits = static_cast<uint64_t>(value_.as_int());
    if (type == Type::kDouble) std::memcpy(&bits, &value_, sizeof bits);
    out(has_, bits, type == Type::kString && has_ ? text_ : std::string());
  }
  void append(std::string& out, Type type) const {
    uint64_t bits = 0;
    if (type == Type::kInt || type == Type::kBool) bits = static_cast<uint64_t>(value_.as_int());
    if (type == Type::kDouble) std::memcpy(&bits, &value_, sizeof bits);
    append_state_value(out, has_);
    append_state_value(out, bits);
    append_state_string(out, type == Type::kString && has_ ? std::string_view(text_) : std::string_view());
  }
  void load(StateReader& in, Type type) {
    bool has = false;
    uint64_t bits = 0;
    std::string text;
    in(has, bits, text);
    has_ = has;
    text_ = std::move(text);
    if (type == Type::kInt) value_ = Value::of_int(static_cast<int64_t>(bits));
    if (type == Type::kBool) value_ = Value::of_bool(bits != 0);
    if (type == Type::kDouble) {
      double d = 0;
      std::memcpy(&d, &bits, sizeof d);
      value_ = Value::of_double(d);
    }
  }

 private:
  bool has_ = false;
  Value value_;
  std::string text_;
};

bool value_less(Type type, Value a, Value b) {
  switch (type) {
    case Type::kInt:
      return a.as_int() < b.as_int();
    case Type::kDouble:
      return less_double(a.to_double(), b.to_double());
    case Type::kBool:
      return !a.as_bool() && b.as_bool();
    case Type::kString:
      return a.as_string() < b.as_string();
    case Type::kNull:
      return false;
  }
  return false;
}

class PickAggregate final : public AggregateBase<PickAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return input_; }
  void add(Value v) override {
    if (v.is_null()) return;
    switch (function_) {
      case AggregateFunction::kMin:
        if (!held_.has() || value_less(input_, v, held_.get(input_))) held_.set(input_, v);
        break;
      case AggregateFunction::kMax:
        if (!held_.has() || value_less(input_, held_.get(input_), v)) held_.set(input_, v);
        break;
      case AggregateFunction::kFirstValue:
        if (!held_.has()) held_.set(input_, v);
        break;
      default:
        held_.set(input_, v);
        break;
    }
  }
  Status merge_same(const PickAggregate& other) {
    add(other.result());
    return {};
  }
  Value result() const override { return held_.get(input_); }
  void reset() override { held_.clear(); }
  void save(StateWriter& out) const override { held_.save(out, input_); }
  bool append_state(std::string& out) const override {
    held_.append(out, input_);
    return true;
  }

 protected:
  void load_state(StateReader& in) override { held_.load(in, input_); }

 private:
  HeldValue held_;
};

// MIN/MAX with removal of the oldest value: a monotonic deque of (sequence number, value) in a
// ring buffer. Each value that can still become the extremum is kept; a new value drops from the
// back those it dominates (amortized O(1)); removing the oldest value pops the front when it is
// that value.
class RollingExtremumAggregate final : public AggregateBase<RollingExtremumAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return input_; }
  void add(Value v) override {
    if (v.is_null()) return;
    push(added_++, input_ == Type::kDouble ? Value::of_double(as_number(v)) : v);
  }
  bool can_remove() const override { return true; }
  Status remove(Value v) override {
    if (v.is_null()) return {};
    if (removed_ == added_) {
      return Status::failed_precondition(std::string(name()) + ": remove from empty");
    }
    const uint64_t seq = removed_++;
    if (size_ > 0 && at(0).seq == seq) {
      head_ = (head_ + 1) & (ring_.size() - 1);
      --size_;
    }
    return {};
  }
  Status merge_same(const RollingExtremumAggregate& other) {
    if (&other == this) {
      const RollingExtremumAggregate copy = other;
      return merge_same(copy);
    }
    for (size_t i = 0; i < other.size_; ++i) {
      const Entry& e = other.at(i);
      push(added_ + (e.seq - other.removed_), e.value);
    }
    added_ += other.added_ - other.removed_;
    return {};
  }
  Value result() const override { return size_ == 0 ? Value() : at(0).value; }
  void reset() override {
    added_ = removed_ = 0;
    head_ = size_ = 0;
  }
  void save(StateWriter& out) const override {
    std::vector<std::pair<uint64_t, uint64_t>> entries;
    for (size_t i = 0; i < size_; ++i) {
      uint64_t bits = 0;
      const Value v = at(i).value;
      if (input_ == Type::kDouble) {
        const double d = v.as_double();
        std::memcpy(&bits, &d, sizeof bits);
      } else {
        bits = static_cast<uint64_t>(v.as_int());
      }
      entries.emplace_back(at(i).seq, bits);
    }
    out(added_, removed_, entries);
  }

 protected:
  void load_state(StateReader& in) override {
    uint64_t added = 0;
    uint64_t removed = 0;
    std::vector<std::pair<uint64_t, uint64_t>> entries;
    in(added, removed, entries);
    if (removed > added || entries.size() > added - removed) {
      throw cereal::Exception("corrupt rolling extremum");
    }
    reset();
    for (const auto& [seq, bits] : entries) {
      if (seq < removed || seq >= added) throw cereal::Exception("corrupt rolling extremum");
      Value v;
      if (input_ == Type::kDouble) {
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        v = Value::of_double(d);
      } else if (input_ == Type::kBool) {
        v = Value::of_bool(bits != 0);
      } else {
        v = Value::of_int(static_cast<int64_t>(bits));
      }
      push(seq, v);
    }
    added_ = added;
    removed_ = removed;
  }

 private:
  struct Entry {
    uint64_t seq;
    Value value;
  };
  const Entry& at(size_t i) const { return ring_[(head_ + i) & (ring_.size() - 1)]; }
  // Whether `kept` still matters once `incoming` (later) is there: strictly better than it.
  bool keeps(Value kept, Value incoming) const {
    return function_ == AggregateFunction::kMin ? value_less(input_, kept, incoming)
                                                : value_less(input_, incoming, kept);
  }
  void push(uint64_t seq, Value v) {
    while (size_ > 0 && !keeps(at(size_ - 1).value, v)) --size_;
    if (size_ == ring_.size()) grow();
    ring_[(head_ + size_) & (ring_.size() - 1)] = Entry{seq, v};
    ++size_;
  }
  void grow() {
    std::vector<Entry> bigger(std::max<size_t>(16, ring_.size() * 2));
    for (size_t i = 0; i < size_; ++i) bigger[i] = at(i);
    ring_ = std::move(bigger);
    head_ = 0;
  }

  uint64_t added_ = 0;       // non-NULL values added (the next sequence number)
  uint64_t removed_ = 0;     // non-NULL values removed
  std::vector<Entry> ring_;  // power-of-two size
  size_t head_ = 0;
  size_t size_ = 0;
};

// ---- COUNT(DISTINCT x) ---------------------------------------------------------------------

// Each distinct value (its key bytes) with its multiplicity, so that remove works too. While
// there are few, in a vector sorted by key: the usual case of a rolling window per key (a card's
// countries in the last hour), where a hash map's separate nodes cost a cache miss each to walk
// at every snapshot, and a page to write each. Past kSmall, in a hash map, until it empties.
class CountDistinctAggregate final : public AggregateBase<CountDistinctAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return Type::kInt; }
  void add(Value v) override {
    if (v.is_null()) return;
    encode(v);
    bump(key_, 1);
  }
  bool can_remove() const override { return true; }
  Status remove(Value v) override {
    if (v.is_null()) return {};
    encode(v);
    if (big_.empty()) {
      const auto it = find_small(key_);
      if (it == small_.end() || it->first != key_) return never_added();
      if (--it->second == 0) small_.erase(it);
      return {};
    }
    const auto it = big_.find(std::string_view(key_));
    if (it == big_.end()) return never_added();
    if (--it->second == 0) big_.erase(it);
    return {};
  }
  Status merge_same(const CountDistinctAggregate& other) {
    for (const auto& [key, c] : other.small_) bump(key, c);
    for (const auto& [key, c] : other.big_) bump(key, c);
    return {};
  }
  Value result() const override {
    return Value::of_int(static_cast<int64_t>(small_.size() + big_.size()));
  }
  void reset() override {
    small_.clear();
    big_.clear();
  }
  // The bytes of a std::vector<std::pair<std::string, uint64_t>> sorted by value (what
  // load_state reads): the small vector as it is, or the map's entries sorted in place (no copy
  // of the strings). Keys are distinct, so sorted by value is sorted by key.
  void save(StateWriter& out) const override {
    std::string bytes;
    append_state(bytes);
    out(cereal::binary_data(bytes.data(), bytes.size()));
  }
  bool append_state(std::string& out) const override {
    const auto put = [&out](std::string_view key, uint64_t count) {
      append_state_string(out, key);
      append_state_value(out, count);
    };
    if (big_.empty()) {
      append_state_value(out, static_cast<uint64_t>(small_.size()));
      for (const auto& [key, count] : small_) put(key, count);
      return true;
    }
    std::vector<const KeyCounts::value_type*> items;
    items.reserve(big_.size());
    for (const auto& item : big_) items.push_back(&item);
    std::sort(items.begin(), items.end(), [](const auto* a, const auto* b) { return *a < *b; });
    append_state_value(out, static_cast<uint64_t>(items.size()));
    for (const auto* item : items) put(item->first, item->second);
    return true;
  }

 protected:
  void load_state(StateReader& in) override {
    std::vector<Entry> items;
    in(items);
    reset();
    // Sorted as save writes them; sorted here too, so that bytes written otherwise load the same.
    std::sort(items.begin(), items.end());
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].second == 0 || (i > 0 && items[i].first == items[i - 1].first)) {
        throw cereal::Exception("corrupt distinct values");
      }
    }
    if (items.size() <= kSmall) {
      small_ = std::move(items);
    } else {
      big_.reserve(items.size());
      for (auto& [key, c] : items) big_.emplace(std::move(key), c);
    }
  }

 private:
  using Entry = std::pair<std::string, uint64_t>;
  static constexpr size_t kSmall = 16;

  static Status never_added() {
    return Status::failed_precondition("COUNT(DISTINCT): remove of a value never added");
  }
  std::vector<Entry>::iterator find_small(std::string_view key) {
    return std::lower_bound(small_.begin(), small_.end(), key,
                            [](const Entry& e, std::string_view k) { return e.first < k; });
  }
  // Adds `count` to the multiplicity of `key`.
  void bump(std::string_view key, uint64_t count) {
    if (big_.empty()) {
      const auto it = find_small(key);
      if (it != small_.end() && it->first == key) {
        it->second += count;
        return;
      }
      if (small_.size() < kSmall) {
        small_.emplace(it, std::string(key), count);
        return;
      }
      big_.reserve(2 * kSmall);  // one distinct value too many: to the map
      for (auto& [k, c] : small_) big_.emplace(std::move(k), c);
      small_.clear();
      small_.shrink_to_fit();
    }
    const auto it = big_.find(key);
    if (it != big_.end()) {
      it->second += count;
    } else {
      big_.emplace(std::string(key), count);
    }
  }
  void encode(Value v) {
    encode_key(input_ == Type::kDouble ? Value::of_double(as_number(v)) : v, key_);
  }
  std::vector<Entry> small_;  // sorted by key; while big_ is empty
  KeyCounts big_;
  std::string key_;  // scratch: the key of the value being added
};

// ---- APPROX_COUNT_DISTINCT -----------------------------------------------------------------

class ApproxCountDistinctAggregate final : public AggregateBase<ApproxCountDistinctAggregate> {
 public:
  using AggregateBase::AggregateBase;
  Type result_type() const override { return Type::kInt; }
  void add(Value v) override {
    if (v.is_null()) return;
    hll_.add_hash(hash_value(input_ == Type::kDouble ? Value::of_double(as_number(v)) : v));
  }
  Status merge_same(const ApproxCountDistinctAggregate& other) {
    hll_.merge(other.hll_);
    return {};
  }
  Value result() const override { return Value::of_int(std::llround(hll_.estimate())); }
  void reset() override { hll_.reset(); }
  void save(StateWriter& out) const override { hll_.save(out); }

 protected:
  void load_state(StateReader& in) override { hll_.load(in); }

 private:
  HyperLogLog hll_;
};

// ---- APPROX_PERCENTILE ---------------------------------------------------------------------

class PercentileAggregate final : public AggregateBase<PercentileAggregate> {
 public:
  PercentileAggregate(AggregateFunction f, Type input, double p, uint64_t seed)
      : AggregateBase(f, input), p_(p), kll_(KllSketch::kDefaultK, seed) {}
  Type result_type() const override { return Type::kDouble; }
  void add(Value v) override {
    if (!v.is_null()) kll_.add(as_number(v));
  }
  Status merge_same(const PercentileAggregate& other) {
    if (other.p_ != p_) {
      return Status::invalid_argument("cannot merge APPROX_PERCENTILE of different fractions");
    }
    kll_.merge(other.kll_);
    return {};
  }
  Value result() const override {
    if (kll_.count() == 0) return Value();
    return Value::of_double(kll_.quantile(p_));
  }
  void reset() override { kll_.reset(); }
  void save(StateWriter& out) const override { kll_.save(out); }

 protected:
  void load_state(StateReader& in) override { kll_.load(in); }

 private:
  double p_;
  KllSketch kll_;
};

// ---- TOP_K ---------------------------------------------------------------------------------

void append_json(std::string& out, Value v) {
  switch (v.type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::kInt:
      append_to(out, v);
      return;
    case Type::kDouble:
      if (std::isfinite(v.as_double())) {
        append_to(out, v);
      } else {
        out += "null";
      }
      return;
    case Type::kString:
      out += '"';
      for (char c : v.as_string()) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
      }
      out += '"';
      return;
  }
}

// Misra-Gries with 10 counters per item reported: counts are lower bounds, short by at most
// n / (10 k + 1).
class TopKAggregate final : public AggregateBase<TopKAggregate> {
 public:
  TopKAggregate(AggregateFunction f, Type input, size_t k)
      : AggregateBase(f, input), k_(k), mg_(10 * k) {}
  Type result_type() const override { return Type::kString; }
  void add(Value v) override {
    if (v.is_null()) return;
    encode_key(input_ == Type::kDouble ? Value::of_double(as_number(v)) : v, key_);
    mg_.add(key_);
  }
  Status merge_same(const TopKAggregate& other) {
    if (other.k_ != k_) return Status::invalid_argument("cannot merge TOP_K of different k");
    mg_.merge(other.mg_);
    return {};
  }
  /// [{"value":"FR","count":10},...] by decreasing count.
  Value result() const override {
    text_ = "[";
    for (const auto& [key, count] : mg_.top(k_)) {
      if (text_.size() > 1) text_ += ',';
      text_ += "{\"value\":";
      append_json(text_, decode_key(input_, key));
      text_ += ",\"count\":";
      text_ += std::to_string(count);
      text_ += '}';
    }
    text_ += ']';
    return Value::of_string(text_);
  }
  void reset() override { mg_.reset(); }
  void save(StateWriter& out) const override { mg_.save(out); }

 protected:
  void load_state(StateReader& in) override { mg_.load(in); }

 private:
  size_t k_;
  MisraGries mg_;
  std::string key_;
  mutable std::string text_;
};

// ---- Factory -------------------------------------------------------------------------------

struct NameEntry {
  std::string_view name;
  AggregateFunction function;
};

constexpr NameEntry kNames[] = {
    {"COUNT", AggregateFunction::kCount},
    {"COUNT(*)", AggregateFunction::kCountStar},
    {"SUM", AggregateFunction::kSum},
    {"AVG", AggregateFunction::kAvg},
    {"MIN", AggregateFunction::kMin},
    {"MAX", AggregateFunction::kMax},
    {"VAR_SAMP", AggregateFunction::kVarSamp},
    {"VARIANCE", AggregateFunction::kVarSamp},
    {"VAR_POP", AggregateFunction::kVarPop},
    {"STDDEV_SAMP", AggregateFunction::kStddevSamp},
    {"STDDEV", AggregateFunction::kStddevSamp},
    {"STDDEV_POP", AggregateFunction::kStddevPop},
    {"FIRST_VALUE", AggregateFunction::kFirstValue},
    {"LAST_VALUE", AggregateFunction::kLastValue},
    {"APPROX_COUNT_DISTINCT", AggregateFunction::kApproxCountDistinct},
    {"APPROX_PERCENTILE", AggregateFunction::kApproxPercentile},
    {"PERCENTILE_APPROX", AggregateFunction::kApproxPercentile},
    {"TOP_K", AggregateFunction::kTopK},
};

std::string valid_names() {
  std::string out;
  for (std::string_view n : aggregate_names()) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& aggregate_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& e : kNames) v.push_back(e.name);
    return v;
  }();
  return names;
}

Result<std::unique_ptr<Aggregate>> make_aggregate(std::string_view name, Type input,
                                                  const AggregateArgs& args) {
  std::string upper;
  for (char c : name) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  const NameEntry* entry = nullptr;
  for (const auto& e : kNames) {
    if (e.name == upper) entry = &e;
  }
  if (entry == nullptr) {
    return Status::invalid_argument("unknown aggregate function '" + std::string(name) + "'" +
                                    did_you_mean(suggest_names(upper, aggregate_names())) +
                                    "; valid: " + valid_names());
  }
  AggregateFunction f = entry->function;
  if (args.star || args.distinct) {
    if (f != AggregateFunction::kCount && f != AggregateFunction::kCountStar) {
      return Status::invalid_argument(std::string(args.star ? "*" : "DISTINCT") +
                                      " is only valid in COUNT, not in " + std::string(upper));
    }
    if (args.star && args.distinct) {
      return Status::invalid_argument("COUNT(DISTINCT *) is not valid: name a field");
    }
    f = args.star ? AggregateFunction::kCountStar : AggregateFunction::kCountDistinct;
  }
  const std::string fname(aggregate_function_name(f));
  if (args.fifo_remove && f != AggregateFunction::kMin && f != AggregateFunction::kMax) {
    return Status::invalid_argument(
        "removal in arrival order (fifo_remove) is for MIN and MAX, not " + fname);
  }
  const bool numeric_only = f == AggregateFunction::kSum || f == AggregateFunction::kAvg ||
                            f == AggregateFunction::kVarSamp || f == AggregateFunction::kVarPop ||
                            f == AggregateFunction::kStddevSamp ||
                            f == AggregateFunction::kStddevPop ||
                            f == AggregateFunction::kApproxPercentile;
  if (numeric_only && !is_numeric(input)) {
    return Status::invalid_argument(
        fname + " expects a number, got " + std::string(type_name(input)) +
        (input == Type::kString ? " (CAST it, e.g. CAST(x AS double))" : ""));
  }
  if (f != AggregateFunction::kCountStar && input == Type::kNull) {
    return Status::invalid_argument(fname + " of the NULL literal: name a field");
  }
  if (f == AggregateFunction::kCountStar) input = Type::kNull;

  switch (f) {
    case AggregateFunction::kCount:
    case AggregateFunction::kCountStar:
      return std::unique_ptr<Aggregate>(std::make_unique<CountAggregate>(f, input));
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg:
      return std::unique_ptr<Aggregate>(std::make_unique<SumAggregate>(f, input));
    case AggregateFunction::kVarSamp:
    case AggregateFunction::kVarPop:
    case AggregateFunction::kStddevSamp:
    case AggregateFunction::kStddevPop:
      return std::unique_ptr<Aggregate>(std::make_unique<MomentsAggregate>(f, input));
    case AggregateFunction::kMin:
    case AggregateFunction::kMax:
      if (args.fifo_remove) {
        if (input == Type::kString) {
          return Status::invalid_argument(fname +
                                          " with removal (rolling windows) takes bigint, "
                                          "double or boolean, got string");
        }
        return std::unique_ptr<Aggregate>(std::make_unique<RollingExtremumAggregate>(f, input));
      }
      return std::unique_ptr<Aggregate>(std::make_unique<PickAggregate>(f, input));
    case AggregateFunction::kFirstValue:
    case AggregateFunction::kLastValue:
      return std::unique_ptr<Aggregate>(std::make_unique<PickAggregate>(f, input));
    case AggregateFunction::kCountDistinct:
      return std::unique_ptr<Aggregate>(std::make_unique<CountDistinctAggregate>(f, input));
    case AggregateFunction::kApproxCountDistinct:
      return std::unique_ptr<Aggregate>(std::make_unique<ApproxCountDistinctAggregate>(f, input));
    case AggregateFunction::kApproxPercentile:
      if (!(args.percentile >= 0 && args.percentile <= 1)) {
        return Status::invalid_argument("APPROX_PERCENTILE's fraction must be in [0, 1], got " +
                                        to_string(Value::of_double(args.percentile)));
      }
      return std::unique_ptr<Aggregate>(
          std::make_unique<PercentileAggregate>(f, input, args.percentile, args.seed));
    case AggregateFunction::kTopK:
      if (args.top_k < 1 || args.top_k > 10000) {
        return Status::invalid_argument("TOP_K's k must be in [1, 10000], got " +
                                        std::to_string(args.top_k));
      }
      return std::unique_ptr<Aggregate>(std::make_unique<TopKAggregate>(f, input, args.top_k));
  }
  return Status::internal("unhandled aggregate function");
}

}  // namespace rivulet::stream
