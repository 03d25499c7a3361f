#include "rivulet/stream/operator.h"

#include <fmt/format.h>

#include <cmath>

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

Status Operator::process_side_input(Batch& batch, OperatorContext& ctx) {
  (void)batch;
  (void)ctx;
  return Status::invalid_argument(
      fmt::format("step '{}' ({}) has no second input", name(), kind()));
}

}  // namespace rivulet::stream
