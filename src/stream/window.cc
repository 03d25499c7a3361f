#include "rivulet/stream/window.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <regex>
#include <sstream>

#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

// A window of one group: the group's values (strings owned here), one accumulator per aggregate,
// and whether it has fired and changed since.
struct WindowOperator::Window {
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

}  // namespace

Result<std::unique_ptr<WindowOperator>> WindowOperator::create(Options options) {
  if (options.size_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("window: 'size_ms' must be > 0, got {}", options.size_ms));
  }
  if (options.slide_ms < 0 || (options.slide_ms > 0 && options.size_ms % options.slide_ms != 0)) {
    return error_at(options.pos,
                    fmt::format("window: 'slide_ms' must divide 'size_ms' ({}), got {}",
                                options.size_ms, options.slide_ms));
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
  group_fields_.clear();
  agg_fields_.clear();
  prototypes_.clear();
  std::vector<SchemaField> fields;
  for (const FieldRef& f : options_.group_by) {
    const auto index = input->index_of(f.name);
    if (!index) return error_at(f.pos, "window: " + input->unknown_field_message(f.name));
    group_fields_.push_back(*index);
    fields.push_back(input->field(*index));
  }
  fields.push_back({"window_start", Type::kInt, false});
  fields.push_back({"window_end", Type::kInt, false});
  for (const WindowAggregate& a : options_.aggregates) {
    std::string function, field;
    bool star = false, distinct = false;
    if (!parse_call(a.call, function, star, distinct, field)) {
      return error_at(a.pos,
                      fmt::format("window: '{}' is not an aggregate call such as AVG(amount), "
                                  "COUNT(*) or COUNT(DISTINCT user)",
                                  a.call));
    }
    Type type = Type::kInt;
    if (!star) {
      const auto index = input->index_of(field);
      if (!index) return error_at(a.pos, "window: " + input->unknown_field_message(field));
      agg_fields_.push_back(*index);
      type = input->field(*index).type;
    } else {
      agg_fields_.push_back(std::nullopt);
    }
    AggregateArgs args;
    args.star = star;
    args.distinct = distinct;
    auto agg = make_aggregate(function, type, args);
    if (!agg.ok()) return error_at(a.pos, fmt::format("window: {}", agg.status().message()));
    fields.push_back({a.name, (*agg)->result_type(), true});
    prototypes_.push_back(std::move(*agg));
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  late_schema_ = input;
  late_side_ = ctx.declare_side_output("late", input);
  return out_schema_;
}

void WindowOperator::group_key(const Batch& batch, size_t r) {
  key_.clear();
  internal::append_key_bytes(batch, r, group_fields_, key_);
}

Status WindowOperator::emit(const std::string& key, int64_t start, Window& w, Batch& out) {
  (void)key;
  const size_t r = out.add_row(start + options_.size_ms - 1);
  size_t f = 0;
  for (const Value& v : w.group) {
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  out.set(r, f++, Value::of_int(start));
  out.set(r, f++, Value::of_int(start + options_.size_ms));
  for (const auto& agg : w.aggs) {
    const Value v = agg->result();
    if (v.type() == Type::kString) {
      out.set_string(r, f++, v.as_string());
    } else {
      out.set(r, f++, v);
    }
  }
  w.fired = true;
  w.dirty = false;
  return {};
}

Status WindowOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  const int64_t slide = options_.slide_ms > 0 ? options_.slide_ms : options_.size_ms;
  Batch out(out_schema_);
  Batch late(late_schema_);
  for (size_t r = 0; r < n; ++r) {
    const int64_t t = batch.event_time(r);
    // The windows [start, start + size) holding t: the last starts at floor(t / slide) * slide.
    const int64_t last = t >= 0 ? t / slide * slide : -((-t + slide - 1) / slide) * slide;
    bool placed = false, too_late = true;
    group_key(batch, r);
    for (int64_t start = last; start > t - options_.size_ms; start -= slide) {
      const int64_t end = start + options_.size_ms;
      // Past its end plus the allowed lateness the window is gone: the row is late for it.
      if (watermark_ != INT64_MIN && end + options_.allowed_lateness_ms <= watermark_) continue;
      too_late = false;
      auto& slot = windows_[{start, key_}];
      if (!slot) {
        slot = std::make_unique<Window>();
        slot->strings.reserve(group_fields_.size());
        for (const size_t f : group_fields_) {
          const Value v = batch.get(r, f);
          if (v.type() == Type::kString) {
            slot->strings.emplace_back(v.as_string());
            slot->group.push_back(Value::of_string(slot->strings.back()));
          } else {
            slot->group.push_back(v);
          }
        }
        for (const auto& p : prototypes_) slot->aggs.push_back(p->clone());
        for (auto& a : slot->aggs) a->reset();
      }
      for (size_t a = 0; a < slot->aggs.size(); ++a) {
        slot->aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
      }
      if (slot->fired && !slot->dirty) {  // a late row within the allowed lateness
        slot->dirty = true;
        dirty_.emplace_back(start, key_);
      }
      placed = true;
    }
    if (!placed && too_late) late.append_row(batch, r);
    ++ctx.counts.filtered;  // absorbed into its windows (or sent to the late output)
  }
  // Windows a late row has changed fire again, at once.
  for (const auto& k : dirty_) {
    auto it = windows_.find(k);
    if (it != windows_.end() && it->second->dirty) {
      RIVULET_RETURN_IF_ERROR(emit(k.second, k.first, *it->second, out));
      ++ctx.counts.added;
    }
  }
  dirty_.clear();
  if (!late.empty()) ctx.side(late_side_, late);
  ctx.counts.out += out.size();
  batch = std::move(out);
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
      RIVULET_RETURN_IF_ERROR(emit(it->first.second, start, w, batch));
      ++ctx.counts.added;
      ++ctx.counts.out;
    }
    if (watermark == INT64_MAX || end + options_.allowed_lateness_ms <= watermark) {
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return {};
}

void WindowOperator::snapshot(StateWriter& out) const {
  out(watermark_, static_cast<uint64_t>(windows_.size()));
  for (const auto& [k, w] : windows_) {
    out(k.first, k.second, w->fired, w->dirty, w->strings);
    std::vector<std::pair<uint8_t, int64_t>> group;  // (type, payload) of non-strings
    for (const Value& v : w->group) {
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
    for (const auto& a : w->aggs) a->save(out);
  }
}

Status WindowOperator::restore(StateReader& in) {
  try {
    uint64_t n = 0;
    in(watermark_, n);
    windows_.clear();
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      std::string key;
      auto w = std::make_unique<Window>();
      in(start, key, w->fired, w->dirty, w->strings);
      std::vector<std::pair<uint8_t, int64_t>> group;
      in(group);
      size_t s = 0;
      for (const auto& [type, payload] : group) {
        switch (static_cast<Type>(type)) {
          case Type::kString:
            w->group.push_back(Value::of_string(w->strings.at(s++)));
            break;
          case Type::kInt:
            w->group.push_back(Value::of_int(payload));
            break;
          case Type::kBool:
            w->group.push_back(Value::of_bool(payload != 0));
            break;
          case Type::kDouble: {
            double d = 0;
            std::memcpy(&d, &payload, sizeof d);
            w->group.push_back(Value::of_double(d));
            break;
          }
          case Type::kNull:
            w->group.push_back(Value());
            break;
        }
      }
      for (const auto& p : prototypes_) {
        auto a = p->clone();
        RIVULET_RETURN_IF_ERROR(a->load(in));
        w->aggs.push_back(std::move(a));
      }
      windows_[{start, std::move(key)}] = std::move(w);
    }
  } catch (const std::exception& e) {
    windows_.clear();
    return Status::data_loss(fmt::format("window: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> WindowOperator::clone() const {
  auto c = std::unique_ptr<WindowOperator>(new WindowOperator(options_));
  c->set_name(name());
  return c;
}

}  // namespace rivulet::stream
