#pragma once
// Helpers shared by the record-level operators (include/rivulet/stream/operators.h).

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/status.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/operator.h"
#include "rivulet/stream/operators.h"
#include "rivulet/stream/source_pos.h"

namespace rivulet::stream::internal {

// kInvalidArgument "line L, column C: message", as expression errors read.
inline Status error_at(const SourcePos& pos, std::string_view message) {
  return Status::invalid_argument(
      fmt::format("line {}, column {}: {}", pos.line, pos.column, message));
}

inline bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The stage named in dead letters: the step's name, else its kind.
inline std::string_view stage_of(const Operator& op) {
  return op.name().empty() ? op.kind() : std::string_view(op.name());
}

// Appends the bytes that identify the values of `fields` in row r of `batch` (type tag, then
// the value; strings length-prefixed): equal keys give equal bytes. NULL is a value; -0.0 is 0.0.
inline void append_key_bytes(const Batch& batch, size_t r, const std::vector<size_t>& fields,
                             std::string& out) {
  for (const size_t f : fields) {
    const Value v = batch.get(r, f);
    out.push_back(static_cast<char>(v.type()));
    switch (v.type()) {
      case Type::kNull:
        break;
      case Type::kBool:
        out.push_back(v.as_bool() ? '1' : '0');
        break;
      case Type::kInt: {
        const int64_t i = v.as_int();
        out.append(reinterpret_cast<const char*>(&i), sizeof i);
        break;
      }
      case Type::kDouble: {
        const double d = v.as_double() == 0.0 ? 0.0 : v.as_double();
        out.append(reinterpret_cast<const char*>(&d), sizeof d);
        break;
      }
      case Type::kString: {
        const std::string_view s = v.as_string();
        const auto n = static_cast<uint32_t>(s.size());
        out.append(reinterpret_cast<const char*>(&n), sizeof n);
        out.append(s);
        break;
      }
    }
  }
}

// A group's values as its key bytes hold them (see append_key_bytes), strings viewed in `key`,
// which must outlive them. False when the key is malformed or holds another number of values.
inline bool values_from_key(std::string_view key, size_t n, std::vector<Value>& values) {
  values.clear();
  values.reserve(n);
  size_t i = 0;
  while (i < key.size()) {
    const auto type = static_cast<Type>(key[i++]);
    switch (type) {
      case Type::kNull:
        values.emplace_back();
        break;
      case Type::kBool:
        if (i >= key.size()) return false;
        values.push_back(Value::of_bool(key[i++] == '1'));
        break;
      case Type::kInt: {
        if (key.size() - i < sizeof(int64_t)) return false;
        int64_t v = 0;
        std::memcpy(&v, key.data() + i, sizeof v);
        i += sizeof v;
        values.push_back(Value::of_int(v));
        break;
      }
      case Type::kDouble: {
        if (key.size() - i < sizeof(double)) return false;
        double v = 0;
        std::memcpy(&v, key.data() + i, sizeof v);
        i += sizeof v;
        values.push_back(Value::of_double(v));
        break;
      }
      case Type::kString: {
        uint32_t len = 0;
        if (key.size() - i < sizeof len) return false;
        std::memcpy(&len, key.data() + i, sizeof len);
        i += sizeof len;
        if (key.size() - i < len) return false;
        values.push_back(Value::of_string(key.substr(i, len)));
        i += len;
        break;
      }
      default:
        return false;
    }
  }
  return values.size() == n;
}

// The value at `index` of a key written by append_key_bytes (of `n` values); none when the
// bytes are malformed. A string points into `key`.
inline std::optional<Value> key_value_at(std::string_view key, size_t n, size_t index) {
  std::vector<Value> values;
  if (!values_from_key(key, n, values) || index >= n) return std::nullopt;
  return values[index];
}

// Rescaling: the position of the partition key among a step's key fields, whose values make
// its state's keys. Errors: the step is not keyed by it.
inline Result<size_t> partition_key_index(const std::vector<std::string>& key_fields,
                                          const PartitionFilter& keep, std::string_view step) {
  const auto it = std::find(key_fields.begin(), key_fields.end(), keep.field);
  if (it == key_fields.end()) {
    return Status::unimplemented(fmt::format(
        "step '{}': its state is not keyed by '{}', so it cannot be moved between partitions: "
        "restart with the parallelism of the checkpoint",
        step, keep.field));
  }
  return static_cast<size_t>(it - key_fields.begin());
}

// Whether the state under `key` (append_key_bytes' of the step's `n` key fields) goes to the
// partition `keep` describes; `index` from partition_key_index. Malformed keys: a DataLoss
// error thrown as std::runtime_error (restores catch those).
inline bool keeps_key(const PartitionFilter& keep, std::string_view key, size_t n, size_t index) {
  const auto v = key_value_at(key, n, index);
  if (!v) throw std::runtime_error("a key's bytes are malformed");
  return keep.accepts(*v);
}

// The indices of `refs` in `schema`; an unknown one is an error at its position, prefixed by
// the step's kind ("window: unknown field 'amout' (did you mean 'amount'?)").
inline Result<std::vector<size_t>> resolve_fields(const std::vector<FieldRef>& refs,
                                                  const Schema& schema, std::string_view step) {
  std::vector<size_t> out;
  out.reserve(refs.size());
  for (const FieldRef& f : refs) {
    const auto index = schema.index_of(f.name);
    if (!index) {
      return error_at(f.pos, fmt::format("{}: {}", step, schema.unknown_field_message(f.name)));
    }
    out.push_back(*index);
  }
  return out;
}

inline Result<SchemaPtr> make_schema(std::vector<SchemaField> fields) {
  RIVULET_ASSIGN_OR_RETURN(Schema schema, Schema::create(std::move(fields)));
  return std::make_shared<const Schema>(std::move(schema));
}

// Hands `built` (rows of the output schema whose strings live in `batch`'s arena) to the caller
// in `batch`, and keeps the received batch's buffers in `built` for the next call: the output
// batch takes the input's arena, so the input's strings stay valid without a copy.
inline void hand_over(Batch& batch, Batch& built) {
  std::swap(batch.arena(), built.arena());
  std::swap(batch, built);
}

// Appends a row to `out` holding the first `n` values of `src` and NULLs after them.
inline Value* append_prefix(Batch& out, const Value* src, size_t n, int64_t event_time) {
  const size_t r = out.add_row(event_time);
  Value* dst = out.mutable_row(r);
  for (size_t f = 0; f < n; ++f) dst[f] = src[f];
  return dst;
}

// `text` quoted for a reason, cut after `max_bytes` (at a character boundary) with "...".
inline std::string quote_cut(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return fmt::format("'{}'", text);
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return fmt::format("'{}...'", text.substr(0, n));
}

// A string value copied into `arena`; other values as they are.
inline Value own(Value v, Arena& arena) {
  if (v.type() != Type::kString) return v;
  return Value::of_string(arena.copy(v.as_string()));
}

// Values kept in operator state as bytes: per value a type byte, then 8 bytes for a number, 1
// for a boolean, a 4-byte length and the bytes for a string. encode_values appends.
inline void encode_values(const Value* values, size_t n, std::string& out) {
  for (size_t f = 0; f < n; ++f) {
    const Value v = values[f];
    out.push_back(static_cast<char>(v.type()));
    switch (v.type()) {
      case Type::kNull:
        break;
      case Type::kBool:
        out.push_back(v.as_bool() ? 1 : 0);
        break;
      case Type::kInt: {
        const int64_t i = v.as_int();
        out.append(reinterpret_cast<const char*>(&i), sizeof i);
        break;
      }
      case Type::kDouble: {
        const double d = v.as_double();
        out.append(reinterpret_cast<const char*>(&d), sizeof d);
        break;
      }
      case Type::kString: {
        const std::string_view s = v.as_string();
        const auto len = static_cast<uint32_t>(s.size());
        out.append(reinterpret_cast<const char*>(&len), sizeof len);
        out.append(s);
        break;
      }
    }
  }
}

// Decodes `bytes` (encode_values', of `n` values) into out[0..n); strings point into `bytes`.
// Returns false when the bytes are malformed.
inline bool decode_values(std::string_view bytes, size_t n, Value* out) {
  size_t p = 0;
  for (size_t f = 0; f < n; ++f) {
    if (p >= bytes.size()) return false;
    const auto type = static_cast<Type>(static_cast<uint8_t>(bytes[p++]));
    switch (type) {
      case Type::kNull:
        out[f] = Value::null();
        break;
      case Type::kBool:
        if (p + 1 > bytes.size()) return false;
        out[f] = Value::of_bool(bytes[p++] != 0);
        break;
      case Type::kInt: {
        if (p + 8 > bytes.size()) return false;
        int64_t i = 0;
        std::memcpy(&i, bytes.data() + p, 8);
        p += 8;
        out[f] = Value::of_int(i);
        break;
      }
      case Type::kDouble: {
        if (p + 8 > bytes.size()) return false;
        double d = 0;
        std::memcpy(&d, bytes.data() + p, 8);
        p += 8;
        out[f] = Value::of_double(d);
        break;
      }
      case Type::kString: {
        if (p + 4 > bytes.size()) return false;
        uint32_t len = 0;
        std::memcpy(&len, bytes.data() + p, 4);
        p += 4;
        if (p + len > bytes.size()) return false;
        out[f] = Value::of_string(bytes.substr(p, len));
        p += len;
        break;
      }
      default:
        return false;
    }
  }
  return p == bytes.size();
}

// As above, into fields [first, first + n) of row r of `out`, strings copied into its arena.
inline bool decode_values(std::string_view bytes, size_t n, Batch& out, size_t r, size_t first) {
  Value* row = out.mutable_row(r) + first;
  if (!decode_values(bytes, n, row)) return false;
  for (size_t f = 0; f < n; ++f) {
    if (row[f].type() == Type::kString) out.set_string(r, first + f, row[f].as_string());
  }
  return true;
}

}  // namespace rivulet::stream::internal
