// `join`: interval, window, regular, temporal and lookup joins of two branches of a stream
// (include/rivulet/stream/join.h).

#include "rivulet/stream/join.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>

#include "rivulet/stream/expression.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

std::string_view join_type_name(JoinType type) {
  switch (type) {
    case JoinType::kInterval:
      return "interval";
    case JoinType::kWindow:
      return "window";
    case JoinType::kRegular:
      return "regular";
    case JoinType::kTemporal:
      return "temporal";
    case JoinType::kLookup:
      return "lookup";
  }
  return "?";
}

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMax : kMin;
  return r;
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// A row kept in join state: its fields encoded (type byte, then 8 bytes for numbers, 1 for a
// boolean, a 4-byte length and the bytes for a string), its event time and whether it has found
// a partner (for LEFT joins).
struct Stored {
  int64_t time = 0;
  bool matched = false;
  std::string bytes;
};

void encode_row(const Batch& batch, size_t r, std::string& out) {
  out.clear();
  internal::encode_values(batch.row(r), batch.n_fields(), out);
}

bool decode_row(std::string_view bytes, size_t n, Batch& out, size_t r, size_t first) {
  return internal::decode_values(bytes, n, out, r, first);
}

// Dead letters and side outputs of a branch's steps go to the join's own context.
class Forward final : public DeadLetters {
 public:
  void add(DeadLetter letter) override {
    ++forwarded;
    parent->dead_letter(std::move(letter));
  }
  OperatorContext* parent = nullptr;
  uint64_t forwarded = 0;
};

class BranchContext final : public OperatorContext {
 public:
  explicit BranchContext(Forward& forward) : OperatorContext(forward), forward_(forward) {}
  void side(size_t id, Batch& batch) override { forward_.parent->side(id, batch); }

 private:
  Forward& forward_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

struct JoinOperator::State {
  // A branch: its steps and the schema after each.
  struct Branch {
    std::vector<std::unique_ptr<Operator>> steps;
    std::vector<SchemaPtr> schemas;  // schemas[i]: the input of step i; back(): the branch's output
    std::vector<Batch> scratch;      // rows a step emits at a watermark, timer or the end
  };
  // One side of an interval or regular join: each key's rows in event-time order, and when
  // they expire.
  struct Side {
    std::unordered_map<std::string, std::vector<Stored>> keys;
    // (expiry time, key) of every row, earliest first; an entry whose rows are gone is skipped.
    std::priority_queue<std::pair<int64_t, std::string>,
                        std::vector<std::pair<int64_t, std::string>>, std::greater<>>
        expiry;
    size_t rows = 0;
  };
  struct WindowKey {
    std::vector<Stored> left, right;
  };
  struct Window {
    std::vector<std::string> order;  // keys in first-arrival order
    std::unordered_map<std::string, WindowKey> keys;
  };
  struct Waiting {
    int64_t time = 0;
    uint64_t seq = 0;
    std::string key;
    std::string bytes;
  };

  Branch left, right;
  SchemaPtr left_schema, right_schema, out_schema;
  std::vector<size_t> left_key, right_key;
  size_t late_left = 0, late_right = 0;
  std::optional<Expression> where;
  std::vector<uint8_t> keep;        // per output row: whether `where` selected it
  std::vector<EvalError> errors;

  int64_t watermark = kMin;
  Side sides[2];                                     // interval, regular
  std::map<int64_t, Window> windows;                 // window: by start
  std::unordered_map<std::string, std::vector<Stored>> versions;  // temporal: by time
  std::vector<Waiting> waiting;                      // temporal, event time: left rows
  uint64_t seq = 0;
  std::unordered_map<std::string, std::string> table;  // lookup: key -> row bytes
  Batch right_copy;
  std::string key, bytes;

  explicit State(SchemaPtr in) : right_copy(std::move(in)) {}
};

namespace {

using State = JoinOperator::State;

// Key bytes of row r, or false when a key field is NULL (it matches nothing).
bool key_of(const Batch& batch, size_t r, const std::vector<size_t>& fields, std::string& key) {
  key.clear();
  for (const size_t f : fields) {
    if (batch.get(r, f).type() == Type::kNull) return false;
  }
  internal::append_key_bytes(batch, r, fields, key);
  return true;
}

Result<SchemaPtr> open_branch(State::Branch& branch, SchemaPtr input, OpenContext& ctx) {
  branch.schemas.assign(1, input);
  branch.scratch.clear();
  for (auto& step : branch.steps) {
    RIVULET_ASSIGN_OR_RETURN(SchemaPtr out, step->open(branch.schemas.back(), ctx));
    branch.scratch.emplace_back(out);
    branch.schemas.push_back(std::move(out));
  }
  return branch.schemas.back();
}

// Runs `rows` (of the schema after step `first - 1`) through the branch's steps from `first` on.
Status run_from(State::Branch& branch, size_t first, Batch& rows, BranchContext& sub) {
  for (size_t i = first; i < branch.steps.size() && !rows.empty(); ++i) {
    RIVULET_RETURN_IF_ERROR(branch.steps[i]->process(rows, sub));
  }
  return {};
}

// The rows a branch's steps emit on a watermark, a timer or at the end (`what`), passed on through
// the steps after each, collected in `out` (of the branch's output schema).
template <class What>
Status drain(State::Branch& branch, BranchContext& sub, Batch& out, What what) {
  out.reset(branch.schemas.back());
  for (size_t i = 0; i < branch.steps.size(); ++i) {
    Batch& emitted = branch.scratch[i];
    emitted.reset(branch.schemas[i + 1]);
    RIVULET_RETURN_IF_ERROR(what(*branch.steps[i], emitted));
    RIVULET_RETURN_IF_ERROR(run_from(branch, i + 1, emitted, sub));
    for (size_t r = 0; r < emitted.size(); ++r) out.append_row(emitted, r);
    emitted.clear();
  }
  return {};
}

}  // namespace

JoinOperator::JoinOperator(Options options) : options_(std::move(options)) {}
JoinOperator::~JoinOperator() = default;

Result<std::unique_ptr<JoinOperator>> JoinOperator::create(Options options) {
  const auto fail = [&](std::string_view message) {
    return internal::error_at(options.pos, fmt::format("join: {}", message));
  };
  if (options.left_key.empty()) return fail("'on' needs at least one pair of key fields");
  if (options.left_key.size() != options.right_key.size()) {
    return fail("'on' needs as many key fields on the left as on the right");
  }
  const JoinType t = options.type;
  if (t == JoinType::kInterval && options.lower_ms > options.upper_ms) {
    return fail(fmt::format("'between': the lower bound {} is above the upper bound {}",
                            options.lower_ms, options.upper_ms));
  }
  if (t == JoinType::kWindow) {
    if (options.size_ms <= 0) return fail("a window join needs a window size_ms > 0");
    if (options.slide_ms < 0 || (options.slide_ms > 0 && options.size_ms % options.slide_ms != 0)) {
      return fail(fmt::format("the window size {} must be a multiple of the slide {}",
                              options.size_ms, options.slide_ms));
    }
  }
  if (options.ttl_ms < 0) return fail("'ttl_ms' must be >= 0");
  if (options.right_input && (t == JoinType::kLookup || options.table)) {
    return fail("a lookup join reads its right side from its table, not from a second input");
  }
  if (t == JoinType::kLookup) {
    if (!options.table) return fail("a lookup join needs a 'table'");
    if (!options.right.empty()) {
      return fail("a lookup join reads its right side from its 'table', not from 'right' steps");
    }
  } else if (options.table) {
    return fail("only a lookup join takes a 'table'");
  }
  if (t == JoinType::kRegular && options.left_outer) {
    return fail(
        "a regular join is inner only (a LEFT regular join would have to retract its rows "
        "with NULLs when a partner comes): use an interval, window, temporal or lookup join");
  }
  return std::unique_ptr<JoinOperator>(new JoinOperator(std::move(options)));
}

size_t JoinOperator::rows_held() const {
  if (!state_) return 0;
  size_t n = state_->sides[0].rows + state_->sides[1].rows + state_->waiting.size() +
             state_->table.size();
  for (const auto& [key, v] : state_->versions) n += v.size();
  for (const auto& [start, w] : state_->windows) {
    for (const auto& [key, k] : w.keys) n += k.left.size() + k.right.size();
  }
  return n;
}

Result<SchemaPtr> JoinOperator::open(SchemaPtr input, OpenContext& ctx) {
  state_ = std::make_unique<State>(input);
  State& s = *state_;
  for (auto& step : options_.left) s.left.steps.push_back(step->clone());
  for (auto& step : options_.right) s.right.steps.push_back(step->clone());
  // Branch steps keep the names they were given, for dead letters.
  for (size_t i = 0; i < options_.left.size(); ++i) s.left.steps[i]->set_name(options_.left[i]->name());
  for (size_t i = 0; i < options_.right.size(); ++i) {
    s.right.steps[i]->set_name(options_.right[i]->name());
  }
  RIVULET_ASSIGN_OR_RETURN(s.left_schema, open_branch(s.left, input, ctx));
  if (options_.table) {
    s.right_schema = options_.table->shared_schema();
  } else if (options_.right_input) {
    RIVULET_ASSIGN_OR_RETURN(s.right_schema, open_branch(s.right, options_.right_input, ctx));
  } else {
    RIVULET_ASSIGN_OR_RETURN(s.right_schema, open_branch(s.right, input, ctx));
  }
  RIVULET_ASSIGN_OR_RETURN(s.left_key,
                           internal::resolve_fields(options_.left_key, *s.left_schema, "join"));
  RIVULET_ASSIGN_OR_RETURN(s.right_key,
                           internal::resolve_fields(options_.right_key, *s.right_schema, "join"));
  for (size_t i = 0; i < s.left_key.size(); ++i) {
    const SchemaField& l = s.left_schema->field(s.left_key[i]);
    const SchemaField& r = s.right_schema->field(s.right_key[i]);
    if (l.type != r.type) {
      return internal::error_at(
          options_.right_key[i].pos,
          fmt::format("join: key '{}' is {} on the left but '{}' is {} on the right (CAST one "
                      "of them in its branch)",
                      l.name, type_name(l.type), r.name, type_name(r.type)));
    }
  }
  std::vector<SchemaField> fields = s.left_schema->fields();
  for (SchemaField f : s.right_schema->fields()) {
    if (s.left_schema->index_of(f.name)) f.name = options_.right_prefix + f.name;
    if (options_.left_outer) f.nullable = true;
    fields.push_back(std::move(f));
  }
  if (options_.type == JoinType::kWindow) {
    fields.push_back({"window_start", Type::kInt, false});
    fields.push_back({"window_end", Type::kInt, false});
  }
  auto schema = internal::make_schema(std::move(fields));
  if (!schema.ok()) {
    return internal::error_at(options_.pos,
                              fmt::format("join: {} (set 'right_prefix', or rename the field in "
                                          "a branch)",
                                          schema.status().message()));
  }
  s.out_schema = *schema;
  if (!options_.where.empty()) {
    auto where = Expression::compile_predicate(options_.where, *s.out_schema, options_.where_pos);
    if (!where.ok()) {
      return Status(where.status().code(), fmt::format("join: where: {}", where.status().message()));
    }
    s.where = std::move(*where);
  }
  s.late_left = ctx.declare_side_output("late", s.left_schema);
  s.late_right = ctx.declare_side_output("late_right", s.right_schema);
  if (options_.table) {
    const Batch& table = *options_.table;
    for (size_t r = 0; r < table.size(); ++r) {
      if (!key_of(table, r, s.right_key, s.key)) continue;
      encode_row(table, r, s.table[s.key]);
    }
  }
  return s.out_schema;
}

// ---------------------------------------------------------------------------------------------
// The join itself: rows of one side arrive (after their branch), pairs go to `out`.

namespace {

struct Emitter {
  State& s;
  const JoinOperator::Options& o;
  Batch& out;
  OperatorContext& ctx;
  std::string_view stage;
  size_t n_left, n_right;

  // Appends the joined row of `left` and `right` (null: NULLs) and returns its index.
  size_t pair(std::string_view left, const std::string* right, int64_t time,
              std::optional<int64_t> window_start = std::nullopt) {
    const size_t r = out.add_row(time);
    decode_row(left, n_left, out, r, 0);
    if (right != nullptr) decode_row(*right, n_right, out, r, n_left);
    if (window_start) {
      out.set(r, n_left + n_right, Value::of_int(*window_start));
      out.set(r, n_left + n_right + 1, Value::of_int(*window_start + o.size_ms));
    }
    ++ctx.counts.added;
    return r;
  }
  // Applies `where` to the rows [first, out.size()): returns how many it keeps.
  size_t check(size_t first) {
    const size_t n = out.size() - first;
    s.keep.resize(out.size(), 1);
    if (!s.where || n == 0) return n;
    s.errors.clear();
    const size_t kept = s.where->filter_rows(out.row(first), n, s.keep.data() + first, &s.errors);
    for (const EvalError& e : s.errors) {
      ctx.dead_letter(stage, fmt::format("where: {}", e.message), out, first + e.row);
      s.keep[first + e.row] = 2;  // removed, counted as dead
    }
    return kept;
  }
  // A LEFT join's row for `left` with no partner.
  void unmatched(std::string_view left, int64_t time) {
    pair(left, nullptr, time);
    s.keep.resize(out.size(), 1);
  }
};

// Of the versions at or before the watermark (left rows still to come are not earlier), only the
// newest is needed.
void drop_superseded(std::vector<Stored>& versions, int64_t watermark) {
  size_t first = 0;
  while (first + 1 < versions.size() && versions[first + 1].time <= watermark) ++first;
  if (first > 0) versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(first));
}

// When a row of one side at time t can no longer find a partner: an interval join's bound
// (t + upper on the left, t - lower on the right), a regular join's ttl, else never (kMax).
int64_t expiry(const JoinOperator::Options& o, bool right, int64_t t) {
  if (o.type == JoinType::kInterval) return right ? sat_add(t, -o.lower_ms) : sat_add(t, o.upper_ms);
  if (o.type == JoinType::kRegular && o.ttl_ms > 0) return sat_add(t, o.ttl_ms);
  return kMax;
}

void store(State::Side& side, const std::string& key, Stored row, int64_t expires) {
  auto& rows = side.keys[key];
  auto at = rows.end();
  while (at != rows.begin() && std::prev(at)->time > row.time) --at;
  rows.insert(at, std::move(row));
  ++side.rows;
  if (expires != kMax) side.expiry.emplace(expires, key);
}

}  // namespace

// Joins a batch of one side's rows (`right` tells which) with the state, emitting into `out`.
static void join_rows(JoinOperator::State& s, const JoinOperator::Options& o, bool right,
                      const Batch& rows, Emitter& em) {
  const std::vector<size_t>& key_fields = right ? s.right_key : s.left_key;
  const bool event_time_bounded = o.type == JoinType::kInterval;
  for (size_t r = 0; r < rows.size(); ++r) {
    const int64_t t = rows.event_time(r);
    const bool has_key = key_of(rows, r, key_fields, s.key);
    switch (o.type) {
      case JoinType::kInterval:
      case JoinType::kRegular: {
        if (event_time_bounded && s.watermark != kMin && t < s.watermark) {
          Batch late(rows.shared_schema());
          late.append_row(rows, r);
          em.ctx.side(right ? s.late_right : s.late_left, late);
          continue;
        }
        encode_row(rows, r, s.bytes);
        if (!has_key) {
          if (!right && o.left_outer) em.unmatched(s.bytes, t);
          continue;
        }
        Stored row{t, false, s.bytes};
        auto other = s.sides[right ? 0 : 1].keys.find(s.key);
        if (other != s.sides[right ? 0 : 1].keys.end()) {
          auto& partners = other->second;
          auto first = partners.begin(), last = partners.end();
          if (event_time_bounded) {
            // Partner times: for a left row [t + lower, t + upper]; for a right one
            // [t - upper, t - lower].
            const int64_t lo = right ? sat_add(t, -o.upper_ms) : sat_add(t, o.lower_ms);
            const int64_t hi = right ? sat_add(t, -o.lower_ms) : sat_add(t, o.upper_ms);
            first = std::lower_bound(partners.begin(), partners.end(), lo,
                                     [](const Stored& p, int64_t v) { return p.time < v; });
            last = std::upper_bound(first, partners.end(), hi,
                                    [](int64_t v, const Stored& p) { return v < p.time; });
          }
          for (auto p = first; p != last; ++p) {
            const size_t at = right ? em.pair(p->bytes, &row.bytes, std::max(t, p->time))
                                    : em.pair(row.bytes, &p->bytes, std::max(t, p->time));
            if (em.check(at) > 0) (right ? p->matched : row.matched) = true;
          }
        }
        store(s.sides[right ? 1 : 0], s.key, std::move(row), expiry(o, right, t));
        break;
      }
      case JoinType::kWindow: {
        const int64_t slide = o.slide_ms > 0 ? o.slide_ms : o.size_ms;
        const int64_t last_start = floor_div(t, slide) * slide;
        bool placed = false;
        encode_row(rows, r, s.bytes);
        for (int64_t start = last_start; start > t - o.size_ms; start -= slide) {
          if (s.watermark != kMin && start + o.size_ms <= s.watermark) break;  // fired
          placed = true;
          if (!has_key && (right || !o.left_outer)) continue;
          State::Window& w = s.windows[start];
          auto [it, fresh] = w.keys.try_emplace(has_key ? s.key : std::string("\x01null", 5));
          if (fresh) w.order.push_back(it->first);
          (right ? it->second.right : it->second.left).push_back(Stored{t, false, s.bytes});
        }
        if (!placed) {
          Batch late(rows.shared_schema());
          late.append_row(rows, r);
          em.ctx.side(right ? s.late_right : s.late_left, late);
        }
        break;
      }
      case JoinType::kTemporal: {
        if (right) {
          if (!has_key) continue;  // a version of no key
          encode_row(rows, r, s.bytes);
          auto& versions = s.versions[s.key];
          if (!o.as_of_event_time) {
            versions.assign(1, Stored{t, false, s.bytes});
            break;
          }
          auto at = versions.end();
          while (at != versions.begin() && std::prev(at)->time > t) --at;
          versions.insert(at, Stored{t, false, s.bytes});
          // Left rows still to come are at or after the watermark: of the versions at or before
          // it only the newest is needed.
          drop_superseded(versions, s.watermark);
          break;
        }
        encode_row(rows, r, s.bytes);
        if (!o.as_of_event_time) {
          const auto v = has_key ? s.versions.find(s.key) : s.versions.end();
          if (v != s.versions.end() && !v->second.empty()) {
            em.pair(s.bytes, &v->second.back().bytes, t);
            if (em.check(em.out.size() - 1) > 0 || !o.left_outer) break;
          }
          if (o.left_outer) {
            em.unmatched(s.bytes, t);
          }
          break;
        }
        if (s.watermark != kMin && t < s.watermark) {
          Batch late(rows.shared_schema());
          late.append_row(rows, r);
          em.ctx.side(s.late_left, late);
          break;
        }
        s.waiting.push_back({t, s.seq++, has_key ? s.key : std::string(), s.bytes});
        if (!has_key) s.waiting.back().key.assign("\x01null", 5);
        break;
      }
      case JoinType::kLookup: {
        encode_row(rows, r, s.bytes);
        const auto hit = has_key ? s.table.find(s.key) : s.table.end();
        if (hit != s.table.end()) {
          em.pair(s.bytes, &hit->second, t);
          if (em.check(em.out.size() - 1) > 0 || !o.left_outer) break;
        }
        if (o.left_outer) em.unmatched(s.bytes, t);
        break;
      }
    }
  }
}

// The watermark reaches `watermark`: fires windows, emits waiting temporal rows, drops expired
// rows (a LEFT interval join's unmatched left rows come out as they expire).
static void advance(JoinOperator::State& s, const JoinOperator::Options& o, int64_t watermark,
                    Emitter& em) {
  if (watermark <= s.watermark) return;
  s.watermark = watermark;
  switch (o.type) {
    case JoinType::kInterval:
    case JoinType::kRegular:
      for (int side = 0; side < 2; ++side) {
        State::Side& sd = s.sides[side];
        while (!sd.expiry.empty() && sd.expiry.top().first < watermark) {
          const std::string key = sd.expiry.top().second;
          sd.expiry.pop();
          auto it = sd.keys.find(key);
          if (it == sd.keys.end()) continue;
          auto& rows = it->second;
          const int64_t bound = o.type == JoinType::kInterval
                                    ? (side == 0 ? sat_add(watermark, -o.upper_ms)
                                                 : sat_add(watermark, o.lower_ms))
                                    : sat_add(watermark, -o.ttl_ms);
          // Rows whose expiry (time + upper, time - lower or time + ttl) is before the watermark.
          size_t gone = 0;
          while (gone < rows.size() && rows[gone].time < bound) {
            if (side == 0 && o.left_outer && !rows[gone].matched) {
              em.unmatched(rows[gone].bytes, rows[gone].time);
            }
            ++gone;
          }
          rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(gone));
          sd.rows -= gone;
          if (rows.empty()) sd.keys.erase(it);
        }
      }
      break;
    case JoinType::kWindow:
      while (!s.windows.empty() &&
             (watermark == kMax || s.windows.begin()->first + o.size_ms <= watermark)) {
        auto node = s.windows.extract(s.windows.begin());
        const int64_t start = node.key();
        State::Window& w = node.mapped();
        for (const std::string& key : w.order) {
          State::WindowKey& k = w.keys[key];
          for (const Stored& l : k.left) {
            bool matched = false;
            for (const Stored& r : k.right) {
              const size_t at = em.pair(l.bytes, &r.bytes, start + o.size_ms - 1, start);
              matched |= em.check(at) > 0;
            }
            if (!matched && o.left_outer) {
              em.pair(l.bytes, nullptr, start + o.size_ms - 1, start);
              s.keep.resize(em.out.size(), 1);
            }
          }
        }
      }
      break;
    case JoinType::kTemporal: {
      if (!o.as_of_event_time) break;
      // Left rows whose time is before the watermark: every version up to them has arrived.
      auto ready = std::stable_partition(s.waiting.begin(), s.waiting.end(),
                                         [&](const State::Waiting& w) {
                                           return !(watermark == kMax || w.time < watermark);
                                         });
      std::sort(ready, s.waiting.end(), [](const State::Waiting& a, const State::Waiting& b) {
        return a.time != b.time ? a.time < b.time : a.seq < b.seq;
      });
      for (auto w = ready; w != s.waiting.end(); ++w) {
        const Stored* version = nullptr;
        if (auto v = s.versions.find(w->key); v != s.versions.end()) {
          for (auto it = v->second.rbegin(); it != v->second.rend(); ++it) {
            if (it->time <= w->time) {
              version = &*it;
              break;
            }
          }
        }
        if (version != nullptr) {
          em.pair(w->bytes, &version->bytes, w->time);
          if (em.check(em.out.size() - 1) > 0) continue;
        }
        if (o.left_outer) em.unmatched(w->bytes, w->time);
      }
      s.waiting.erase(ready, s.waiting.end());
      for (auto it = s.versions.begin(); it != s.versions.end(); ++it) {
        auto& versions = it->second;
        drop_superseded(versions, watermark);
      }
      break;
    }
    case JoinType::kLookup:
      break;
  }
}

namespace {

// Counts the output rows that `where` kept and removes the others.
void settle(State& s, Batch& out, OperatorContext& ctx) {
  s.keep.resize(out.size(), 1);
  size_t kept = 0;
  for (size_t r = 0; r < out.size(); ++r) {
    if (s.keep[r] == 2) {
      s.keep[r] = 0;  // dead-lettered
    } else if (s.keep[r] == 0) {
      ++ctx.counts.filtered;
    } else {
      ++kept;
    }
  }
  if (kept != out.size()) out.retain(s.keep);
  s.keep.clear();
  ctx.counts.out += out.size();
}

// One call into the join: the branches' context (their dead letters and side outputs go to the
// join's), and the pairs made, into `out`. done() counts and keeps the pairs `where` selects.
struct Pass {
  Pass(State& state, const JoinOperator::Options& options, OperatorContext& context, Batch& out,
       std::string_view stage, int64_t watermark)
      : s(state),
        o(options),
        ctx(context),
        sub(forward),
        em{state, options, out, context, stage, state.left_schema->size(),
           state.right_schema->size()} {
    forward.parent = &context;
    sub.now_ms = context.now_ms;
    sub.watermark = watermark;
    sub.partition = context.partition;
    sub.n_partitions = context.n_partitions;
    sub.origin = context.origin;
  }
  // Runs `what` on every step of both branches (right first), each step's rows through the
  // steps after it, and joins what comes out of each branch.
  template <class What>
  Status from_branches(What what) {
    Batch rows(s.left_schema);
    for (const bool right : {true, false}) {
      State::Branch& branch = right ? s.right : s.left;
      if (branch.steps.empty()) continue;
      RIVULET_RETURN_IF_ERROR(drain(branch, sub, rows, [&](Operator& op, Batch& emitted) {
        return what(op, emitted, sub);
      }));
      join_rows(s, o, right, rows, em);
    }
    return {};
  }
  void done() {
    ctx.counts.added += forward.forwarded;  // rows the branches made and dead-lettered
    settle(s, em.out, ctx);
  }

  State& s;
  const JoinOperator::Options& o;
  OperatorContext& ctx;
  Forward forward;
  BranchContext sub;
  Emitter em;
};

}  // namespace

Status JoinOperator::process(Batch& batch, OperatorContext& ctx) {
  State& s = *state_;
  const size_t n = batch.size();
  ctx.counts.in += n;
  ctx.counts.filtered += n;  // each row is absorbed into a side; the pairs are added rows
  Batch out(s.out_schema);
  Pass pass(s, options_, ctx, out, internal::stage_of(*this), ctx.watermark);
  // The right side first (a temporal join's versions before the left rows of the same batch).
  if (options_.type != JoinType::kLookup && !options_.right_input) {
    if (s.right.steps.empty()) {
      join_rows(s, options_, true, batch, pass.em);
    } else {
      s.right_copy.reset(batch.shared_schema());
      s.right_copy.reserve(n);
      for (size_t r = 0; r < n; ++r) s.right_copy.append_row(batch, r);
      RIVULET_RETURN_IF_ERROR(run_from(s.right, 0, s.right_copy, pass.sub));
      join_rows(s, options_, true, s.right_copy, pass.em);
    }
  }
  RIVULET_RETURN_IF_ERROR(run_from(s.left, 0, batch, pass.sub));
  join_rows(s, options_, false, batch, pass.em);
  pass.done();
  std::swap(batch, out);
  return {};
}

Status JoinOperator::process_side_input(Batch& batch, OperatorContext& ctx) {
  if (!options_.right_input) return Operator::process_side_input(batch, ctx);
  State& s = *state_;
  Batch out(s.out_schema);
  Pass pass(s, options_, ctx, out, internal::stage_of(*this), ctx.watermark);
  RIVULET_RETURN_IF_ERROR(run_from(s.right, 0, batch, pass.sub));
  join_rows(s, options_, true, batch, pass.em);
  pass.done();
  std::swap(batch, out);
  return {};
}

Status JoinOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  Pass pass(*state_, options_, ctx, batch, internal::stage_of(*this), watermark);
  // What the branches emit at this watermark (a window's rows) reaches the join before the
  // watermark does, as in Flink: it is not late.
  RIVULET_RETURN_IF_ERROR(pass.from_branches([&](Operator& op, Batch& out, OperatorContext& c) {
    return op.on_watermark(watermark, out, c);
  }));
  advance(*state_, options_, watermark, pass.em);
  pass.done();
  return {};
}

Status JoinOperator::on_timer(Batch& batch, OperatorContext& ctx) {
  Pass pass(*state_, options_, ctx, batch, internal::stage_of(*this), ctx.watermark);
  RIVULET_RETURN_IF_ERROR(pass.from_branches(
      [](Operator& op, Batch& out, OperatorContext& c) { return op.on_timer(out, c); }));
  pass.done();
  return {};
}

Status JoinOperator::finish(Batch& batch, OperatorContext& ctx) {
  Pass pass(*state_, options_, ctx, batch, internal::stage_of(*this), ctx.watermark);
  RIVULET_RETURN_IF_ERROR(pass.from_branches(
      [](Operator& op, Batch& out, OperatorContext& c) { return op.finish(out, c); }));
  pass.done();
  return {};
}

// ---------------------------------------------------------------------------------------------

namespace {

void save_rows(StateWriter& out, const std::vector<Stored>& rows) {
  out(static_cast<uint64_t>(rows.size()));
  for (const Stored& r : rows) out(r.time, r.matched, r.bytes);
}

template <class Rows>
void load_rows(StateReader& in, Rows& rows, size_t n_fields, Batch& probe) {
  uint64_t n = 0;
  in(n);
  for (uint64_t i = 0; i < n; ++i) {
    Stored r;
    in(r.time, r.matched, r.bytes);
    probe.clear();
    const size_t at = probe.add_row();
    if (!decode_row(r.bytes, n_fields, probe, at, 0)) {
      throw std::runtime_error("a stored row does not match the schema");
    }
    rows.push_back(std::move(r));
  }
}

}  // namespace

void JoinOperator::snapshot(StateWriter& out) const {
  const State& s = *state_;
  for (const auto& step : s.left.steps) step->snapshot(out);
  for (const auto& step : s.right.steps) step->snapshot(out);
  out(s.watermark, s.seq);
  for (const State::Side& side : s.sides) {
    // Keys in sorted order, so that equal states give equal bytes.
    std::map<std::string_view, const std::vector<Stored>*> keys;
    for (const auto& [key, rows] : side.keys) keys.emplace(key, &rows);
    out(static_cast<uint64_t>(keys.size()));
    for (const auto& [key, rows] : keys) {
      out(std::string(key));
      save_rows(out, *rows);
    }
  }
  out(static_cast<uint64_t>(s.windows.size()));
  for (const auto& [start, w] : s.windows) {
    out(start, static_cast<uint64_t>(w.order.size()));
    for (const std::string& key : w.order) {
      const State::WindowKey& k = w.keys.at(key);
      out(key);
      save_rows(out, k.left);
      save_rows(out, k.right);
    }
  }
  std::map<std::string_view, const std::vector<Stored>*> versions;
  for (const auto& [key, v] : s.versions) versions.emplace(key, &v);
  out(static_cast<uint64_t>(versions.size()));
  for (const auto& [key, v] : versions) {
    out(std::string(key));
    save_rows(out, *v);
  }
  out(static_cast<uint64_t>(s.waiting.size()));
  for (const State::Waiting& w : s.waiting) out(w.time, w.seq, w.key, w.bytes);
}

Status JoinOperator::restore(StateReader& in) {
  State& s = *state_;
  for (auto& step : s.left.steps) RIVULET_RETURN_IF_ERROR(step->restore(in));
  for (auto& step : s.right.steps) RIVULET_RETURN_IF_ERROR(step->restore(in));
  for (State::Side& side : s.sides) side = State::Side{};
  s.windows.clear();
  s.versions.clear();
  s.waiting.clear();
  try {
    in(s.watermark, s.seq);
    for (int i = 0; i < 2; ++i) {
      State::Side& side = s.sides[i];
      Batch probe(i == 0 ? s.left_schema : s.right_schema);
      const size_t n_fields = probe.n_fields();
      uint64_t n = 0;
      in(n);
      for (uint64_t k = 0; k < n; ++k) {
        std::string key;
        in(key);
        std::vector<Stored> rows;
        load_rows(in, rows, n_fields, probe);
        for (const Stored& r : rows) {
          const int64_t expires = expiry(options_, i == 1, r.time);
          if (expires != kMax) side.expiry.emplace(expires, key);
        }
        side.rows += rows.size();
        side.keys.emplace(std::move(key), std::move(rows));
      }
    }
    Batch left_probe(s.left_schema), right_probe(s.right_schema);
    uint64_t n = 0;
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      int64_t start = 0;
      uint64_t keys = 0;
      in(start, keys);
      State::Window& w = s.windows[start];
      for (uint64_t k = 0; k < keys; ++k) {
        std::string key;
        in(key);
        State::WindowKey& wk = w.keys[key];
        w.order.push_back(std::move(key));
        load_rows(in, wk.left, left_probe.n_fields(), left_probe);
        load_rows(in, wk.right, right_probe.n_fields(), right_probe);
      }
    }
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      in(key);
      load_rows(in, s.versions[key], right_probe.n_fields(), right_probe);
    }
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      State::Waiting w;
      in(w.time, w.seq, w.key, w.bytes);
      left_probe.clear();
      if (!decode_row(w.bytes, left_probe.n_fields(), left_probe, left_probe.add_row(), 0)) {
        throw std::runtime_error("a stored row does not match the schema");
      }
      s.waiting.push_back(std::move(w));
    }
  } catch (const std::exception& e) {
    for (State::Side& side : s.sides) side = State::Side{};
    s.windows.clear();
    s.versions.clear();
    s.waiting.clear();
    return Status::data_loss(fmt::format("join: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> JoinOperator::clone() const {
  Options o;
  o.type = options_.type;
  o.left_outer = options_.left_outer;
  for (const auto& step : options_.left) {
    o.left.push_back(step->clone());
    o.left.back()->set_name(step->name());
  }
  for (const auto& step : options_.right) {
    o.right.push_back(step->clone());
    o.right.back()->set_name(step->name());
  }
  o.left_key = options_.left_key;
  o.right_key = options_.right_key;
  o.lower_ms = options_.lower_ms;
  o.upper_ms = options_.upper_ms;
  o.size_ms = options_.size_ms;
  o.slide_ms = options_.slide_ms;
  o.ttl_ms = options_.ttl_ms;
  o.as_of_event_time = options_.as_of_event_time;
  o.table = options_.table;
  o.right_input = options_.right_input;
  o.where = options_.where;
  o.where_pos = options_.where_pos;
  o.right_prefix = options_.right_prefix;
  o.pos = options_.pos;
  auto op = std::unique_ptr<JoinOperator>(new JoinOperator(std::move(o)));
  op->set_name(name());
  return op;
}

}  // namespace rivulet::stream
