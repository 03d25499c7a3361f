#include "rivulet/stream/operator.h"

#include <fmt/format.h>

#include <xxhash.h>

#include <cmath>
#include <sstream>

#include "rivulet/stream/json_text.h"

namespace rivulet::stream {
std::string row_to_json(const Batch& batch, size_t r) {
  std::string out = "{";
  const Schema& schema = batch.schema();
  for (size_t f = 0; f < batch.n_fields(); ++f) {
    if (f > 0) out += ", ";
    append_json_string(out, schema.field(f).name);
    out += ": ";
    append_json_value(out, batch.get(r, f));
  }
  out += "}";
  return out;
}

void OperatorContext::dead_letter(std::string_view stage, std::string_view reason,
                                  const Batch& batch, size_t r) {
  DeadLetter letter;
  letter.stage = std::string(stage);
  letter.reason = std::string(reason);
  letter.record = row_to_json(batch, r);
  letter.origin = std::string(origin);
  letter.event_time = batch.event_time(r);
  dead_letter(std::move(letter));
}

size_t partition_of(const Value& key, size_t n) {
  uint64_t h = 0;
  switch (key.type()) {
    case Type::kString: {
      const std::string_view s = key.as_string();
      h = XXH3_64bits(s.data(), s.size());
      break;
    }
    case Type::kInt: {
      const int64_t i = key.as_int();
      h = XXH3_64bits(&i, sizeof(i));
      break;
    }
    case Type::kDouble: {
      const double d = key.as_double();
      h = XXH3_64bits(&d, sizeof(d));
      break;
    }
    case Type::kBool:
      h = key.as_bool() ? 1 : 0;
      break;
    case Type::kNull:
      break;
  }
  return static_cast<size_t>(h % n);
}

Status Operator::restore_changes(StateReader& in) {
  (void)in;
  return Status::unimplemented(
      fmt::format("step '{}' ({}) keeps no incremental state", name(), kind()));
}

Status Operator::restore_rescaled(const std::vector<std::string>& snapshots,
                                  const PartitionFilter& keep) {
  (void)keep;
  std::ostringstream os;
  {
    StateWriter out(os);
    snapshot(out);
  }
  const std::string empty = std::move(os).str();
  for (const std::string& s : snapshots) {
    if (s != empty) {
      return Status::unimplemented(fmt::format(
          "step '{}' ({}) holds state that cannot be moved between partitions yet: restart "
          "with the parallelism of the checkpoint",
          name(), kind()));
    }
  }
  return {};
}

Status Operator::process_side_input(Batch& batch, OperatorContext& ctx) {
  (void)batch;
  (void)ctx;
  return Status::invalid_argument(
      fmt::format("step '{}' ({}) has no second input", name(), kind()));
}

}  // namespace rivulet::stream
