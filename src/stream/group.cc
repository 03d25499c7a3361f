// `aggregate` and the updating `top_n` (include/rivulet/stream/group.h).

#include "rivulet/stream/group.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <map>

#include "stream/operators/operator_util.h"

namespace rivulet::stream {

namespace internal {
// window.cc: each aggregate call resolved against `input` (its field, a fresh accumulator, its
// output field).
Status resolve_aggregates(const std::vector<WindowAggregate>& aggregates, const Schema& input,
                          std::string_view step, bool removable,
                          std::vector<std::optional<size_t>>& fields,
                          std::vector<std::unique_ptr<Aggregate>>& prototypes,
                          std::vector<SchemaField>& out);
}  // namespace internal

namespace {

bool takes_retractions(AggregateFunction f) {
  switch (f) {
    case AggregateFunction::kCount:
    case AggregateFunction::kCountStar:
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg:
    case AggregateFunction::kVarSamp:
    case AggregateFunction::kVarPop:
    case AggregateFunction::kStddevSamp:
    case AggregateFunction::kStddevPop:
    case AggregateFunction::kCountDistinct:
      return true;
    default:
      return false;
  }
}

void set_value(Batch& out, size_t r, size_t f, Value v) {
  if (v.type() == Type::kString) {
    out.set_string(r, f, v.as_string());
  } else {
    out.set(r, f, v);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct AggregateOperator::Group {
  std::string values;  // the group fields' values, encoded
  std::vector<std::unique_ptr<Aggregate>> aggs;
};

// The row an upsert key holds now: its group and the aggregates' input values.
struct AggregateOperator::Previous {
  std::string group;
  std::string inputs;
};

AggregateOperator::AggregateOperator(Options options) : options_(std::move(options)) {}
AggregateOperator::~AggregateOperator() = default;

Result<std::unique_ptr<AggregateOperator>> AggregateOperator::create(Options options) {
  if (options.aggregates.empty()) {
    return internal::error_at(options.pos, "aggregate: needs at least one aggregate");
  }
  return std::unique_ptr<AggregateOperator>(new AggregateOperator(std::move(options)));
}

Result<SchemaPtr> AggregateOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(group_fields_,
                           internal::resolve_fields(options_.group_by, *input, "aggregate"));
  RIVULET_ASSIGN_OR_RETURN(upsert_fields_,
                           internal::resolve_fields(options_.upsert_key, *input, "aggregate"));
  std::vector<SchemaField> fields;
  for (const size_t f : group_fields_) fields.push_back(input->field(f));
  // With an upsert key the accumulators must take values back.
  RIVULET_RETURN_IF_ERROR(internal::resolve_aggregates(options_.aggregates, *input, "aggregate",
                                                       !upsert_fields_.empty(), agg_fields_,
                                                       prototypes_, fields));
  if (!upsert_fields_.empty()) {
    for (size_t a = 0; a < prototypes_.size(); ++a) {
      if (!takes_retractions(prototypes_[a]->function())) {
        return internal::error_at(
            options_.aggregates[a].pos,
            fmt::format("aggregate: {} cannot take back the previous row of an upsert key; with "
                        "'upsert_key' use COUNT, SUM, AVG, VAR, STDDEV or COUNT(DISTINCT)",
                        prototypes_[a]->name()));
      }
    }
  }
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

void AggregateOperator::emit(const Group& g, int64_t time, Batch& out) const {
  const size_t r = out.add_row(time);
  internal::decode_values(g.values, group_fields_.size(), out, r, 0);
  size_t f = group_fields_.size();
  for (const auto& a : g.aggs) set_value(out, r, f++, a->result());
}

Status AggregateOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  Batch out(out_schema_);
  out.reserve(n);
  std::string inputs;
  std::vector<Value> old(prototypes_.size());
  for (size_t r = 0; r < n; ++r) {
    key_.clear();
    internal::append_key_bytes(batch, r, group_fields_, key_);
    auto [it, fresh] = groups_.try_emplace(key_);
    if (fresh) {
      it->second = std::make_unique<Group>();
      for (const size_t f : group_fields_) {
        const Value v = batch.get(r, f);
        internal::encode_values(&v, 1, it->second->values);
      }
      for (const auto& p : prototypes_) it->second->aggs.push_back(p->clone());
    }
    Group& g = *it->second;
    if (!upsert_fields_.empty()) {
      upsert_.clear();
      internal::append_key_bytes(batch, r, upsert_fields_, upsert_);
      inputs.clear();
      for (const auto& f : agg_fields_) {
        const Value v = f ? batch.get(r, *f) : Value::of_bool(true);
        internal::encode_values(&v, 1, inputs);
      }
      auto [prev, first] = previous_.try_emplace(upsert_);
      if (!first) {
        // Take the key's previous row out of its group (maybe another one: it is updated too).
        auto pg = groups_.find(prev->second.group);
        if (pg != groups_.end() &&
            internal::decode_values(prev->second.inputs, old.size(), old.data())) {
          for (size_t a = 0; a < old.size(); ++a) {
            RIVULET_RETURN_IF_ERROR(pg->second->aggs[a]->remove(old[a]));
          }
          if (pg->second.get() != &g) {
            emit(*pg->second, batch.event_time(r), out);
            ++ctx.counts.added;
          }
        }
      }
      prev->second.group = key_;
      prev->second.inputs = inputs;
    }
    for (size_t a = 0; a < agg_fields_.size(); ++a) {
      g.aggs[a]->add(agg_fields_[a] ? batch.get(r, *agg_fields_[a]) : Value::of_bool(true));
    }
    emit(g, batch.event_time(r), out);
  }
  ctx.counts.out += out.size();
  std::swap(batch, out);
  return {};
}

void AggregateOperator::snapshot(StateWriter& out) const {
  std::map<std::string_view, const Group*> groups;
  for (const auto& [key, g] : groups_) groups.emplace(key, g.get());
  out(static_cast<uint64_t>(groups.size()));
  for (const auto& [key, g] : groups) {
    out(std::string(key), g->values);
    for (const auto& a : g->aggs) a->save(out);
  }
  std::map<std::string_view, const Previous*> previous;
  for (const auto& [key, p] : previous_) previous.emplace(key, &p);
  out(static_cast<uint64_t>(previous.size()));
  for (const auto& [key, p] : previous) out(std::string(key), p->group, p->inputs);
}

Status AggregateOperator::restore(StateReader& in) {
  groups_.clear();
  previous_.clear();
  return read_state(in, nullptr, 0);
}

Status AggregateOperator::restore_rescaled(const std::vector<std::string>& snapshots,
                                           const PartitionFilter& keep) {
  RIVULET_ASSIGN_OR_RETURN(const size_t k,
                           internal::partition_key_index(grouping_fields(), keep, name()));
  groups_.clear();
  previous_.clear();
  for (const std::string& bytes : snapshots) {
    std::istringstream is(bytes);
    StateReader in(is);
    RIVULET_RETURN_IF_ERROR(read_state(in, &keep, k));
  }
  return {};
}

Status AggregateOperator::read_state(StateReader& in, const PartitionFilter* keep,
                                     size_t key_index) {
  try {
    uint64_t n = 0;
    in(n);
    std::vector<Value> check(std::max(group_fields_.size(), prototypes_.size()));
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      auto g = std::make_unique<Group>();
      in(key, g->values);
      if (!internal::decode_values(g->values, group_fields_.size(), check.data())) {
        throw std::runtime_error("a group's values do not match the schema");
      }
      for (const auto& p : prototypes_) {
        auto a = p->clone();
        RIVULET_RETURN_IF_ERROR(a->load(in));
        g->aggs.push_back(std::move(a));
      }
      if (keep != nullptr && !internal::keeps_key(*keep, key, group_fields_.size(), key_index)) continue;
      groups_.emplace(std::move(key), std::move(g));
    }
    in(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      Previous p;
      in(key, p.group, p.inputs);
      if (!internal::decode_values(p.inputs, prototypes_.size(), check.data())) {
        throw std::runtime_error("a row's values do not match the schema");
      }
      if (keep != nullptr && !internal::keeps_key(*keep, p.group, group_fields_.size(), key_index)) {
        continue;
      }
      previous_.emplace(std::move(key), std::move(p));
    }
  } catch (const std::exception& e) {
    groups_.clear();
    previous_.clear();
    return Status::data_loss(fmt::format("aggregate: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> AggregateOperator::clone() const {
  auto op = std::unique_ptr<AggregateOperator>(new AggregateOperator(options_));
  op->set_name(name());
  return op;
}

// ---------------------------------------------------------------------------------------------

RankOperator::RankOperator(Options options) : options_(std::move(options)) {}
RankOperator::~RankOperator() = default;

Result<std::unique_ptr<RankOperator>> RankOperator::create(Options options) {
  if (options.order_by.empty()) return internal::error_at(options.pos, "top_n: needs 'order_by'");
  if (options.n < 1) {
    return internal::error_at(options.pos, fmt::format("top_n: n must be >= 1, got {}", options.n));
  }
  return std::unique_ptr<RankOperator>(new RankOperator(std::move(options)));
}

Result<SchemaPtr> RankOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(key_fields_,
                           internal::resolve_fields(options_.partition_by, *input, "top_n"));
  std::vector<FieldRef> order;
  for (const OrderKey& k : options_.order_by) order.push_back(k.field);
  RIVULET_ASSIGN_OR_RETURN(order_fields_, internal::resolve_fields(order, *input, "top_n"));
  for (size_t i = 0; i < order_fields_.size(); ++i) {
    const SchemaField& f = input->field(order_fields_[i]);
    if (f.type != Type::kInt && f.type != Type::kDouble) {
      return internal::error_at(order[i].pos,
                                fmt::format("top_n: order_by '{}' is {}, not a number", f.name,
                                            type_name(f.type)));
    }
  }
  std::vector<SchemaField> fields = input->fields();
  fields.push_back({"rank", Type::kInt, false});
  RIVULET_ASSIGN_OR_RETURN(out_schema_, internal::make_schema(std::move(fields)));
  return out_schema_;
}

Status RankOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  const size_t n_in = batch.n_fields();
  ctx.counts.in += n;
  Batch out(out_schema_);
  out.reserve(n);
  const auto better = [](const Row& a, const Row& b) { return a.order < b.order; };
  for (size_t r = 0; r < n; ++r) {
    Row row;
    bool ranked = true;
    for (size_t i = 0; i < order_fields_.size(); ++i) {
      const Value v = batch.get(r, order_fields_[i]);
      if (v.type() != Type::kInt && v.type() != Type::kDouble) {
        ranked = false;  // NULL: never among the best
        break;
      }
      const double x = v.to_double();
      row.order.push_back(options_.order_by[i].descending ? -x : x);
    }
    if (!ranked) {
      ++ctx.counts.filtered;
      continue;
    }
    key_.clear();
    internal::append_key_bytes(batch, r, key_fields_, key_);
    auto& rows = groups_[key_];
    // After the rows it ties with: ties keep arrival order.
    const auto at = std::upper_bound(rows.begin(), rows.end(), row, better);
    const auto rank = static_cast<size_t>(at - rows.begin());
    if (rank >= static_cast<size_t>(options_.n)) {
      ++ctx.counts.filtered;
      continue;
    }
    row.arrival = arrival_++;
    internal::encode_values(batch.row(r), n_in, row.bytes);
    rows.insert(at, std::move(row));
    if (rows.size() > static_cast<size_t>(options_.n)) rows.pop_back();
    // The rows from this rank down, with their new rank.
    for (size_t i = rank; i < rows.size(); ++i) {
      const size_t o = out.add_row(batch.event_time(r));
      internal::decode_values(rows[i].bytes, n_in, out, o, 0);
      out.set(o, n_in, Value::of_int(static_cast<int64_t>(i + 1)));
      if (i > rank) ++ctx.counts.added;
    }
  }
  ctx.counts.out += out.size();
  std::swap(batch, out);
  return {};
}

void RankOperator::snapshot(StateWriter& out) const {
  std::map<std::string_view, const std::vector<Row>*> groups;
  for (const auto& [key, rows] : groups_) groups.emplace(key, &rows);
  out(arrival_, static_cast<uint64_t>(groups.size()));
  for (const auto& [key, rows] : groups) {
    out(std::string(key), static_cast<uint64_t>(rows->size()));
    for (const Row& row : *rows) out(row.order, row.arrival, row.bytes);
  }
}

Status RankOperator::restore(StateReader& in) {
  groups_.clear();
  arrival_ = 0;
  return read_state(in, nullptr, 0);
}

Status RankOperator::restore_rescaled(const std::vector<std::string>& snapshots,
                                      const PartitionFilter& keep) {
  RIVULET_ASSIGN_OR_RETURN(const size_t k,
                           internal::partition_key_index(grouping_fields(), keep, name()));
  groups_.clear();
  arrival_ = 0;
  for (const std::string& bytes : snapshots) {
    std::istringstream is(bytes);
    StateReader in(is);
    RIVULET_RETURN_IF_ERROR(read_state(in, &keep, k));
  }
  return {};
}

Status RankOperator::read_state(StateReader& in, const PartitionFilter* keep, size_t key_index) {
  try {
    uint64_t n = 0;
    uint64_t arrival = 0;
    in(arrival, n);
    // Arrival numbers order ties within a group; a group comes from one instance, and the
    // numbers go on from the largest.
    arrival_ = std::max(arrival_, arrival);
    Batch probe(out_schema_);
    for (uint64_t i = 0; i < n; ++i) {
      std::string key;
      uint64_t size = 0;
      in(key, size);
      if (size > static_cast<uint64_t>(options_.n)) throw std::runtime_error("too many rows");
      std::vector<Row> skipped;
      const bool mine =
          keep == nullptr || internal::keeps_key(*keep, key, key_fields_.size(), key_index);
      auto& rows = mine ? groups_[key] : skipped;
      for (uint64_t k = 0; k < size; ++k) {
        Row row;
        in(row.order, row.arrival, row.bytes);
        probe.clear();
        if (row.order.size() != order_fields_.size() ||
            !internal::decode_values(row.bytes, out_schema_->size() - 1, probe, probe.add_row(),
                                     0)) {
          throw std::runtime_error("a row does not match the schema");
        }
        rows.push_back(std::move(row));
      }
    }
  } catch (const std::exception& e) {
    groups_.clear();
    return Status::data_loss(fmt::format("top_n: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> RankOperator::clone() const {
  auto op = std::unique_ptr<RankOperator>(new RankOperator(options_));
  op->set_name(name());
  return op;
}

}  // namespace rivulet::stream
