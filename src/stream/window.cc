#include "rivulet/stream/window.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <regex>
#include <sstream>
#include <tuple>

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

// A pane of a group (or, without shared panes, a window): its accumulators.
struct WindowOperator::Slot {
  int64_t start = 0;
  int64_t end = 0;       // exclusive
  bool changed = false;  // rows added since it was last emitted (early firings)
  std::vector<std::unique_ptr<Aggregate>> aggs;
};

// A group of tumbling, hopping or cumulative windows: its values (strings owned here), its
// slots ordered by end, and the windows that late rows created after the watermark had passed
// their end (they fire at the next watermark).
struct WindowOperator::Group {
  const std::string* key = nullptr;  // the key bytes, owned by the map
  std::vector<Value> values;
  std::vector<std::string> strings;
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<int64_t> pending;  // window ends
  int64_t wake = INT64_MAX;      // its entry in wake_ (older entries of it are stale)
  bool woken = false;            // listed by the current on_watermark
  bool idle = false;             // in idle_
  size_t listed = 0;             // its place in listed_
  ChangeMark change;              // its place among the changed groups (ChangeLog)
};

WindowOperator::WindowOperator(Options options) : options_(std::move(options)) {}
WindowOperator::~WindowOperator() = default;

namespace {

// `FUNC(field)`, `FUNC(*)`, `FUNC(DISTINCT field)`.
// t rounded down to a multiple of m (m > 0), for negative t too.
int64_t floor_to(int64_t t, int64_t m) { return t >= 0 ? t / m * m : -((-t + m - 1) / m) * m; }

// Whether merging accumulators gives exactly the result of adding their rows to one (up to the
// last bits of floating-point sums): not for functions that depend on the order of the rows.
bool merges_exactly(AggregateFunction f) {
  switch (f) {
    case AggregateFunction::kFirstValue:
    case AggregateFunction::kLastValue:
    case AggregateFunction::kApproxPercentile:
    case AggregateFunction::kTopK:
      return false;
    default:
      return true;
  }
}

// `FUNC(field, number)`: APPROX_PERCENTILE's fraction, TOP_K's count (`second`).
bool parse_call(const std::string& call, std::string& function, bool& star, bool& distinct,
                std::string& field, std::string& second) {
  static const std::regex re(
      R"re(^\s*(\w+)\s*\(\s*(DISTINCT\s+)?(\*|\w+)\s*(?:,\s*([0-9][0-9.eE+-]*)\s*)?\)\s*$)re",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_match(call, m, re)) return false;
  function = m[1];
  distinct = m[2].matched;
  star = m[3] == "*";
  field = star ? "" : std::string(m[3]);
  second = m[4].matched ? std::string(m[4]) : std::string();
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
    std::string function, field, second;
    bool star = false, distinct = false;
    if (!parse_call(a.call, function, star, distinct, field, second)) {
      return error_at(a.pos, fmt::format("{}: '{}' is not an aggregate call such as AVG(amount), "
                                         "COUNT(*), COUNT(DISTINCT user) or "
                                         "APPROX_PERCENTILE(latency, 0.99)",
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
    if (!second.empty()) {
      // The second argument: a fraction for the percentile, a count for TOP_K.
      const bool percentile = upper == "APPROX_PERCENTILE" || upper == "PERCENTILE_APPROX";
      char* end = nullptr;
      const double v = std::strtod(second.c_str(), &end);
      if (*end != '\0' || (!percentile && upper != "TOP_K")) {
        return error_at(a.pos, fmt::format("{}: '{}': only APPROX_PERCENTILE(x, p) and "
                                           "TOP_K(x, k) take a second argument",
                                           step, a.call));
      }
      if (percentile) {
        args.percentile = v;
      } else if (v != std::floor(v) || v < 1 || v > 10000) {
        return error_at(a.pos, fmt::format("{}: '{}': k must be a whole number from 1 to 10000",
                                           step, a.call));
      } else {
        args.top_k = static_cast<size_t>(v);
      }
    }
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
  if (options.step_ms < 0 ||
      (options.step_ms > 0 && (options.slide_ms != 0 || options.gap_ms != 0 || options.count != 0 ||
                               options.size_ms % options.step_ms != 0))) {
    return error_at(options.pos,
                    fmt::format("window: cumulative windows take 'step_ms' that divides 'size_ms' "
                                "({}), with no slide_ms, gap_ms or count; got step_ms {}",
                                options.size_ms, options.step_ms));
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
  // Panes: slide_ms (hopping), step_ms (cumulative), size_ms (tumbling: pane = window, always).
  pane_ms_ = options_.step_ms > 0    ? options_.step_ms
             : options_.slide_ms > 0 ? options_.slide_ms
                                     : options_.size_ms;
  panes_ = pane_ms_ == options_.size_ms ||
           (options_.share_panes && options_.early_fire_ms == 0 &&
            std::all_of(prototypes_.begin(), prototypes_.end(),
                        [](const auto& p) { return merges_exactly(p->function()); }));
  merged_.clear();
  for (const auto& p : prototypes_) merged_.push_back(p->clone());
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

// ---- tumbling, hopping and cumulative windows ----
//
// A window is named by its end (a multiple of pane_ms_; a group has one window per end). Each of
// a group's slots is a pane [start, start + pane_ms_) that the windows ending in
// [slot_first_end, slot_last_end] hold, or (without shared panes) one window. A group is woken
// (wake_) at the first end of its windows still to fire, or when its oldest slot is to go.
// Windows whose end the watermark passed fired then; a window that a late row creates after
// that is `pending` until the next watermark (as it had never fired), and a late row that
// changes a window that fired makes it fire again at once (dirty_).

int64_t WindowOperator::window_start(int64_t end) const {
  return options_.step_ms > 0 ? floor_to(end - 1, options_.size_ms) : end - options_.size_ms;
}

int64_t WindowOperator::slot_first_end(const Slot& s) const {
  return panes_ ? s.start + pane_ms_ : s.end;
}

int64_t WindowOperator::slot_last_end(const Slot& s) const {
  if (!panes_) return s.end;
  return options_.step_ms > 0 ? floor_to(s.start, options_.size_ms) + options_.size_ms
                              : s.start + options_.size_ms;
}

bool WindowOperator::window_exists(const Group& g, int64_t end) const {
  if (!panes_) {
    return std::any_of(g.slots.begin(), g.slots.end(),
                       [&](const auto& s) { return s->end == end; });
  }
  const int64_t start = window_start(end);
  return std::any_of(g.slots.begin(), g.slots.end(),
                     [&](const auto& s) { return s->start >= start && s->start < end; });
}

// The first end of g's windows still to fire after watermark_, else when its first slot goes.
int64_t WindowOperator::next_wake(const Group& g) const {
  int64_t wake = INT64_MAX;
  for (const int64_t e : g.pending) wake = std::min(wake, e);
  for (const auto& s : g.slots) {
    const int64_t first = slot_first_end(*s), last = slot_last_end(*s);
    int64_t e = first;
    if (watermark_ != INT64_MIN && e <= watermark_) {
      e = watermark_ >= last ? INT64_MAX : floor_to(watermark_, pane_ms_) + pane_ms_;
    }
    if (e == INT64_MAX) e = last + options_.allowed_lateness_ms;
    wake = std::min(wake, e);
  }
  return wake;
}

void WindowOperator::list(Group& g) {
  g.listed = listed_.size();
  listed_.push_back(&g);
}

void WindowOperator::unlist(Group& g) {
  Group* last = listed_.back();
  listed_[g.listed] = last;
  last->listed = g.listed;
  listed_.pop_back();
}

ChangeMark& WindowOperator::GroupMark::operator()(Group* g) const { return g->change; }

// wake_ is a min-heap with lazy deletion: an entry is live when it is its group's `wake`.
void WindowOperator::wake_at(Group& g, int64_t time) {
  if (time >= g.wake) return;
  g.wake = time;
  wake_.emplace_back(time, &g);
  std::push_heap(wake_.begin(), wake_.end(), std::greater<>());
}

WindowOperator::Group& WindowOperator::group_of(const Batch& batch, size_t r) {
  auto it = groups_.find(std::string_view(key_));
  if (it != groups_.end()) return *it->second;
  it = groups_.emplace(key_, std::make_unique<Group>()).first;
  Group& g = *it->second;
  g.key = &it->first;
  list(g);
  g.strings.reserve(group_fields_.size());
  for (const size_t f : group_fields_) {
    const Value v = batch.get(r, f);
    if (v.type() == Type::kString) {
      g.strings.emplace_back(v.as_string());
      g.values.push_back(Value::of_string(g.strings.back()));
    } else {
      g.values.push_back(v);
    }
  }
  return g;
}

// g's slot [start, end), made (and g woken for it) if new.
WindowOperator::Slot& WindowOperator::slot_of(Group& g, int64_t start, int64_t end) {
  auto& slots = g.slots;
  size_t i = slots.size();
  while (i > 0 && slots[i - 1]->end > end) --i;
  if (i > 0 && slots[i - 1]->end == end) return *slots[i - 1];
  std::unique_ptr<Slot> s;
  if (!free_slots_.empty()) {
    s = std::move(free_slots_.back());
    free_slots_.pop_back();
    for (auto& a : s->aggs) a->reset();
  } else {
    s = std::make_unique<Slot>();
    for (const auto& p : prototypes_) {
      s->aggs.push_back(p->clone());
      s->aggs.back()->reset();
    }
  }
  s->start = start;
  s->end = end;
  s->changed = false;
  Slot& slot = *s;
  slots.insert(slots.begin() + static_cast<ptrdiff_t>(i), std::move(s));
  ++slots_held_;
  // Woken at its first window still to fire, or (a late slot) when it goes.
  const int64_t first = slot_first_end(slot), last = slot_last_end(slot);
  int64_t wake = first;
  if (watermark_ != INT64_MIN && wake <= watermark_) {
    wake = watermark_ >= last ? last + options_.allowed_lateness_ms
                              : floor_to(watermark_, pane_ms_) + pane_ms_;
  }
  wake_at(g, wake);
  return slot;
}

// The row of g's window ending at `end`: its slot, or its panes merged (one pane: as is).
Status WindowOperator::emit_window(const Group& g, int64_t end, Batch& out) {
  const int64_t start = window_start(end);
  const std::vector<std::unique_ptr<Aggregate>>* aggs = nullptr;
  if (!panes_) {
    for (const auto& s : g.slots) {
      if (s->end == end) {
        aggs = &s->aggs;
        s->changed = false;
        break;
      }
    }
  } else {
    size_t n = 0;
    const Slot* only = nullptr;
    for (const auto& s : g.slots) {
      if (s->start < start || s->start >= end) continue;
      if (n++ == 0) only = s.get();
      s->changed = false;
    }
    if (n == 0) return {};
    aggs = &only->aggs;
    if (n > 1) {  // the panes merged, in time order
      for (auto& m : merged_) m->reset();
      for (const auto& s : g.slots) {
        if (s->start < start || s->start >= end) continue;
        for (size_t a = 0; a < merged_.size(); ++a) {
          RIVULET_RETURN_IF_ERROR(merged_[a]->merge(*s->aggs[a]));
        }
      }
      aggs = &merged_;
    }
  }
  if (aggs == nullptr) return {};
  const size_t r = out.add_row(end - 1);
  size_t f = 0;
  for (const Value& v : g.values) {
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  out.set(r, f++, Value::of_int(start));
  out.set(r, f++, Value::of_int(end));
  for (const auto& agg : *aggs) {
    const Value v = agg->result();
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  return {};
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
    // Sessions that touch merge, as Flink's TimeWindow.intersects: a row exactly `gap` after
    // the last one joins its session.
    if (it->first.second <= end && w.end >= t) {
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
    // The pane holding t, and the ends of the windows holding it: pane + pane_ms_ ... last.
    const int64_t pane = floor_to(t, pane_ms_);
    const int64_t lateness = options_.allowed_lateness_ms;
    const int64_t last = options_.step_ms > 0 ? floor_to(t, options_.size_ms) + options_.size_ms
                                              : pane + options_.size_ms;
    ++ctx.counts.filtered;  // absorbed into its windows (or sent to the late output)
    // Past its last window's end plus the allowed lateness, every window of t is gone: late.
    if (watermark_ != INT64_MIN && last + lateness <= watermark_) {
      late_rows.append_row(batch, r);
      continue;
    }
    Group& g = group_of(batch, r);
    changes_.touch(&g);
    if (watermark_ != INT64_MIN && pane + pane_ms_ <= watermark_) {
      // Some of t's windows are past the watermark (latest first): one that fired fires again
      // at once; one the row creates fires at the next watermark; the expired ones are left.
      for (int64_t e = std::min(last, floor_to(watermark_, pane_ms_)); e > pane; e -= pane_ms_) {
        if (e + lateness <= watermark_) break;
        if (std::find(g.pending.begin(), g.pending.end(), e) != g.pending.end()) continue;
        if (window_exists(g, e)) {
          if (dirty_set_.emplace(&g, e).second) dirty_.emplace_back(&g, e);
        } else {
          g.pending.push_back(e);
          wake_at(g, e);
        }
      }
    }
    const auto add = [&](Slot& slot) {
      for (size_t a = 0; a < slot.aggs.size(); ++a) {
        slot.aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
      }
      slot.changed = true;
    };
    if (panes_) {
      add(slot_of(g, pane, pane + pane_ms_));
    } else {
      for (int64_t e = last; e > pane; e -= pane_ms_) {
        if (watermark_ != INT64_MIN && e + lateness <= watermark_) break;
        add(slot_of(g, window_start(e), e));
      }
    }
  }
  // Windows a late row has changed fire again, at once.
  for (const auto& [g, e] : dirty_) {
    RIVULET_RETURN_IF_ERROR(emit_window(*g, e, out));
    ++ctx.counts.added;
  }
  dirty_.clear();
  dirty_set_.clear();
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
  // Tumbling windows, or windows without shared panes (early firings do not share panes): a
  // slot is a window; it has fired when the watermark passed its end, unless it is pending.
  std::vector<std::tuple<int64_t, int64_t, Group*>> open;
  for (Group* g : listed_) {
    for (const auto& s : g->slots) {
      const int64_t e = slot_first_end(*s);
      const bool fired = watermark_ != INT64_MIN && e <= watermark_ &&
                         std::find(g->pending.begin(), g->pending.end(), e) == g->pending.end();
      if (s->changed && !fired) open.emplace_back(e, window_start(e), g);
    }
  }
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), *std::get<2>(a)->key) <
           std::tie(std::get<0>(b), std::get<1>(b), *std::get<2>(b)->key);
  });
  for (const auto& [e, start, g] : open) {
    changes_.touch(g);  // its slots' `changed` flags
    RIVULET_RETURN_IF_ERROR(emit_window(*g, e, batch));  // a partial result: not final
    ++ctx.counts.added;
    ++ctx.counts.out;
  }
  for (auto& [k, w] : sessions_) RIVULET_RETURN_IF_ERROR(early(k.second, *w));
  return {};
}

Status WindowOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  const int64_t previous = watermark_;
  watermark_ = watermark;
  // The groups with windows to fire or slots to drop.
  std::vector<Group*> woken;
  while (!wake_.empty() && wake_.front().first <= watermark) {
    const auto [time, g] = wake_.front();
    std::pop_heap(wake_.begin(), wake_.end(), std::greater<>());
    wake_.pop_back();
    if (g->wake != time || g->woken) continue;  // stale
    g->wake = INT64_MAX;
    g->woken = true;
    changes_.touch(g);  // its windows fire, its pending ones and old slots go
    woken.push_back(g);
  }
  // Their windows that end in (previous, watermark], and those late rows created.
  struct Due {
    int64_t end, start;
    Group* group;
  };
  // Listed group by group in key order, then stably sorted by (end, start): the (end, start,
  // key) order without comparing keys for each window.
  std::sort(woken.begin(), woken.end(),
            [](const Group* a, const Group* b) { return *a->key < *b->key; });
  std::vector<Due> due;
  for (Group* g : woken) {
    const size_t first = due.size();
    for (const int64_t e : g->pending) due.push_back({e, window_start(e), g});
    int64_t next = INT64_MIN;  // ends below this are listed
    for (const auto& s : g->slots) {
      int64_t e = std::max(slot_first_end(*s), next);
      if (previous != INT64_MIN && e <= previous) e = floor_to(previous, pane_ms_) + pane_ms_;
      const int64_t last = std::min(slot_last_end(*s), watermark);
      for (; e <= last; e += pane_ms_) due.push_back({e, window_start(e), g});
      next = std::max(next, e);
    }
    if (!g->pending.empty()) {  // pending windows may also be listed from the slots: once each
      std::sort(due.begin() + static_cast<ptrdiff_t>(first), due.end(),
                [](const Due& a, const Due& b) { return a.end < b.end; });
      due.erase(std::unique(due.begin() + static_cast<ptrdiff_t>(first), due.end(),
                            [](const Due& a, const Due& b) { return a.end == b.end; }),
                due.end());
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
    return a.end < b.end || (a.end == b.end && a.start < b.start);
  });
  for (const Due& d : due) {
    const size_t before = batch.size();
    RIVULET_RETURN_IF_ERROR(emit_window(*d.group, d.end, batch));
    ctx.counts.added += batch.size() - before;
    ctx.counts.out += batch.size() - before;
  }
  // Slots whose last window is past the allowed lateness go; then each group's next wake.
  for (Group* g : woken) {
    g->woken = false;
    g->pending.clear();
    auto& slots = g->slots;
    for (auto it = slots.begin(); it != slots.end();) {
      if (watermark == INT64_MAX ||
          slot_last_end(**it) + options_.allowed_lateness_ms <= watermark) {
        free_slots_.push_back(std::move(*it));
        it = slots.erase(it);
        --slots_held_;
      } else {
        ++it;
      }
    }
    if (slots.empty()) {
      if (!g->idle) {
        g->idle = true;
        idle_.push_back(g);  // kept for its next row, unless too many are idle
      }
    } else {
      wake_at(*g, next_wake(*g));
    }
  }
  if (watermark == INT64_MAX || idle_.size() > 1024 + groups_.size() / 2) {
    // Idle groups go (those without slots still), and the heap entries that name them.
    for (Group* g : idle_) {
      g->idle = false;
      g->woken = g->slots.empty();  // marks the ones to erase
    }
    std::erase_if(wake_, [](const auto& entry) { return entry.second->woken; });
    std::make_heap(wake_.begin(), wake_.end(), std::greater<>());
    for (Group* g : idle_) {
      if (!g->woken) continue;
      unlist(*g);
      changes_.forget(g, *g->key, listed_.size());
      groups_.erase(groups_.find(*g->key));
    }
    idle_.clear();
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

// ---- the state's bytes (version 2) ----
//
// A cereal header: magic, version, watermark, whether slots are panes, pane_ms, the
// aggregates' functions and the number of group fields (so that a state restores only into the
// same windows), then one length-prefixed body of our own, with varints (LEB128; signed ones
// zigzagged) and no sorting (restore rebuilds the maps; the order of the groups changes no
// output):
//   u64 groups, each: key (varint length, bytes), varint slots << 2 | has_pending << 1 |
//     explicit_values, [values], [varint pending, ends], slots: u8 changed | explicit_start << 1,
//     end, [end - start], accumulators
//   varint sessions, each: key, u8 flags, [values], start, end - start, accumulators
//   varint count windows, each: key, u8 flags, [values], start, end - start, varint rows,
//     accumulators
// A group's values are decoded from its key bytes, unless they differ from what the key holds
// (-0.0 keys as 0.0): `explicit_values`, then they follow as type byte and payload. Ends and
// starts are deltas from the previous one written (the same pane for every key of a tumbling
// window: one byte). A slot's start follows from its end (`explicit_start` otherwise). The
// accumulators' own save() bytes are written with each run of zero bytes as 0, then the run's
// length (1-255): counts' high bytes, empty strings' lengths, SUM's 128-bit integer sum of
// doubles are mostly zeros.
constexpr uint32_t kStateMagic = 0x4e495752;  // "RWIN"
constexpr uint32_t kStateVersion = 2;         // 1: unversioned, cereal field by field

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
// a - b and b + d with wrap-around (deltas of any two int64).
int64_t delta(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t add_delta(int64_t b, int64_t d) {
  return static_cast<int64_t>(static_cast<uint64_t>(b) + static_cast<uint64_t>(d));
}

// The body being written: framing appended as is, and (as a streambuf under a StateWriter) the
// accumulators' bytes with zero runs coded. Bytes go through a cursor into a buffer grown
// ahead, not push_back a byte at a time; 8 bytes without a zero (a double, mostly) are copied
// at once.
class BodyWriter final : public std::streambuf {
 public:
  // Drops what was written (the archive's endianness byte) and makes room for n bytes.
  void clear(size_t n) {
    len_ = 0;
    zeros_ = 0;
    if (out_.size() < n) out_.resize(n);
  }
  // Overwrites 8 bytes written by put_fixed64 at `at`.
  void set_fixed64(size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) out_[at + i] = static_cast<char>(v >> (8 * i));
  }
  // The bytes written (the buffer is handed over).
  std::string take() {
    flush_zeros();
    out_.resize(len_);
    len_ = 0;
    return std::move(out_);
  }
  void put_u8(uint8_t v) {
    flush_zeros();
    *room(1) = static_cast<char>(v);
    ++len_;
  }
  void put_varint(uint64_t v) {
    flush_zeros();
    char* p = room(10);
    char* const start = p;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    len_ += static_cast<size_t>(p - start);
  }
  void put_signed(int64_t v) { put_varint(zigzag(v)); }
  void put_bytes(std::string_view s) {
    put_varint(s.size());
    if (!s.empty()) std::memcpy(room(s.size()), s.data(), s.size());
    len_ += s.size();
  }
  // An accumulator's bytes (Aggregate::append_state), zero runs coded as the archive's are.
  void put_accumulator(std::string_view s) { xsputn(s.data(), static_cast<std::streamsize>(s.size())); }
  void put_fixed64(uint64_t v) {
    flush_zeros();
    char* p = room(8);
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
    len_ += 8;
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const auto count = static_cast<size_t>(n);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, s + i, 8);
      constexpr uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
      if (((w - kOnes) & ~w & kHighs) == 0) {  // no zero byte
        flush_zeros();
        std::memcpy(room(8), &w, 8);
        len_ += 8;
      } else {
        put_coded(s + i, 8);
      }
    }
    put_coded(s + i, count - i);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      const char ch = traits_type::to_char_type(c);
      put_coded(&ch, 1);
    }
    return traits_type::not_eof(c);
  }

 private:
  // Room for n more bytes at the cursor.
  char* room(size_t n) {
    if (len_ + n > out_.size()) out_.resize(std::max(out_.size() * 2, len_ + n + 4096));
    return out_.data() + len_;
  }
  // n bytes, each zero counted into the current run.
  void put_coded(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (s[i] == 0) {
        ++zeros_;
      } else {
        flush_zeros();
        *room(1) = s[i];
        ++len_;
      }
    }
  }
  void flush_zeros() {
    while (zeros_ > 0) {
      const size_t run = std::min<size_t>(zeros_, 255);
      char* p = room(2);
      p[0] = 0;
      p[1] = static_cast<char>(run);
      len_ += 2;
      zeros_ -= run;
    }
  }
  std::string out_;
  size_t len_ = 0;
  size_t zeros_ = 0;
};

// The body being read: framing read as is (false when truncated or malformed), and (as a
// streambuf under a StateReader) the accumulators' bytes with zero runs decoded; a short read
// makes cereal throw, which Aggregate::load turns into a Status.
class BodyReader final : public std::streambuf {
 public:
  void reset(std::string_view bytes) {
    p_ = bytes.data();
    end_ = bytes.data() + bytes.size();
    zeros_ = 0;
  }
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  bool at_end() const { return p_ == end_ && zeros_ == 0; }
  bool get_u8(uint8_t& v) {
    if (zeros_ != 0 || p_ == end_) return false;
    v = static_cast<uint8_t>(*p_++);
    return true;
  }
  bool get_varint(uint64_t& v) {
    if (zeros_ != 0) return false;
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const auto b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  bool get_signed(int64_t& v) {
    uint64_t u = 0;
    if (!get_varint(u)) return false;
    v = unzigzag(u);
    return true;
  }
  bool get_bytes(std::string_view& s) {
    uint64_t n = 0;
    if (!get_varint(n) || n > left()) return false;
    s = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool get_fixed64(uint64_t& v) {
    if (zeros_ != 0 || left() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    return true;
  }
  // Whether the accumulators just read ended where their bytes did (no zero run left over).
  bool accumulators_done() const { return zeros_ == 0; }

 protected:
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      if (zeros_ > 0) {
        --zeros_;
        s[i] = 0;
        continue;
      }
      if (p_ == end_) return i;
      const char c = *p_++;
      if (c == 0) {
        if (p_ == end_ || *p_ == 0) return i;  // a run's length is 1 to 255
        zeros_ = static_cast<uint8_t>(*p_++) - 1;
      }
      s[i] = c;
    }
    return n;
  }

 private:
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  size_t zeros_ = 0;
};

// Whether values_from_key gives back exactly `values` (not for -0.0, which keys as 0.0).
bool key_holds(const std::vector<Value>& values) {
  return std::none_of(values.begin(), values.end(), [](const Value& v) {
    return v.type() == Type::kDouble && v.as_double() == 0.0 && std::signbit(v.as_double());
  });
}

void put_values(BodyWriter& w, const std::vector<Value>& values) {
  for (const Value& v : values) {
    w.put_u8(static_cast<uint8_t>(v.type()));
    switch (v.type()) {
      case Type::kNull:
        break;
      case Type::kBool:
        w.put_u8(v.as_bool() ? 1 : 0);
        break;
      case Type::kInt:
        w.put_fixed64(static_cast<uint64_t>(v.as_int()));
        break;
      case Type::kDouble: {
        uint64_t bits = 0;
        const double d = v.as_double();
        std::memcpy(&bits, &d, sizeof bits);
        w.put_fixed64(bits);
        break;
      }
      case Type::kString:
        w.put_bytes(v.as_string());
        break;
    }
  }
}

// n values written by put_values; strings go into `strings` (reserved here: the values view
// them).
bool get_values(BodyReader& r, size_t n, std::vector<Value>& values,
                std::vector<std::string>& strings) {
  values.clear();
  strings.clear();
  strings.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    uint8_t type = 0;
    if (!r.get_u8(type)) return false;
    switch (static_cast<Type>(type)) {
      case Type::kNull:
        values.emplace_back();
        break;
      case Type::kBool: {
        uint8_t b = 0;
        if (!r.get_u8(b)) return false;
        values.push_back(Value::of_bool(b != 0));
        break;
      }
      case Type::kInt: {
        uint64_t bits = 0;
        if (!r.get_fixed64(bits)) return false;
        values.push_back(Value::of_int(static_cast<int64_t>(bits)));
        break;
      }
      case Type::kDouble: {
        uint64_t bits = 0;
        if (!r.get_fixed64(bits)) return false;
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        values.push_back(Value::of_double(d));
        break;
      }
      case Type::kString: {
        std::string_view s;
        if (!r.get_bytes(s)) return false;
        strings.emplace_back(s);
        values.push_back(Value::of_string(strings.back()));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

Status corrupt(std::string_view what) {
  return Status::data_loss(fmt::format("window: corrupt state: {}", what));
}

}  // namespace

void WindowOperator::snapshot(StateWriter& out) const { write_state(out, listed_); }

void WindowOperator::start_changes() { changes_.start(); }

// A change set: a cereal header (magic, version, whether it is whole, the keys of the groups to
// drop: those erased, and those changed that hold nothing any more, which a snapshot leaves
// out), then the state's bytes as a snapshot writes them with only the changed groups that hold
// something. Applied on the state before: the keys dropped, then the groups added, replacing
// any of the same key. When more groups changed or went than are held (windows fired at the end
// of the input: every key would be dropped), it is whole instead: every group held, replacing
// all before.
constexpr uint32_t kChangesMagic = 0x43574952;  // "RIWC"

void WindowOperator::snapshot_changes(StateWriter& out) const {
  if (changes_.whole(listed_.size())) {
    out(kChangesMagic, kStateVersion, true, std::vector<std::string>());
    write_state(out, listed_);
    return;
  }
  std::vector<std::string> drop = changes_.gone();
  for (const Group* g : changes_.changed()) {
    if (g->slots.empty() && g->pending.empty()) drop.push_back(*g->key);
  }
  out(kChangesMagic, kStateVersion, false, drop);
  write_state(out, changes_.changed());
}

Status WindowOperator::restore_changes(StateReader& in) {
  Status status;
  try {
    uint32_t magic = 0, version = 0;
    in(magic, version);
    if (magic != kChangesMagic) return Status::data_loss("window: not a window's change set");
    if (version != kStateVersion) {
      return Status::data_loss(fmt::format("window: change set version {} (this build reads {})",
                                           version, kStateVersion));
    }
    bool whole = false;
    std::vector<std::string> drop;
    in(whole, drop);
    wake_.clear();  // it names groups that go: made anew below
    if (whole) {
      groups_.clear();
      listed_.clear();
      slots_held_ = 0;
    }
    for (const std::string& key : drop) {
      const auto it = groups_.find(key);
      if (it == groups_.end()) continue;
      unlist(*it->second);
      slots_held_ -= it->second->slots.size();
      groups_.erase(it);
    }
    // Sessions and count windows are in each change set whole.
    sessions_.clear();
    dirty_sessions_.clear();
    counting_.clear();
    counted_.clear();
    upsert_ = true;
    status = restore_state(in);
  } catch (const std::exception& e) {  // cereal: truncated header; bad_alloc
    status = corrupt(e.what());
  }
  upsert_ = false;
  rewake_all();
  return status;
}

void WindowOperator::rewake_all() {
  wake_.clear();
  idle_.clear();
  for (Group* g : listed_) {
    g->woken = false;
    g->wake = next_wake(*g);
    if (g->wake != INT64_MAX) wake_.emplace_back(g->wake, g);
    g->idle = g->slots.empty();
    if (g->idle) idle_.push_back(g);
  }
  std::make_heap(wake_.begin(), wake_.end(), std::greater<>());
}

void WindowOperator::write_state(StateWriter& out, const std::vector<Group*>& groups) const {
  BodyWriter body;
  std::ostream accumulators_stream(&body);
  StateWriter accumulators(accumulators_stream);
  // Drops the archive's endianness byte (restore's archive reads one of its own).
  body.clear(groups.size() * (24 + 8 * prototypes_.size()));
  // Tumbling, hopping and cumulative windows: the groups with slots or pending windows (not idle
  // ones), in listed_'s order.
  body.put_fixed64(0);  // the number of groups written, set at the end
  uint64_t n = 0;
  int64_t prev = 0;  // the last end (or start) written
  // Accumulators: their bytes without the archive where they can (the same bytes).
  std::string scratch;
  const auto put_aggs = [&](const std::vector<std::unique_ptr<Aggregate>>& aggs) {
    for (const auto& agg : aggs) {
      scratch.clear();
      if (agg->append_state(scratch)) {
        body.put_accumulator(scratch);
      } else {
        agg->save(accumulators);
      }
    }
  };
  const auto put_group = [&](const Group& g) {
    if (g.slots.empty() && g.pending.empty()) return;
    ++n;
    body.put_bytes(*g.key);
    const bool explicit_values = !key_holds(g.values);
    body.put_varint(static_cast<uint64_t>(g.slots.size()) << 2 |
                    static_cast<uint64_t>(!g.pending.empty()) << 1 |
                    static_cast<uint64_t>(explicit_values));
    if (explicit_values) put_values(body, g.values);
    if (!g.pending.empty()) {
      body.put_varint(g.pending.size());
      for (const int64_t e : g.pending) {
        body.put_signed(delta(e, prev));
        prev = e;
      }
    }
    for (const auto& slot : g.slots) {
      const int64_t start = panes_ ? slot->end - pane_ms_ : window_start(slot->end);
      const bool explicit_start = slot->start != start;
      body.put_u8(static_cast<uint8_t>(slot->changed) | static_cast<uint8_t>(explicit_start) << 1);
      body.put_signed(delta(slot->end, prev));
      prev = slot->end;
      if (explicit_start) body.put_signed(delta(slot->end, slot->start));
      put_aggs(slot->aggs);
    }
  };
  // A group's state is spread over a dozen allocations (group, key, slots, accumulators) that
  // a large state holds in no cache: the groups a few places ahead are prefetched in stages, a
  // level of pointers at each (the group; its key and slot array; its slots; their accumulator
  // arrays; the accumulators), so that their misses overlap with the writing of the current one.
  constexpr size_t kGroup = 20, kSlots = 16, kSlot = 12, kAggs = 8, kAgg = 4;
  const size_t listed = groups.size();
  for (size_t k = 0; k < listed; ++k) {
    if (k + kGroup < listed) __builtin_prefetch(groups[k + kGroup]);
    if (k + kSlots < listed) {
      const Group& g = *groups[k + kSlots];
      __builtin_prefetch(g.key);
      if (!g.slots.empty()) __builtin_prefetch(g.slots.data());
    }
    if (k + kSlot < listed) {
      for (const auto& slot : groups[k + kSlot]->slots) __builtin_prefetch(slot.get());
    }
    if (k + kAggs < listed) {
      for (const auto& slot : groups[k + kAggs]->slots) __builtin_prefetch(slot->aggs.data());
    }
    if (k + kAgg < listed) {
      for (const auto& slot : groups[k + kAgg]->slots) {
        for (const auto& agg : slot->aggs) __builtin_prefetch(agg.get());
      }
    }
    put_group(*groups[k]);
  }
  body.set_fixed64(0, n);
  // Sessions and count windows, in their maps' order.
  const auto put_window = [&](const std::string& key, int64_t start, const Window& w) {
    body.put_bytes(key);
    const bool explicit_values = !key_holds(w.group);
    body.put_u8(static_cast<uint8_t>(w.fired) | static_cast<uint8_t>(w.dirty) << 1 |
                static_cast<uint8_t>(w.changed) << 2 | static_cast<uint8_t>(explicit_values) << 3);
    if (explicit_values) put_values(body, w.group);
    body.put_signed(delta(start, prev));
    prev = start;
    body.put_signed(delta(w.end, start));
  };
  body.put_varint(sessions_.size());
  for (const auto& [k, w] : sessions_) {
    put_window(k.first, k.second, *w);
    put_aggs(w->aggs);
  }
  body.put_varint(counting_.size());
  for (const auto& [k, sw] : counting_) {
    put_window(k, sw.first, *sw.second);
    const auto it = counted_.find(k);
    body.put_signed(it == counted_.end() ? 0 : it->second);
    put_aggs(sw.second->aggs);
  }
  std::vector<uint8_t> functions;
  for (const auto& p : prototypes_) functions.push_back(static_cast<uint8_t>(p->function()));
  const std::string done = body.take();
  out(kStateMagic, kStateVersion, watermark_, panes_, pane_ms_, functions,
      static_cast<uint32_t>(group_fields_.size()), static_cast<uint64_t>(done.size()));
  out(cereal::binary_data(done.data(), done.size()));
}

Status WindowOperator::restore_rescaled(const std::vector<std::string>& snapshots,
                                        const PartitionFilter& keep) {
  RIVULET_ASSIGN_OR_RETURN(rescale_index_,
                           internal::partition_key_index(grouping_fields(), keep, name()));
  rescale_keep_ = &keep;
  int64_t watermark = INT64_MIN;
  Status status;
  for (size_t i = 0; i < snapshots.size() && status.ok(); ++i) {
    std::istringstream is(snapshots[i]);
    StateReader in(is);
    // The first restores as usual (clearing); the others add their groups.
    if (i == 0) {
      status = restore(in);
    } else {
      try {
        status = restore_state(in);
      } catch (const std::exception& e) {
        status = corrupt(e.what());
      }
    }
    watermark = std::max(watermark, watermark_);
  }
  watermark_ = watermark;
  rescale_keep_ = nullptr;
  return status;
}

Status WindowOperator::restore(StateReader& in) {
  const auto clear = [&] {
    groups_.clear();
    listed_.clear();
    wake_.clear();
    idle_.clear();
    free_slots_.clear();
    slots_held_ = 0;
    dirty_.clear();
    dirty_set_.clear();
    sessions_.clear();
    dirty_sessions_.clear();
    counting_.clear();
    counted_.clear();
    watermark_ = INT64_MIN;
    changes_.stop();  // until the next start_changes
  };
  clear();
  Status status;
  try {
    status = restore_state(in);
  } catch (const std::exception& e) {  // cereal: truncated header; bad_alloc
    status = corrupt(e.what());
  }
  if (!status.ok()) clear();
  return status;
}

Status WindowOperator::restore_state(StateReader& in) {
  uint32_t magic = 0, version = 0;
  in(magic, version);
  if (magic != kStateMagic) {
    return Status::data_loss(
        "window: not a window's state (or one of an older build, which wrote no version)");
  }
  if (version != kStateVersion) {
    return Status::data_loss(
        fmt::format("window: state version {} (this build reads {})", version, kStateVersion));
  }
  bool panes = false;
  int64_t pane_ms = 0;
  std::vector<uint8_t> functions;
  uint32_t n_group_fields = 0;
  uint64_t size = 0;
  in(watermark_, panes, pane_ms, functions, n_group_fields, size);
  bool same = panes == panes_ && pane_ms == pane_ms_ && functions.size() == prototypes_.size() &&
              n_group_fields == group_fields_.size();
  for (size_t a = 0; same && a < functions.size(); ++a) {
    same = functions[a] == static_cast<uint8_t>(prototypes_[a]->function());
  }
  if (!same) {
    return Status::data_loss("window: the state was written for other windows or aggregates");
  }
  // Read in pieces: a corrupt size fails at the end of the bytes, not in one huge allocation.
  std::string bytes;
  constexpr uint64_t kPiece = uint64_t{1} << 24;
  for (uint64_t done = 0; done < size;) {
    const size_t piece = static_cast<size_t>(std::min(kPiece, size - done));
    bytes.resize(static_cast<size_t>(done) + piece);
    in(cereal::binary_data(bytes.data() + done, piece));
    done += piece;
  }

  BodyReader body;
  static constexpr char kLittleEndian[] = {1};
  body.reset(std::string_view(kLittleEndian, 1));
  std::istream accumulators_stream(&body);
  StateReader accumulators(accumulators_stream);
  body.reset(bytes);
  const auto load_aggs = [&](std::vector<std::unique_ptr<Aggregate>>& aggs) -> Status {
    aggs.reserve(prototypes_.size());
    for (const auto& p : prototypes_) {
      aggs.push_back(p->clone());
      if (Status s = aggs.back()->load(accumulators); !s.ok()) return corrupt(s.message());
    }
    if (!body.accumulators_done()) return corrupt("accumulator bytes");
    return {};
  };

  uint64_t n = 0;
  if (!body.get_fixed64(n) || n > body.left()) return corrupt("group count");
  groups_.reserve(static_cast<size_t>(n));
  wake_.reserve(static_cast<size_t>(n));
  // The groups are made in the order of the bytes, then put into the map in the order of its
  // buckets: inserted in the bytes' (random) order, each insertion would miss the cache on its
  // bucket and its neighbours in the map's list.
  struct Made {
    size_t bucket;
    std::string_view key;  // into `bytes`
    std::unique_ptr<Group> group;
    bool explicit_values;
  };
  std::vector<Made> made;
  made.reserve(static_cast<size_t>(n));
  const size_t buckets = groups_.bucket_count();
  int64_t prev = 0;
  // Rescaling: whether a group (by its key) stays in this partition.
  const auto mine = [&](std::string_view key) {
    return rescale_keep_ == nullptr || internal::keeps_key(*rescale_keep_, key,
                                                               group_fields_.size(), rescale_index_);
  };
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    uint64_t head = 0;
    if (!body.get_bytes(key) || !body.get_varint(head)) return corrupt("a group");
    made.push_back({KeyHash{}(key) % buckets, key, std::make_unique<Group>(), (head & 1) != 0});
    Group& g = *made.back().group;
    if ((head & 1) != 0 && !get_values(body, group_fields_.size(), g.values, g.strings)) {
      return corrupt("a group's values");
    }
    if ((head & 2) != 0) {
      uint64_t pending = 0;
      if (!body.get_varint(pending) || pending == 0 || pending > body.left()) {
        return corrupt("pending windows");
      }
      g.pending.reserve(static_cast<size_t>(pending));
      for (uint64_t j = 0; j < pending; ++j) {
        int64_t d = 0;
        if (!body.get_signed(d)) return corrupt("pending windows");
        prev = add_delta(prev, d);
        g.pending.push_back(prev);
      }
    }
    const uint64_t slots = head >> 2;
    if (slots > body.left()) return corrupt("a group's slots");
    g.slots.reserve(static_cast<size_t>(slots));
    for (uint64_t j = 0; j < slots; ++j) {
      uint8_t flags = 0;
      int64_t d = 0;
      if (!body.get_u8(flags) || flags > 3 || !body.get_signed(d)) return corrupt("a slot");
      auto slot = std::make_unique<Slot>();
      slot->changed = (flags & 1) != 0;
      slot->end = prev = add_delta(prev, d);
      if (!g.slots.empty() && g.slots.back()->end >= slot->end) return corrupt("slot order");
      slot->start = panes_ ? slot->end - pane_ms_ : window_start(slot->end);
      if ((flags & 2) != 0) {
        if (!body.get_signed(d)) return corrupt("a slot");
        slot->start = delta(slot->end, d);
      }
      RIVULET_RETURN_IF_ERROR(load_aggs(slot->aggs));
      g.slots.push_back(std::move(slot));
    }
    if (!mine(made.back().key)) {
      made.pop_back();
      continue;
    }
    slots_held_ += g.slots.size();
    g.wake = next_wake(g);
    if (g.wake != INT64_MAX) wake_.emplace_back(g.wake, &g);
  }
  std::make_heap(wake_.begin(), wake_.end(), std::greater<>());
  std::sort(made.begin(), made.end(),
            [](const Made& a, const Made& b) { return a.bucket < b.bucket; });
  for (size_t i = 0; i < made.size(); ++i) {
    if (i + 16 < made.size()) {
      __builtin_prefetch(made[i + 16].key.data());
      __builtin_prefetch(made[i + 16].group.get());
    }
    Made& m = made[i];
    auto [it, inserted] = groups_.try_emplace(std::string(m.key));
    if (!inserted) {
      if (!upsert_) return corrupt("a group twice");
      unlist(*it->second);  // a changed group replaces the one before
      slots_held_ -= it->second->slots.size();
    }
    Group& g = *m.group;
    it->second = std::move(m.group);
    g.key = &it->first;
    list(g);
    if (!m.explicit_values && !internal::values_from_key(*g.key, group_fields_.size(), g.values)) {
      return corrupt("a group's key");  // (the values view the map's key)
    }
  }

  // Sessions and count windows: key, flags, values, start, end, accumulators.
  const auto get_window = [&](std::string_view& key, int64_t& start, Window& w) -> Status {
    uint8_t flags = 0;
    int64_t d = 0;
    if (!body.get_bytes(key) || !body.get_u8(flags) || flags > 15) return corrupt("a window");
    w.fired = (flags & 1) != 0;
    w.dirty = (flags & 2) != 0;
    w.changed = (flags & 4) != 0;
    if ((flags & 8) != 0) {
      if (!get_values(body, group_fields_.size(), w.group, w.strings)) {
        return corrupt("a window's values");
      }
    } else {
      std::vector<Value> views;  // into `key`: copied into the window's own strings
      if (!internal::values_from_key(key, group_fields_.size(), views)) return corrupt("a window's key");
      w.strings.reserve(views.size());
      for (const Value& v : views) {
        if (v.type() == Type::kString) {
          w.strings.emplace_back(v.as_string());
          w.group.push_back(Value::of_string(w.strings.back()));
        } else {
          w.group.push_back(v);
        }
      }
    }
    if (!body.get_signed(d)) return corrupt("a window");
    start = prev = add_delta(prev, d);
    if (!body.get_signed(d)) return corrupt("a window");
    w.end = add_delta(start, d);
    return {};
  };
  if (!body.get_varint(n) || n > body.left()) return corrupt("session count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    int64_t start = 0;
    auto w = std::make_unique<Window>();
    RIVULET_RETURN_IF_ERROR(get_window(key, start, *w));
    RIVULET_RETURN_IF_ERROR(load_aggs(w->aggs));
    if (!mine(key)) continue;
    const size_t before = sessions_.size();
    sessions_.emplace_hint(sessions_.end(), std::pair(std::string(key), start), std::move(w));
    if (sessions_.size() == before) return corrupt("a session twice");
  }
  if (!body.get_varint(n) || n > body.left()) return corrupt("count window count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    int64_t start = 0, counted = 0;
    auto w = std::make_unique<Window>();
    RIVULET_RETURN_IF_ERROR(get_window(key, start, *w));
    if (!body.get_signed(counted) || counted < 1 || counted >= options_.count) {
      return corrupt("a count window's rows");
    }
    RIVULET_RETURN_IF_ERROR(load_aggs(w->aggs));
    if (!mine(key)) continue;
    const size_t before = counting_.size();
    counting_.emplace_hint(counting_.end(), std::string(key), std::pair(start, std::move(w)));
    if (counting_.size() == before) return corrupt("a count window twice");
    counted_.emplace_hint(counted_.end(), std::string(key), counted);
  }
  if (!body.at_end()) return corrupt("bytes after the windows");
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
namespace {

// A FIFO in one power-of-two ring buffer (std::deque allocates a 512-byte block and a map even
// when it holds one element, and a rolling partition usually holds a few).
template <class T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const T& front() const { return buf_[head_]; }
  const T& operator[](size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  // Asks the CPU to bring the oldest elements into its cache (a snapshot reads them next).
  void prefetch() const {
    if (size_ > 0) {
      __builtin_prefetch(&buf_[head_]);
      __builtin_prefetch(reinterpret_cast<const char*>(&buf_[head_]) + 64);
    }
  }
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  void push_back(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = v;
    ++size_;
  }

 private:
  void grow() {
    std::vector<T> bigger(buf_.empty() ? 4 : buf_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    buf_.swap(bigger);
    head_ = 0;
  }
  std::vector<T> buf_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace

struct OverOperator::Partition {
  ChangeMark change;  // its place among the changed partitions (ChangeLog)
  Ring<int64_t> times;
  Ring<Value> values;
  std::unique_ptr<std::deque<std::string>> strings;  // made at the first string argument
  std::vector<std::unique_ptr<Aggregate>> aggs;
  int64_t newest = INT64_MIN;

  // Removes the oldest row from the accumulators and the buffers.
  Status pop_oldest() {
    for (size_t a = 0; a < aggs.size(); ++a) {
      const Value v = values.front();
      RIVULET_RETURN_IF_ERROR(aggs[a]->remove(v));
      if (v.type() == Type::kString) strings->pop_front();
      values.pop_front();
    }
    times.pop_front();
    return {};
  }
  // Keeps a row's argument (its string copied here).
  void push(Value v) {
    if (v.type() == Type::kString) {
      if (!strings) strings = std::make_unique<std::deque<std::string>>();
      strings->emplace_back(v.as_string());
      v = Value::of_string(strings->back());
    }
    values.push_back(v);
  }
  // A copy that shares nothing with this one (its string arguments point into its own).
  std::shared_ptr<Partition> copy() const {
    auto p = std::make_shared<Partition>();
    p->change = change;
    p->times = times;
    p->newest = newest;
    p->aggs.reserve(aggs.size());
    for (const auto& a : aggs) p->aggs.push_back(a->clone());
    for (size_t i = 0; i < values.size(); ++i) p->push(values[i]);
    return p;
  }
};

OverOperator::OverOperator(Options options) : options_(std::move(options)) {}
OverOperator::~OverOperator() = default;

Result<std::unique_ptr<OverOperator>> OverOperator::create(Options options) {
  if (options.rows) {
    if (*options.rows < 0 || options.range_ms != 0) {
      return error_at(options.pos,
                      fmt::format("over: 'rows' must be >= 0, without 'range_ms'; got rows {}",
                                  *options.rows));
    }
  } else if (options.range_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("over: 'range_ms' must be > 0, got {}", options.range_ms));
  }
  if (options.aggregates.empty()) {
    return error_at(options.pos, "over: no aggregates (give e.g. {payments_1h: \"COUNT(*)\"})");
  }
  return std::unique_ptr<OverOperator>(new OverOperator(std::move(options)));
}

Result<SchemaPtr> OverOperator::open(SchemaPtr input, OpenContext& ctx) {
  in_schema_ = input;
  if (options_.order == Order::kEventTime) {
    late_side_ = ctx.declare_side_output("late", input);
    waiting_ = std::make_unique<Batch>(input);
  }
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

OverOperator::Partition& OverOperator::partition_of(const Batch& batch, size_t r) {
  key_.clear();
  internal::append_key_bytes(batch, r, key_fields_, key_);
  auto it = partitions_.find(key_);
  if (it == partitions_.end()) {
    auto part = std::make_shared<Partition>();
    for (const auto& p : prototypes_) {
      part->aggs.push_back(p->clone());
      part->aggs.back()->reset();
    }
    it = partitions_.emplace(key_, std::move(part)).first;
  } else {
    // Copy on write: a snapshot being written (snapshot_async) holds the partition, so the
    // row goes to a copy. The count is read relaxed; once it reads 1, the fence orders the
    // writes below after the snapshot's reads, which its release of the partition ended.
    const bool held = it->second.use_count() > 1;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (held) it->second = it->second->copy();
  }
  changes_.touch(&*it);
  return *it->second;
}

ChangeMark& OverOperator::ItemMark::operator()(const Item* item) const {
  return item->second->change;
}

Status OverOperator::take(const Batch& batch, size_t r, Batch& out, bool copy_strings,
                          Partition* found) {
  Partition& part = found != nullptr ? *found : partition_of(batch, r);
  const int64_t t = batch.event_time(r);
  if (options_.rows) {
    // ROWS: the `rows` rows before this one stay.
    while (part.times.size() > static_cast<size_t>(*options_.rows)) {
      RIVULET_RETURN_IF_ERROR(part.pop_oldest());
    }
  } else {
    // RANGE: rows more than range_ms before this one leave, oldest first.
    while (!part.times.empty() && part.times.front() <= t - options_.range_ms) {
      RIVULET_RETURN_IF_ERROR(part.pop_oldest());
    }
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
  if (!copy_strings) {
    for (size_t f = 0; f < n_in_; ++f) out.set(o, f, in[f]);  // strings stay in batch's arena
  } else {
    for (size_t f = 0; f < n_in_; ++f) {
      if (in[f].type() == Type::kString) {
        out.set_string(o, f, in[f].as_string());
      } else {
        out.set(o, f, in[f]);
      }
    }
  }
  for (size_t a = 0; a < part.aggs.size(); ++a) {
    const Value v = part.aggs[a]->result();
    if (v.type() == Type::kString) {
      out.set_string(o, n_in_ + a, v.as_string());
    } else {
      out.set(o, n_in_ + a, v);
    }
  }
  return {};
}

Status OverOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  if (options_.order == Order::kEventTime) {
    // Rows wait for the watermark to pass them; those it has passed are late.
    Batch late(batch.shared_schema());
    for (size_t r = 0; r < n; ++r) {
      ++ctx.counts.filtered;  // out again (added) when the watermark passes it, or late
      if (watermark_ != INT64_MIN && batch.event_time(r) < watermark_) {
        late.append_row(batch, r);
      } else {
        waiting_->append_row(batch, r);
      }
    }
    if (!late.empty()) ctx.side(late_side_, late);
    batch.reset(out_schema_);
    return {};
  }
  Batch out(out_schema_);
  out.reserve(n);
  // The rows' partitions first, each prefetched: the lookups of different rows overlap their
  // cache misses, instead of each row waiting for its partition's in turn.
  found_.clear();
  for (size_t r = 0; r < n; ++r) {
    Partition& part = partition_of(batch, r);
    __builtin_prefetch(&part);
    found_.push_back(&part);
  }
  for (size_t r = 0; r < n; ++r) {
    // The input's strings stay in its arena, which out takes over.
    RIVULET_RETURN_IF_ERROR(take(batch, r, out, /*copy_strings=*/false, found_[r]));
  }
  ctx.counts.out += out.size();
  internal::hand_over(batch, out);
  return {};
}

Status OverOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  if (options_.order == Order::kEventTime && waiting_ && !waiting_->empty()) {
    // The rows the watermark has passed, in event-time order (ties in arrival order).
    std::vector<size_t> ready;
    for (size_t r = 0; r < waiting_->size(); ++r) {
      if (watermark == INT64_MAX || waiting_->event_time(r) < watermark) ready.push_back(r);
    }
    std::stable_sort(ready.begin(), ready.end(), [&](size_t a, size_t b) {
      return waiting_->event_time(a) < waiting_->event_time(b);
    });
    for (const size_t r : ready) {
      RIVULET_RETURN_IF_ERROR(take(*waiting_, r, batch, /*copy_strings=*/true));
      ++ctx.counts.added;
      ++ctx.counts.out;
    }
    if (!ready.empty()) {
      auto rest = std::make_unique<Batch>(in_schema_);
      for (size_t r = 0; r < waiting_->size(); ++r) {
        if (!(watermark == INT64_MAX || waiting_->event_time(r) < watermark)) {
          rest->append_row(*waiting_, r);
        }
      }
      waiting_ = std::move(rest);
    }
  }
  watermark_ = std::max(watermark_, watermark);
  // RANGE: a partition whose newest row is a whole range behind the watermark has nothing left
  // in range. ROWS: partitions are kept (until the end of the input).
  std::erase_if(partitions_, [&](const auto& kv) {
    const bool gone = watermark == INT64_MAX ||
                      (!options_.rows && kv.second->newest <= watermark - options_.range_ms);
    if (gone) changes_.forget(&kv, kv.first, partitions_.size() - 1);
    return gone;
  });
  return {};
}

// Over's state: a magic number and version, then per partition its key, newest time, rows'
// times and their aggregate arguments packed in one string (encode_values: a type byte, then
// 8 bytes of a number or a 4-byte length and a string's text), and its accumulators; then the
// watermark and the rows waiting for it, each packed the same way. One string a partition,
// not one a value: the snapshot is the pause of a checkpoint.
constexpr uint32_t kOverStateMagic = 0x7276766f;  // "ovvr"
constexpr uint32_t kOverStateVersion = 2;

void OverOperator::snapshot(StateWriter& out) const {
  std::vector<const Item*> items;
  items.reserve(partitions_.size());
  for (const auto& item : partitions_) items.push_back(&item);
  write_state(out, items, watermark_, waiting_.get(), n_in_);
}

void OverOperator::start_changes() { changes_.start(); }

// A change set: a cereal header (magic, version, whether it is whole, the keys of the
// partitions that went), then the state's bytes as a snapshot writes them with only the
// partitions that got a row since start_changes (whole: all of them). Applied on the state
// before: the keys dropped (whole: every partition), then the partitions added, replacing any
// of the same key; the waiting rows and the watermark replace those held.
constexpr uint32_t kOverChangesMagic = 0x43564f52;  // "ROVC"

void OverOperator::snapshot_changes(StateWriter& out) const {
  if (changes_.whole(partitions_.size())) {
    out(kOverChangesMagic, kOverStateVersion, true, std::vector<std::string>());
    snapshot(out);
    return;
  }
  out(kOverChangesMagic, kOverStateVersion, false, changes_.gone());
  write_state(out, changes_.changed(), watermark_, waiting_.get(), n_in_);
}

std::function<void(StateWriter&)> OverOperator::snapshot_async(bool changes) {
  // What the function writes: the partitions (their keys copied, as a partition may go while
  // it runs), the keys that went, the watermark and a copy of the rows waiting for it.
  struct Frozen {
    bool changes = false, whole = true;
    std::vector<Item> items;
    std::vector<std::string> gone;
    int64_t watermark = INT64_MIN;
    std::unique_ptr<Batch> waiting;
    size_t n_in = 0;
  };
  auto f = std::make_shared<Frozen>();
  f->changes = changes;
  f->whole = !changes || changes_.whole(partitions_.size());
  if (f->whole) {
    f->items.reserve(partitions_.size());
    for (const auto& item : partitions_) f->items.emplace_back(item);
  } else {
    const auto& changed = changes_.changed();
    f->items.reserve(changed.size());
    for (const Item* item : changed) f->items.emplace_back(*item);
    f->gone = changes_.gone();
  }
  f->watermark = watermark_;
  if (waiting_) {
    f->waiting = std::make_unique<Batch>(in_schema_);
    for (size_t r = 0; r < waiting_->size(); ++r) f->waiting->append_row(*waiting_, r);
  }
  f->n_in = n_in_;
  return [f](StateWriter& out) {
    if (f->changes) {
      out(kOverChangesMagic, kOverStateVersion, f->whole,
          f->whole ? std::vector<std::string>() : f->gone);
    }
    std::vector<const Item*> items;
    items.reserve(f->items.size());
    for (const Item& item : f->items) items.push_back(&item);
    write_state(out, items, f->watermark, f->waiting.get(), f->n_in);
  };
}

Status OverOperator::restore_changes(StateReader& in) {
  try {
    uint32_t magic = 0, version = 0;
    in(magic, version);
    if (magic != kOverChangesMagic || version != kOverStateVersion) {
      return Status::data_loss(fmt::format(
          "over: not an over step's change set of version {} (magic {:#x}, version {})",
          kOverStateVersion, magic, version));
    }
    bool whole = false;
    std::vector<std::string> gone;
    in(whole, gone);
    if (whole) partitions_.clear();
    for (const std::string& key : gone) partitions_.erase(key);
  } catch (const std::exception& e) {
    return Status::data_loss(fmt::format("over: corrupt change set: {}", e.what()));
  }
  return read_state(in, nullptr, 0, ReadMode::kChanges);
}

void OverOperator::write_state(StateWriter& out, const std::vector<const Item*>& items,
                               int64_t watermark, const Batch* waiting_rows, size_t n_in) {
  out(kOverStateMagic, kOverStateVersion, static_cast<uint64_t>(items.size()));
  // The walk is bound by cache misses, partitions and their buffers being scattered over the
  // heap, not by the encoding: the partitions a few places ahead are prefetched in stages
  // (the map's node, then the partition, then its buffers and accumulators), so that their
  // loads overlap with the encoding of the current one.
  constexpr size_t kNode = 12, kPartition = 8, kBuffers = 4;
  // Each partition's bytes are those of out(key, newest, times, values) and its accumulators'
  // save(), made in `buf` without the archive (append_state_*) and written a block at a time:
  // the archive's calls and the copies through a vector and a string were a third of the time.
  std::string buf;
  constexpr size_t kBlock = size_t{1} << 16;
  buf.reserve(2 * kBlock);
  const auto write_buf = [&] {
    if (!buf.empty()) out(cereal::binary_data(buf.data(), buf.size()));
    buf.clear();
  };
  std::string values;
  for (size_t k = 0; k < items.size(); ++k) {
    if (k + kNode < items.size()) __builtin_prefetch(items[k + kNode]);
    if (k + kPartition < items.size()) __builtin_prefetch(items[k + kPartition]->second.get());
    if (k + kBuffers < items.size()) {
      const Partition& ahead = *items[k + kBuffers]->second;
      ahead.times.prefetch();
      ahead.values.prefetch();
      for (const auto& a : ahead.aggs) __builtin_prefetch(a.get());
    }
    const auto& [key, part] = *items[k];
    append_state_string(buf, key);
    append_state_value(buf, part->newest);
    append_state_value(buf, static_cast<uint64_t>(part->times.size()));
    for (size_t i = 0; i < part->times.size(); ++i) append_state_value(buf, part->times[i]);
    const size_t length_at = buf.size();  // the values' length, known once they are encoded
    append_state_value(buf, uint64_t{0});
    for (size_t i = 0; i < part->values.size(); ++i) {
      const Value v = part->values[i];
      internal::encode_values(&v, 1, buf);
    }
    const uint64_t length = buf.size() - length_at - sizeof(uint64_t);
    std::memcpy(buf.data() + length_at, &length, sizeof length);
    for (const auto& a : part->aggs) {
      if (!a->append_state(buf)) {
        write_buf();
        a->save(out);
      }
    }
    if (buf.size() >= kBlock) write_buf();
  }
  write_buf();
  // The watermark, and the rows waiting for it (order kEventTime): time and values of each.
  const size_t waiting = waiting_rows != nullptr ? waiting_rows->size() : 0;
  out(watermark, static_cast<uint64_t>(waiting));
  for (size_t r = 0; r < waiting; ++r) {
    values.clear();
    internal::encode_values(waiting_rows->row(r), n_in, values);
    out(waiting_rows->event_time(r), values);
  }
}

Status OverOperator::restore(StateReader& in) {
  changes_.stop();  // until the next start_changes
  return read_state(in, nullptr, 0, ReadMode::kRestore);
}

Status OverOperator::restore_rescaled(const std::vector<std::string>& snapshots,
                                      const PartitionFilter& keep) {
  RIVULET_ASSIGN_OR_RETURN(const size_t k,
                           internal::partition_key_index(grouping_fields(), keep, name()));
  for (size_t i = 0; i < snapshots.size(); ++i) {
    std::istringstream is(snapshots[i]);
    StateReader in(is);
    const ReadMode mode = i == 0 ? ReadMode::kRestore : ReadMode::kAdd;
    RIVULET_RETURN_IF_ERROR(read_state(in, &keep, k, mode));
  }
  return {};
}

Status OverOperator::read_state(StateReader& in, const PartitionFilter* keep, size_t key_index,
                                ReadMode mode) {
  const bool first = mode != ReadMode::kAdd;  // the waiting rows and watermark replace
  if (mode == ReadMode::kRestore) partitions_.clear();
  try {
    uint32_t magic = 0, version = 0;
    uint64_t n = 0;
    in(magic, version);
    if (magic != kOverStateMagic || version != kOverStateVersion) {
      return Status::data_loss(fmt::format(
          "over: not an over step's state of version {} (magic {:#x}, version {})",
          kOverStateVersion, magic, version));
    }
    in(n);
    std::vector<Value> decoded;
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      auto part = std::make_shared<Partition>();
      std::vector<int64_t> times;
      std::string values;
      in(key, part->newest, times, values);
      const size_t count = times.size() * prototypes_.size();
      if (count > values.size()) {  // each value takes at least a byte
        return Status::data_loss("over: corrupt state: rows and values do not match");
      }
      decoded.resize(count);
      if (!internal::decode_values(values, count, decoded.data())) {
        return Status::data_loss("over: corrupt state: a partition's values");
      }
      for (const int64_t t : times) part->times.push_back(t);
      for (const Value& v : decoded) part->push(v);  // push copies strings
      for (const auto& p : prototypes_) {
        auto a = p->clone();
        RIVULET_RETURN_IF_ERROR(a->load(in));
        part->aggs.push_back(std::move(a));
      }
      if (keep != nullptr && !internal::keeps_key(*keep, key, key_fields_.size(), key_index)) {
        continue;
      }
      if (mode == ReadMode::kChanges) {
        partitions_.insert_or_assign(std::move(key), std::move(part));
      } else {
        partitions_.emplace(std::move(key), std::move(part));
      }
    }
    uint64_t waiting = 0;
    int64_t watermark = INT64_MIN;
    in(watermark, waiting);
    watermark_ = first ? watermark : std::max(watermark_, watermark);
    if (waiting > 0 && !waiting_) {
      return Status::data_loss("over: corrupt state: rows wait without order event_time");
    }
    if (waiting_ && first) waiting_ = std::make_unique<Batch>(in_schema_);
    for (uint64_t i = 0; i < waiting; ++i) {
      int64_t t = 0;
      std::string values;
      in(t, values);
      decoded.resize(n_in_);
      if (!internal::decode_values(values, n_in_, decoded.data())) {
        return Status::data_loss("over: corrupt state: a waiting row");
      }
      if (keep != nullptr && !keep->accepts(decoded[key_fields_[key_index]])) continue;
      const size_t r = waiting_->add_row(t);
      for (size_t f = 0; f < n_in_; ++f) {
        const Value v = decoded[f];
        if (v.type() == Type::kString) {
          waiting_->set_string(r, f, v.as_string());
        } else {
          waiting_->set(r, f, v);
        }
      }
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

// For the other aggregating steps (stream/group.cc).
namespace internal {
Status resolve_aggregates(const std::vector<WindowAggregate>& aggregates, const Schema& input,
                          std::string_view step, bool removable,
                          std::vector<std::optional<size_t>>& fields,
                          std::vector<std::unique_ptr<Aggregate>>& prototypes,
                          std::vector<SchemaField>& out) {
  return stream::resolve_aggregates(aggregates, input, step, removable, fields, prototypes, out);
}
}  // namespace internal

}  // namespace rivulet::stream
