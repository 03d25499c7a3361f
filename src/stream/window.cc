#include "rivulet/stream/window.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <regex>
#include <sstream>

#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

// A window of one group: the group's values (strings owned here), one accumulator per aggregate,
// and whether it has fired and changed since.
struct WindowOperator::Window {
  int64_t end = 0;       // exclusive
  bool changed = false;  // rows added since it was last emitted (early firings)
  std::vector<Value> group;
  std::vector<std::string> strings;  // the group's string values
  std::vector<std::unique_ptr<Aggregate>> aggs;
  bool fired = false;
  bool dirty = false;
};

WindowOperator::WindowOperator(Options options) : options_(std::move(options)) {}
WindowOperator::~WindowOperator() = default;

namespace {

// `FUNC(field)`, `FUNC(*)`, `FUNC(DISTINCT field)`.
bool parse_call(const std::string& call, std::string& function, bool& star, bool& distinct,
                std::string& field) {
  static const std::regex re(R"re(^\s*(\w+)\s*\(\s*(DISTINCT\s+)?(\*|\w+)\s*\)\s*$)re",
                             std::regex::icase);
  std::smatch m;
  if (!std::regex_match(call, m, re)) return false;
  function = m[1];
  distinct = m[2].matched;
  star = m[3] == "*";
  field = star ? "" : std::string(m[3]);
  return true;
}

// Resolves each aggregate call against `input`: its argument field (none for COUNT(*)), a
// fresh accumulator, and its output field. `removable`: accumulators for rolling windows (MIN and
// MAX with their FIFO deque), and an error for those that cannot remove.
Status resolve_aggregates(const std::vector<WindowAggregate>& aggregates, const Schema& input,
                          std::string_view step, bool removable,
                          std::vector<std::optional<size_t>>& fields,
                          std::vector<std::unique_ptr<Aggregate>>& prototypes,
                          std::vector<SchemaField>& out) {
  fields.clear();
  prototypes.clear();
  for (const WindowAggregate& a : aggregates) {
    std::string function, field;
    bool star = false, distinct = false;
    if (!parse_call(a.call, function, star, distinct, field)) {
      return error_at(a.pos, fmt::format("{}: '{}' is not an aggregate call such as AVG(amount), "
                                         "COUNT(*) or COUNT(DISTINCT user)",
                                         step, a.call));
    }
    Type type = Type::kInt;
    if (!star) {
      const auto index = input.index_of(field);
      if (!index)
        return error_at(a.pos, fmt::format("{}: {}", step, input.unknown_field_message(field)));
      fields.push_back(*index);
      type = input.field(*index).type;
    } else {
      fields.push_back(std::nullopt);
    }
    AggregateArgs args;
    args.star = star;
    args.distinct = distinct;
    std::string upper = function;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    args.fifo_remove = removable && (upper == "MIN" || upper == "MAX") && type != Type::kString;
    auto agg = make_aggregate(function, type, args);
    if (!agg.ok()) return error_at(a.pos, fmt::format("{}: {}", step, agg.status().message()));
    if (removable && !(*agg)->can_remove()) {
      return error_at(a.pos, fmt::format("{}: {} cannot take rows back out as they leave the range "
                                         "(use COUNT, SUM, AVG, MIN, MAX of numbers, VAR_*, "
                                         "STDDEV_* or COUNT(DISTINCT))",
                                         step, a.call));
    }
    out.push_back({a.name, (*agg)->result_type(), true});
    prototypes.push_back(std::move(*agg));
  }
  return {};
}

// A value in stored form: its type, and its bytes (a string's text, a number's 8 bytes, "1"/"0").
using StoredValue = std::pair<uint8_t, std::string>;

StoredValue store_value(const Value& v) {
  std::string bytes;
  switch (v.type()) {
    case Type::kString:
      bytes.assign(v.as_string());
      break;
    case Type::kInt: {
      const int64_t i = v.as_int();
      bytes.assign(reinterpret_cast<const char*>(&i), sizeof i);
      break;
    }
    case Type::kDouble: {
      const double d = v.as_double();
      bytes.assign(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    case Type::kBool:
      bytes.assign(v.as_bool() ? "1" : "0");
      break;
    case Type::kNull:
      break;
  }
  return {static_cast<uint8_t>(v.type()), std::move(bytes)};
}

// The value back; a string's view points into `stored`, which the caller keeps.
Value load_value(const StoredValue& stored) {
  const auto& [type, bytes] = stored;
  switch (static_cast<Type>(type)) {
    case Type::kString:
      return Value::of_string(bytes);
    case Type::kInt: {
      int64_t v = 0;
      std::memcpy(&v, bytes.data(), std::min(bytes.size(), sizeof v));
      return Value::of_int(v);
    }
    case Type::kDouble: {
      double v = 0;
      std::memcpy(&v, bytes.data(), std::min(bytes.size(), sizeof v));
      return Value::of_double(v);
    }
    case Type::kBool:
      return Value::of_bool(bytes == "1");
    case Type::kNull:
      break;
  }
  return Value();
}

}  // namespace

Result<std::unique_ptr<WindowOperator>> WindowOperator::create(Options options) {
  if (options.gap_ms < 0 ||
      (options.gap_ms > 0 && (options.size_ms != 0 || options.slide_ms != 0))) {
    return error_at(options.pos,
                    "window: session windows take 'gap_ms' alone (no size_ms, slide_ms)");
  }
  if (options.count < 0 || (options.count > 0 && (options.size_ms != 0 || options.slide_ms != 0 ||
                                                  options.gap_ms != 0))) {
    return error_at(options.pos, "window: count windows take 'count' alone (no size_ms, gap_ms)");
  }
  if (options.gap_ms == 0 && options.count == 0 && options.size_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("window: 'size_ms' (or 'gap_ms' for sessions) must be > 0, got {}",
                                options.size_ms));
  }
  if (options.slide_ms < 0 || (options.slide_ms > 0 && options.size_ms % options.slide_ms != 0)) {
    return error_at(options.pos,
                    fmt::format("window: 'slide_ms' must divide 'size_ms' ({}), got {}",
                                options.size_ms, options.slide_ms));
  }
  if (options.early_fire_ms < 0) {
    return error_at(options.pos, "window: 'early_fire_ms' must be >= 0");
  }
  if (options.allowed_lateness_ms < 0) {
    return error_at(options.pos, "window: 'allowed_lateness_ms' must be >= 0");
  }
  if (options.aggregates.empty()) {
    return error_at(options.pos,
                    "window: no aggregates (give e.g. {n: \"COUNT(*)\", total: \"SUM(amount)\"})");
  }
  return std::unique_ptr<WindowOperator>(new WindowOperator(std::move(options)));
}

Result<SchemaPtr> WindowOperator::open(SchemaPtr input, OpenContext& ctx) {
  RIVULET_ASSIGN_OR_RETURN(group_fields_,
                           internal::resolve_fields(options_.group_by, *input, "window"));
  std::vector<SchemaField> fields;
  for (const size_t f : group_fields_) fields.push_back(input->field(f));
  fields.push_back({"window_start", Type::kInt, false});
  fields.push_back({"window_end", Type::kInt, false});
  RIVULET_RETURN_IF_ERROR(resolve_aggregates(options_.aggregates, *input, "window", false,
                                             agg_fields_, prototypes_, fields));
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  late_schema_ = input;
  late_side_ = ctx.declare_side_output("late", input);
  return out_schema_;
}

void WindowOperator::group_key(const Batch& batch, size_t r) {
  key_.clear();
  internal::append_key_bytes(batch, r, group_fields_, key_);
}

Status WindowOperator::emit(int64_t start, Window& w, Batch& out, bool final) {
  const size_t r = out.add_row(w.end - 1);
  size_t f = 0;
  for (const Value& v : w.group) {
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  out.set(r, f++, Value::of_int(start));
  out.set(r, f++, Value::of_int(w.end));
  for (const auto& agg : w.aggs) {
    const Value v = agg->result();
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  w.changed = false;
  if (final) {
    w.fired = true;
    w.dirty = false;
  }
  return {};
}

// A fresh window of row r's group (the caller owns it).
WindowOperator::Window& WindowOperator::new_window(const Batch& batch, size_t r) {
  auto* w = new Window();
  w->strings.reserve(group_fields_.size());
  for (const size_t f : group_fields_) {
    const Value v = batch.get(r, f);
    if (v.type() == Type::kString) {
      w->strings.emplace_back(v.as_string());
      w->group.push_back(Value::of_string(w->strings.back()));
    } else {
      w->group.push_back(v);
    }
  }
  for (const auto& p : prototypes_) {
    w->aggs.push_back(p->clone());
    w->aggs.back()->reset();
  }
  return *w;
}

// Row r (group key in key_) into its group's session: [t, t + gap) merged with every session of
// the group it overlaps. `late`: the row's session would have ended before the watermark.
Status WindowOperator::add_to_session(const Batch& batch, size_t r, Batch& out,
                                      OperatorContext& ctx, bool& late) {
  (void)out;
  (void)ctx;
  const int64_t t = batch.event_time(r);
  int64_t start = t, end = t + options_.gap_ms;
  late = false;
  std::vector<std::unique_ptr<Window>> merged;  // the sessions the row joins, in start order
  bool any_fired = false;
  for (auto it = sessions_.lower_bound({key_, INT64_MIN});
       it != sessions_.end() && it->first.first == key_;) {
    Window& w = *it->second;
    if (it->first.second < end && w.end > t) {
      start = std::min(start, it->first.second);
      end = std::max(end, w.end);
      any_fired = any_fired || w.fired;
      merged.push_back(std::move(it->second));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  if (merged.empty() && watermark_ != INT64_MIN &&
      end + options_.allowed_lateness_ms <= watermark_) {
    late = true;
    return {};
  }
  std::unique_ptr<Window> w;
  if (merged.empty()) {
    w.reset(&new_window(batch, r));
  } else {
    w = std::move(merged.front());
    for (size_t i = 1; i < merged.size(); ++i) {
      for (size_t a = 0; a < w->aggs.size(); ++a) {
        RIVULET_RETURN_IF_ERROR(w->aggs[a]->merge(*merged[i]->aggs[a]));
      }
    }
  }
  w->end = end;
  for (size_t a = 0; a < w->aggs.size(); ++a) {
    w->aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
    w->changed = true;
  }
  if (any_fired && !w->dirty) {  // a late row changed a session that had fired
    w->fired = true;
    w->dirty = true;
    dirty_sessions_.emplace_back(key_, start);
  }
  sessions_[{key_, start}] = std::move(w);
  return {};
}

Status WindowOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  const int64_t slide =
      options_.slide_ms > 0 ? options_.slide_ms : options_.size_ms;  // 0: sessions
  Batch out(out_schema_);
  Batch late_rows(late_schema_);
  for (size_t r = 0; r < n; ++r) {
    const int64_t t = batch.event_time(r);
    group_key(batch, r);
    if (options_.count > 0) {
      // Count windows: the group's open window takes the row; the count-th row fires it.
      auto& [start, w] = counting_[key_];
      if (!w) {
        w.reset(&new_window(batch, r));
        start = t;
      }
      for (size_t a = 0; a < w->aggs.size(); ++a) {
        w->aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
      }
      w->end = t + 1;
      ++ctx.counts.filtered;
      if (++counted_[key_] == options_.count) {
        RIVULET_RETURN_IF_ERROR(emit(start, *w, out));
        ++ctx.counts.added;
        counting_.erase(key_);
        counted_.erase(key_);
      }
      continue;
    }
    if (options_.gap_ms > 0) {
      bool late = false;
      RIVULET_RETURN_IF_ERROR(add_to_session(batch, r, out, ctx, late));
      if (late) late_rows.append_row(batch, r);
      ++ctx.counts.filtered;
      continue;
    }
    // The windows [start, start + size) holding t: the last starts at floor(t / slide) * slide.
    const int64_t last = t >= 0 ? t / slide * slide : -((-t + slide - 1) / slide) * slide;
    bool placed = false, too_late = true;
    for (int64_t start = last; start > t - options_.size_ms; start -= slide) {
      const int64_t end = start + options_.size_ms;
      // Past its end plus the allowed lateness the window is gone: the row is late for it.
      if (watermark_ != INT64_MIN && end + options_.allowed_lateness_ms <= watermark_) continue;
      too_late = false;
      auto& slot = windows_[{start, key_}];
      if (!slot) {
        slot.reset(&new_window(batch, r));
        slot->end = end;
      }
      for (size_t a = 0; a < slot->aggs.size(); ++a) {
        slot->aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
        slot->changed = true;
      }
      if (slot->fired && !slot->dirty) {  // a late row within the allowed lateness
        slot->dirty = true;
        dirty_.emplace_back(start, key_);
      }
      placed = true;
    }
    if (!placed && too_late) late_rows.append_row(batch, r);
    ++ctx.counts.filtered;  // absorbed into its windows (or sent to the late output)
  }
  // Windows a late row has changed fire again, at once.
  for (const auto& k : dirty_) {
    auto it = windows_.find(k);
    if (it != windows_.end() && it->second->dirty) {
      RIVULET_RETURN_IF_ERROR(emit(k.first, *it->second, out));
      ++ctx.counts.added;
    }
  }
  dirty_.clear();
  for (const auto& k : dirty_sessions_) {
    auto it = sessions_.find(k);
    if (it != sessions_.end() && it->second->dirty) {
      RIVULET_RETURN_IF_ERROR(emit(k.second, *it->second, out));
      ++ctx.counts.added;
    }
  }
  dirty_sessions_.clear();
  if (!late_rows.empty()) ctx.side(late_side_, late_rows);
  ctx.counts.out += out.size();
  batch = std::move(out);
  return {};
}

Status WindowOperator::on_timer(Batch& batch, OperatorContext& ctx) {
  if (options_.early_fire_ms <= 0) return {};
  if (last_early_ms_ != INT64_MIN && ctx.now_ms - last_early_ms_ < options_.early_fire_ms) {
    return {};
  }
  last_early_ms_ = ctx.now_ms;
  // Partial results of the open windows that changed since they were last emitted.
  const auto early = [&](int64_t start, Window& w) -> Status {
    if (!w.changed || w.fired) return {};
    RIVULET_RETURN_IF_ERROR(emit(start, w, batch, /*final=*/false));
    ++ctx.counts.added;
    ++ctx.counts.out;
    return {};
  };
  for (auto& [k, w] : windows_) RIVULET_RETURN_IF_ERROR(early(k.first, *w));
  for (auto& [k, w] : sessions_) RIVULET_RETURN_IF_ERROR(early(k.second, *w));
  return {};
}

Status WindowOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  watermark_ = watermark;
  // Windows are in start order; all windows have the same size, so end order too.
  for (auto it = windows_.begin(); it != windows_.end();) {
    const int64_t start = it->first.first;
    const int64_t end = start + options_.size_ms;
    if (end > watermark) break;
    Window& w = *it->second;
    if (!w.fired || w.dirty) {
      RIVULET_RETURN_IF_ERROR(emit(start, w, batch));
      ++ctx.counts.added;
      ++ctx.counts.out;
    }
    if (watermark == INT64_MAX || end + options_.allowed_lateness_ms <= watermark) {
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  // Sessions end where their last row was, plus the gap: all are looked at.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Window& w = *it->second;
    if (w.end > watermark) {
      ++it;
      continue;
    }
    if (!w.fired || w.dirty) {
      RIVULET_RETURN_IF_ERROR(emit(it->first.second, w, batch));
      ++ctx.counts.added;
      ++ctx.counts.out;
    }
    if (watermark == INT64_MAX || w.end + options_.allowed_lateness_ms <= watermark) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return {};
}

namespace {

// A window's state: (start, key) first, then its end, flags, group values and accumulators.
template <class W>
void save_window(StateWriter& out, int64_t start, const std::string& key, const W& w) {
  out(start, key, w.end, w.fired, w.dirty, w.strings);
  std::vector<std::pair<uint8_t, int64_t>> group;  // (type, payload) of non-strings
  for (const Value& v : w.group) {
    int64_t payload = 0;
    if (v.type() == Type::kInt) payload = v.as_int();
    if (v.type() == Type::kBool) payload = v.as_bool() ? 1 : 0;
    if (v.type() == Type::kDouble) {
      const double d = v.as_double();
      std::memcpy(&payload, &d, sizeof d);
    }
    group.emplace_back(static_cast<uint8_t>(v.type()), payload);
  }
  out(group);
  for (const auto& agg : w.aggs) agg->save(out);
}

template <class W>
Status load_window(StateReader& in, int64_t& start, std::string& key, W& w,
                   const std::vector<std::unique_ptr<Aggregate>>& prototypes) {
  in(start, key, w.end, w.fired, w.dirty, w.strings);
  std::vector<std::pair<uint8_t, int64_t>> group;
  in(group);
  size_t s = 0;
  for (const auto& [type, payload] : group) {
    switch (static_cast<Type>(type)) {
      case Type::kString:
        w.group.push_back(Value::of_string(w.strings.at(s++)));
        break;
      case Type::kInt:
        w.group.push_back(Value::of_int(payload));
        break;
      case Type::kBool:
        w.group.push_back(Value::of_bool(payload != 0));
        break;
      case Type::kDouble: {
        double d = 0;
        std::memcpy(&d, &payload, sizeof d);
        w.group.push_back(Value::of_double(d));
        break;
      }
      case Type::kNull:
        w.group.push_back(Value());
        break;
    }
  }
  for (const auto& p : prototypes) {
    auto agg = p->clone();
    RIVULET_RETURN_IF_ERROR(agg->load(in));
    w.aggs.push_back(std::move(agg));
  }
  return {};
}

}  // namespace

void WindowOperator::snapshot(StateWriter& out) const {
  out(watermark_, static_cast<uint64_t>(windows_.size()));
  for (const auto& [k, w] : windows_) save_window(out, k.first, k.second, *w);
  out(static_cast<uint64_t>(sessions_.size()));
  for (const auto& [k, w] : sessions_) save_window(out, k.second, k.first, *w);
  out(static_cast<uint64_t>(counting_.size()));
  for (const auto& [k, sw] : counting_) {
    save_window(out, sw.first, k, *sw.second);
    out(counted_.at(k));
  }
}

Status WindowOperator::restore(StateReader& in) {
  windows_.clear();
  sessions_.clear();
  counting_.clear();
  counted_.clear();
  try {
    uint64_t n = 0;
    in(watermark_, n);
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      std::string key;
      auto w = std::make_unique<Window>();
      RIVULET_RETURN_IF_ERROR(load_window(in, start, key, *w, prototypes_));
      windows_[{start, std::move(key)}] = std::move(w);
    }
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      std::string key;
      auto w = std::make_unique<Window>();
      RIVULET_RETURN_IF_ERROR(load_window(in, start, key, *w, prototypes_));
      sessions_[{std::move(key), start}] = std::move(w);
    }
    counting_.clear();
    counted_.clear();
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      std::string key;
      auto w = std::make_unique<Window>();
      RIVULET_RETURN_IF_ERROR(load_window(in, start, key, *w, prototypes_));
      int64_t counted = 0;
      in(counted);
      counted_[key] = counted;
      counting_[std::move(key)] = {start, std::move(w)};
    }
  } catch (const std::exception& e) {
    windows_.clear();
    sessions_.clear();
    return Status::data_loss(fmt::format("window: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> WindowOperator::clone() const {
  auto c = std::unique_ptr<WindowOperator>(new WindowOperator(options_));
  c->set_name(name());
  return c;
}

// ---- over ----

// A partition's rows within the range and its accumulators. The rows are kept flat, oldest first:
// their times, their aggregate arguments (one per aggregate a row), and the string arguments' text
// (owned; a deque keeps each in place while others come and go), so that a row costs no allocation
// of its own.
struct OverOperator::Partition {
  std::deque<int64_t> times;
  std::deque<Value> values;
  std::deque<std::string> strings;
  std::vector<std::unique_ptr<Aggregate>> aggs;
  int64_t newest = INT64_MIN;

  // Removes the oldest row from the accumulators and the buffers.
  Status pop_oldest() {
    for (size_t a = 0; a < aggs.size(); ++a) {
      const Value v = values.front();
      RIVULET_RETURN_IF_ERROR(aggs[a]->remove(v));
      if (v.type() == Type::kString) strings.pop_front();
      values.pop_front();
    }
    times.pop_front();
    return {};
  }
  // Keeps a row's argument (its string copied here).
  void push(Value v) {
    if (v.type() == Type::kString) {
      strings.emplace_back(v.as_string());
      v = Value::of_string(strings.back());
    }
    values.push_back(v);
  }
};

OverOperator::OverOperator(Options options) : options_(std::move(options)) {}
OverOperator::~OverOperator() = default;

Result<std::unique_ptr<OverOperator>> OverOperator::create(Options options) {
  if (options.range_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("over: 'range_ms' must be > 0, got {}", options.range_ms));
  }
  if (options.aggregates.empty()) {
    return error_at(options.pos, "over: no aggregates (give e.g. {payments_1h: \"COUNT(*)\"})");
  }
  return std::unique_ptr<OverOperator>(new OverOperator(std::move(options)));
}

Result<SchemaPtr> OverOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(key_fields_,
                           internal::resolve_fields(options_.partition_by, *input, "over"));
  std::vector<SchemaField> fields = input->fields();
  n_in_ = fields.size();
  std::vector<SchemaField> added;
  RIVULET_RETURN_IF_ERROR(resolve_aggregates(options_.aggregates, *input, "over", true, agg_fields_,
                                             prototypes_, added));
  for (auto& f : added) {
    if (input->index_of(f.name)) {
      return error_at(options_.pos,
                      fmt::format("over: '{}' is already a field of the input", f.name));
    }
    fields.push_back(std::move(f));
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

Status OverOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  Batch out(out_schema_);
  out.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    key_.clear();
    internal::append_key_bytes(batch, r, key_fields_, key_);
    auto& slot = partitions_[key_];
    if (!slot) {
      slot = std::make_unique<Partition>();
      for (const auto& p : prototypes_) {
        slot->aggs.push_back(p->clone());
        slot->aggs.back()->reset();
      }
    }
    Partition& part = *slot;
    const int64_t t = batch.event_time(r);
    // Rows more than range_ms before this one leave, oldest first.
    while (!part.times.empty() && part.times.front() <= t - options_.range_ms) {
      RIVULET_RETURN_IF_ERROR(part.pop_oldest());
    }
    part.times.push_back(t);
    for (size_t a = 0; a < part.aggs.size(); ++a) {
      const Value v = agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true);
      part.aggs[a]->add(v);
      part.push(v);  // kept for its removal
    }
    part.newest = std::max(part.newest, t);
    const Value* in = batch.row(r);
    const size_t o = out.add_row(t);
    for (size_t f = 0; f < n_in_; ++f) out.set(o, f, in[f]);  // strings stay in the input arena
    for (size_t a = 0; a < part.aggs.size(); ++a) {
      const Value v = part.aggs[a]->result();
      if (v.type() == Type::kString) {
        out.set_string(o, n_in_ + a, v.as_string());
      } else {
        out.set(o, n_in_ + a, v);
      }
    }
  }
  ctx.counts.out += out.size();
  internal::hand_over(batch, out);
  return {};
}

Status OverOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  (void)batch;
  (void)ctx;
  // A partition whose newest row is a whole range behind the watermark has nothing left in range.
  std::erase_if(partitions_, [&](const auto& kv) {
    return watermark == INT64_MAX || kv.second->newest <= watermark - options_.range_ms;
  });
  return {};
}

void OverOperator::snapshot(StateWriter& out) const {
  out(static_cast<uint64_t>(partitions_.size()));
  for (const auto& [key, part] : partitions_) {
    const std::vector<int64_t> times(part->times.begin(), part->times.end());
    std::vector<StoredValue> values;
    for (const Value& v : part->values) values.push_back(store_value(v));
    out(key, part->newest, times, values);
    for (const auto& a : part->aggs) a->save(out);
  }
}

Status OverOperator::restore(StateReader& in) {
  partitions_.clear();
  try {
    uint64_t n = 0;
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      auto part = std::make_unique<Partition>();
      std::vector<int64_t> times;
      std::vector<StoredValue> values;
      in(key, part->newest, times, values);
      if (values.size() != times.size() * prototypes_.size()) {
        return Status::data_loss("over: corrupt state: rows and values do not match");
      }
      part->times.assign(times.begin(), times.end());
      for (const StoredValue& v : values) part->push(load_value(v));  // push copies strings
      for (const auto& p : prototypes_) {
        auto a = p->clone();
        RIVULET_RETURN_IF_ERROR(a->load(in));
        part->aggs.push_back(std::move(a));
      }
      partitions_.emplace(std::move(key), std::move(part));
    }
  } catch (const std::exception& e) {
    partitions_.clear();
    return Status::data_loss(fmt::format("over: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> OverOperator::clone() const {
  auto c = std::unique_ptr<OverOperator>(new OverOperator(options_));
  c->set_name(name());
  return c;
}

// ---- top_n ----

// A group's best rows of one window: each row's values (as JSON-free copies: strings owned),
// its order value, its event time and its arrival number (for ties).
struct TopNOperator::Group {
  struct Row {
    double order = 0;
    uint64_t arrival = 0;
    int64_t time = 0;
    std::vector<Value> values;
    std::vector<std::string> strings;
  };
  std::vector<Row> rows;  // at most n, unsorted
};

TopNOperator::TopNOperator(Options options) : options_(std::move(options)) {}
TopNOperator::~TopNOperator() = default;

Result<std::unique_ptr<TopNOperator>> TopNOperator::create(Options options) {
  if (options.order_by.name.empty()) return error_at(options.pos, "top_n: 'order_by' is missing");
  if (options.n < 1)
    return error_at(options.pos, fmt::format("top_n: 'n' must be >= 1, got {}", options.n));
  if (options.size_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("top_n: 'size_ms' must be > 0, got {}", options.size_ms));
  }
  return std::unique_ptr<TopNOperator>(new TopNOperator(std::move(options)));
}

Result<SchemaPtr> TopNOperator::open(SchemaPtr input, OpenContext& ctx) {
  RIVULET_ASSIGN_OR_RETURN(key_fields_,
                           internal::resolve_fields(options_.partition_by, *input, "top_n"));
  const auto order = input->index_of(options_.order_by.name);
  if (!order) {
    return error_at(options_.order_by.pos,
                    "top_n: " + input->unknown_field_message(options_.order_by.name));
  }
  if (!is_numeric(input->field(*order).type)) {
    return error_at(options_.order_by.pos,
                    fmt::format("top_n: 'order_by' must be a number field, '{}' is {}",
                                options_.order_by.name, type_name(input->field(*order).type)));
  }
  order_field_ = *order;
  std::vector<SchemaField> fields = input->fields();
  n_in_ = fields.size();
  for (const char* name : {"window_start", "window_end", "rank"}) {
    if (input->index_of(name)) {
      return error_at(options_.pos,
                      fmt::format("top_n: '{}' is already a field of the input", name));
    }
    fields.push_back({name, Type::kInt, false});
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  late_side_ = ctx.declare_side_output("late", input);
  return out_schema_;
}

Status TopNOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  const int64_t size = options_.size_ms;
  Batch late(batch.shared_schema());
  for (size_t r = 0; r < n; ++r) {
    ++ctx.counts.filtered;  // kept in its group until the window closes (or late)
    const int64_t t = batch.event_time(r);
    const int64_t start = t >= 0 ? t / size * size : -((-t + size - 1) / size) * size;
    if (watermark_ != INT64_MIN && start + size <= watermark_) {
      late.append_row(batch, r);
      continue;
    }
    const Value ov = batch.get(r, order_field_);
    if (ov.is_null()) continue;  // no order value: never among the top rows
    const double order = options_.descending ? ov.to_double() : -ov.to_double();
    key_.clear();
    internal::append_key_bytes(batch, r, key_fields_, key_);
    auto& slot = groups_[{start, key_}];
    if (!slot) slot = std::make_unique<Group>();
    auto& rows = slot->rows;
    size_t replace = rows.size();
    if (rows.size() >= static_cast<size_t>(options_.n)) {
      // The worst kept row (lowest order, latest arrival) leaves if this one is better.
      size_t worst = 0;
      for (size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].order < rows[worst].order ||
            (rows[i].order == rows[worst].order && rows[i].arrival > rows[worst].arrival)) {
          worst = i;
        }
      }
      if (!(order > rows[worst].order)) continue;
      replace = worst;
    } else {
      rows.emplace_back();
    }
    Group::Row& row = rows[replace];
    row.order = order;
    row.arrival = arrival_++;
    row.time = t;
    row.values.assign(batch.row(r), batch.row(r) + n_in_);
    row.strings.clear();
    row.strings.reserve(n_in_);
    for (Value& v : row.values) {
      if (v.type() == Type::kString) {
        row.strings.emplace_back(v.as_string());
        v = Value::of_string(row.strings.back());
      }
    }
  }
  if (!late.empty()) ctx.side(late_side_, late);
  batch.reset(out_schema_);
  return {};
}

Status TopNOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  watermark_ = watermark;
  for (auto it = groups_.begin(); it != groups_.end();) {
    const int64_t start = it->first.first;
    if (start + options_.size_ms > watermark) break;
    auto& rows = it->second->rows;
    std::sort(rows.begin(), rows.end(), [](const Group::Row& a, const Group::Row& b) {
      return a.order > b.order || (a.order == b.order && a.arrival < b.arrival);
    });
    int64_t rank = 0;
    for (const Group::Row& row : rows) {
      const size_t o = batch.add_row(row.time);
      for (size_t f = 0; f < n_in_; ++f) {
        const Value v = row.values[f];
        if (v.type() == Type::kString) {
          batch.set_string(o, f, v.as_string());
        } else {
          batch.set(o, f, v);
        }
      }
      batch.set(o, n_in_, Value::of_int(start));
      batch.set(o, n_in_ + 1, Value::of_int(start + options_.size_ms));
      batch.set(o, n_in_ + 2, Value::of_int(++rank));
      ++ctx.counts.added;
      ++ctx.counts.out;
    }
    it = groups_.erase(it);
  }
  return {};
}

void TopNOperator::snapshot(StateWriter& out) const {
  out(watermark_, arrival_, static_cast<uint64_t>(groups_.size()));
  for (const auto& [k, g] : groups_) {
    out(k.first, k.second, static_cast<uint64_t>(g->rows.size()));
    for (const auto& row : g->rows) {
      std::vector<StoredValue> values;
      for (const Value& v : row.values) values.push_back(store_value(v));
      out(row.order, row.arrival, row.time, values);
    }
  }
}

Status TopNOperator::restore(StateReader& in) {
  groups_.clear();
  try {
    uint64_t n = 0;
    in(watermark_, arrival_, n);
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      std::string key;
      uint64_t rows = 0;
      in(start, key, rows);
      auto g = std::make_unique<Group>();
      for (uint64_t k = 0; k < rows; ++k) {
        Group::Row row;
        std::vector<StoredValue> values;
        in(row.order, row.arrival, row.time, values);
        row.strings.reserve(values.size());
        for (StoredValue& v : values) {
          if (static_cast<Type>(v.first) == Type::kString) {
            row.strings.push_back(std::move(v.second));
            row.values.push_back(Value::of_string(row.strings.back()));
          } else {
            row.values.push_back(load_value(v));
          }
        }
        g->rows.push_back(std::move(row));
      }
      groups_[{start, std::move(key)}] = std::move(g);
    }
  } catch (const std::exception& e) {
    groups_.clear();
    return Status::data_loss(fmt::format("top_n: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> TopNOperator::clone() const {
  auto c = std::unique_ptr<TopNOperator>(new TopNOperator(options_));
  c->set_name(name());
  return c;
}

}  // namespace rivulet::stream
