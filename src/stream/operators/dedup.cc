#include <algorithm>
#include <cstdint>
#include <sstream>
#include <utility>
#include <vector>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_util.h"

namespace rivulet::stream {

using internal::error_at;

Result<std::unique_ptr<DedupOperator>> DedupOperator::create(Options options) {
  if (options.key.empty()) {
    return error_at(options.pos,
                    "dedup: 'key' is empty (give the fields that identify a duplicate)");
  }
  for (const FieldRef& f : options.key) {
    if (f.name.empty()) return error_at(f.pos, "dedup: a key field has no name");
  }
  if (options.within_ms <= 0) {
    return error_at(options.pos,
                    fmt::format("dedup: 'within_ms' must be > 0, got {}", options.within_ms));
  }
  return std::unique_ptr<DedupOperator>(new DedupOperator(std::move(options)));
}

Result<SchemaPtr> DedupOperator::open(SchemaPtr input, OpenContext& ctx) {
  (void)ctx;
  RIVULET_ASSIGN_OR_RETURN(fields_, internal::resolve_fields(options_.key, *input, "dedup"));
  return input;
}

void DedupOperator::key_of(const Batch& batch, size_t r) {
  key_.clear();
  internal::append_key_bytes(batch, r, fields_, key_);
}

Status DedupOperator::process(Batch& batch, OperatorContext& ctx) {
  const size_t n = batch.size();
  ctx.counts.in += n;
  keep_.assign(n, 0);
  for (size_t r = 0; r < n; ++r) {
    key_of(batch, r);
    const int64_t t = batch.event_time(r);
    auto it = kept_.find(std::string_view(key_));
    if (it == kept_.end()) {
      kept_.emplace(key_, t);  // a new key: its first row
      keep_[r] = 1;
    } else if (t - it->second >= options_.within_ms) {
      it->second = t;  // past the range: kept, and a new range starts
      keep_[r] = 1;
    } else {
      ++ctx.counts.filtered;
    }
  }
  ctx.counts.out += batch.retain(keep_);
  return {};
}

Status DedupOperator::on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
  (void)batch;
  (void)ctx;
  // A key whose range ended before the watermark cannot catch a duplicate any more (a later
  // row of it would be late and start a new range anyway).
  if (watermark == INT64_MAX) {
    kept_.clear();
    return {};
  }
  std::erase_if(kept_, [&](const auto& kv) { return kv.second + options_.within_ms <= watermark; });
  return {};
}

void DedupOperator::snapshot(StateWriter& out) const {
  // In key order, so that equal states write equal bytes.
  std::vector<std::pair<std::string, int64_t>> entries(kept_.begin(), kept_.end());
  std::sort(entries.begin(), entries.end());
  out(entries);
}

Status DedupOperator::restore(StateReader& in) {
  std::vector<std::pair<std::string, int64_t>> entries;
  try {
    in(entries);
  } catch (const std::exception& e) {
    return Status::data_loss(fmt::format("dedup: corrupt state: {}", e.what()));
  }
  kept_.clear();
  for (auto& [k, t] : entries) kept_.emplace(std::move(k), t);
  return {};
}

Status DedupOperator::restore_rescaled(const std::vector<std::string>& snapshots,
                                       const PartitionFilter& keep) {
  RIVULET_ASSIGN_OR_RETURN(const size_t k,
                           internal::partition_key_index(grouping_fields(), keep, name()));
  kept_.clear();
  try {
    for (const std::string& bytes : snapshots) {
      std::istringstream is(bytes);
      StateReader in(is);
      std::vector<std::pair<std::string, int64_t>> entries;
      in(entries);
      for (auto& [key, t] : entries) {
        if (internal::keeps_key(keep, key, fields_.size(), k)) kept_.emplace(std::move(key), t);
      }
    }
  } catch (const std::exception& e) {
    kept_.clear();
    return Status::data_loss(fmt::format("dedup: corrupt state: {}", e.what()));
  }
  return {};
}

std::unique_ptr<Operator> DedupOperator::clone() const {
  auto c = std::unique_ptr<DedupOperator>(new DedupOperator(options_));
  c->set_name(name());
  return c;
}

}  // namespace rivulet::stream
