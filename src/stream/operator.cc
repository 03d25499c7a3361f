#include "rivulet/stream/operator.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::stream {
namespace {

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string row_to_json(const Batch& batch, size_t r) {
  std::string out = "{";
  const Schema& schema = batch.schema();
  for (size_t f = 0; f < batch.n_fields(); ++f) {
    if (f > 0) out += ", ";
    append_json_string(out, schema.field(f).name);
    out += ": ";
    const Value v = batch.get(r, f);
    switch (v.type()) {
      case Type::kNull:
        out += "null";
        break;
      case Type::kBool:
        out += v.as_bool() ? "true" : "false";
        break;
      case Type::kInt:
        out += fmt::format("{}", v.as_int());
        break;
      case Type::kDouble:
        if (std::isfinite(v.as_double())) {
          out += fmt::format("{}", v.as_double());
        } else {
          out += "null";
        }
        break;
      case Type::kString:
        append_json_string(out, v.as_string());
        break;
    }
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
