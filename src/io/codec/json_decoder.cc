// JSON decoder: simdjson On-Demand straight into the batch. The schema's field names are turned
// once into a tree of lookup nodes (one per object level, `card.country` is `country` under
// `card`); each node remembers which key came at which position of the previous object, so that
// in the usual stream of objects with the same keys in the same order a key is matched with one
// comparison. Values are checked against the field's type and converted only when nothing is
// lost; anything else makes the line a dead letter with the reason.

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "io/codec/codec_decoders.h"
#include "io/codec/codec_internal.h"

namespace rivulet::io::internal {
namespace {

namespace od = simdjson::ondemand;

// Past this many keys in one object the position cache stops growing (lookups still work).
constexpr size_t kMaxCachedPositions = 1024;

uint64_t hash_key(std::string_view key) {
  uint64_t h = 1469598103934665603ull;
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// memcmp(a, b, n) == 0 for the short keys of JSON objects, without a library call.
inline bool equal_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x = 0, y = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x = 0, y = 0, z = 0, w = 0;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    std::memcpy(&z, a + n - 4, 4);
    std::memcpy(&w, b + n - 4, 4);
    return x == y && z == w;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::string_view json_type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

class JsonDecoder final : public Decoder {
 public:
  JsonDecoder(stream::SchemaPtr schema, DecoderOptions options, int event_field)
      : schema_(std::move(schema)), options_(std::move(options)), event_field_(event_field) {
    for (const auto& f : schema_->fields()) types_.push_back(f.type);
    nodes_.emplace_back();
    for (size_t f = 0; f < schema_->size(); ++f) add_path(schema_->field(f).name, f);
    for (auto& node : nodes_) build_table(node);
  }

  size_t decode(const RawLines& lines, stream::Batch& out, stream::OperatorContext& ctx,
                int64_t now_ms) override {
    if (lines.empty()) return 0;
    const std::string_view last = lines.line(lines.size() - 1);
    const char* data_end = last.data() + last.size();
    out_ = &out;
    size_t added = 0;
    bool reuse_last = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = trim(lines.line(i));
      if (line.empty()) {
        ++skipped_;
        continue;
      }
      // simdjson reads up to SIMDJSON_PADDING bytes past the end: the next lines are there,
      // except near the end of the buffer, where the line is copied.
      const char* text = line.data();
      size_t capacity = static_cast<size_t>(data_end - line.data());
      if (capacity < line.size() + simdjson::SIMDJSON_PADDING) {
        scratch_.assign(line);
        scratch_.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
        text = scratch_.data();
        capacity = scratch_.size();
      }
      // Decoded straight into a new row; a row whose line fails is reused by the next line.
      size_t r = 0;
      if (reuse_last) {
        r = out.size() - 1;
        std::fill_n(out.mutable_row(r), out.n_fields(), Value());
      } else {
        r = out.add_row(now_ms);
      }
      row_ = out.mutable_row(r);
      int64_t event_time = now_ms;
      reuse_last = !decode_line(text, line.size(), capacity, now_ms, event_time);
      if (!reuse_last) {
        out.set_event_time(r, event_time);
        ++added;
      } else {
        stream::DeadLetter letter;
        letter.stage = "decode";
        letter.reason = reason_;
        letter.record = std::string(lines.line(i));
        letter.origin = origin_with_line(lines.origin(i), lines.line_number(i));
        ctx.dead_letter(std::move(letter));
      }
    }
    if (reuse_last) {
      keep_.assign(out.size(), 1);
      keep_.back() = 0;
      out.retain(keep_);
    }
    out_ = nullptr;
    row_ = nullptr;
    return added;
  }

  uint64_t skipped() const override { return skipped_; }

 private:
  struct Entry {
    std::string key;
    int32_t field = -1;  // the schema field this key fills
    int32_t child = -1;  // the node of the object under this key
  };
  struct Slot {
    std::string key;
    int32_t entry = -1;  // -1: not in the schema
  };
  struct Node {
    std::vector<Entry> entries;
    std::vector<int32_t> table;  // open addressing over entries
    size_t mask = 0;
    std::vector<Slot> order;  // the key met at each position last time
  };

  Entry& entry_for(size_t node, std::string_view key) {
    for (auto& e : nodes_[node].entries) {
      if (e.key == key) return e;
    }
    nodes_[node].entries.push_back({std::string(key), -1, -1});
    return nodes_[node].entries.back();
  }

  void add_path(std::string_view name, size_t field) {
    // The whole name as one key (a flat key with dots in it) ...
    entry_for(0, name).field = static_cast<int32_t>(field);
    // ... and as a path through nested objects.
    size_t node = 0;
    size_t start = 0;
    for (size_t dot = name.find('.'); dot != std::string_view::npos;
         start = dot + 1, dot = name.find('.', start)) {
      const std::string_view part = name.substr(start, dot - start);
      if (part.empty()) return;
      Entry& e = entry_for(node, part);
      if (e.child < 0) {
        e.child = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();  // invalidates `e`
      }
      node = static_cast<size_t>(entry_for(node, part).child);
    }
    if (node != 0) entry_for(node, name.substr(start)).field = static_cast<int32_t>(field);
  }

  static void build_table(Node& node) {
    size_t size = 4;
    while (size < node.entries.size() * 2) size *= 2;
    node.table.assign(size, -1);
    node.mask = size - 1;
    for (size_t e = 0; e < node.entries.size(); ++e) {
      size_t h = hash_key(node.entries[e].key) & node.mask;
      while (node.table[h] >= 0) h = (h + 1) & node.mask;
      node.table[h] = static_cast<int32_t>(e);
    }
  }

  static int32_t find_entry(const Node& node, std::string_view key) {
    size_t h = hash_key(key) & node.mask;
    while (node.table[h] >= 0) {
      if (node.entries[static_cast<size_t>(node.table[h])].key == key) return node.table[h];
      h = (h + 1) & node.mask;
    }
    return -1;
  }

  // The entry of the key of `field`, the position-th key of its object. The position cache holds
  // keys as written in the document (escaped), so a key is matched by comparing raw bytes; only a
  // key never seen at that position is looked up (unescaped) in the hash table.
  int32_t lookup(Node& node, size_t pos, od::field& field) {
    const od::raw_json_string raw = field.key();
    if (pos < node.order.size()) {
      const Slot& slot = node.order[pos];
      // unsafe_is_equal reads size + 1 bytes: stay inside the document and its padding.
      const size_t n = slot.key.size();
      if (raw.raw() + n + 1 <= doc_end_ + simdjson::SIMDJSON_PADDING && raw.raw()[n] == '"' &&
          equal_bytes(raw.raw(), slot.key.data(), n)) {
        return slot.entry;
      }
    }
    std::string_view written;
    int32_t e = -1;
    if (!raw_key(raw, written)) return -2;
    if (written.find('\\') == std::string_view::npos) {
      e = find_entry(node, written);
    } else {
      std::string_view unescaped;
      if (field.unescaped_key().get(unescaped)) return -2;
      e = find_entry(node, unescaped);
    }
    if (pos < node.order.size()) {
      node.order[pos].key.assign(written);
      node.order[pos].entry = e;
    } else if (pos < kMaxCachedPositions) {
      node.order.push_back({std::string(written), e});
    }
    return e;
  }

  // The key as written between its quotes (escapes kept).
  bool raw_key(const od::raw_json_string& raw, std::string_view& key) const {
    const char* start = raw.raw();
    if (start < doc_begin_ || start >= doc_end_) return false;
    const char* p = start;
    for (;;) {
      const char* quote =
          static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(doc_end_ - p)));
      if (quote == nullptr) return false;
      // Escaped when an odd number of backslashes precede it.
      size_t slashes = 0;
      while (quote - slashes > start && quote[-1 - static_cast<std::ptrdiff_t>(slashes)] == '\\') {
        ++slashes;
      }
      if (slashes % 2 == 0) {
        key = std::string_view(start, static_cast<size_t>(quote - start));
        return true;
      }
      p = quote + 1;
    }
  }

  bool fail(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  bool fail_json(simdjson::error_code error) {
    return fail(fmt::format("malformed JSON: {}", simdjson::error_message(error)));
  }
  bool fail_field(size_t f, simdjson::error_code error) {
    return fail(fmt::format("field '{}': malformed JSON: {}", schema_->field(f).name,
                            simdjson::error_message(error)));
  }
  bool mismatch(size_t f, std::string_view found, std::string_view text) {
    const auto& field = schema_->field(f);
    if (text.empty()) {
      return fail(
          fmt::format("field '{}': expected {}, got {}", field.name, type_name(field.type), found));
    }
    return fail(fmt::format("field '{}': expected {}, got {} {}", field.name, type_name(field.type),
                            found, text));
  }

  // A copy of `s` in the batch's arena; short strings (most values) without a library call.
  std::string_view copy(std::string_view s) {
    const size_t n = s.size();
    if (n == 0) return {};
    char* p = out_->arena().allocate(n);
    const char* src = s.data();
    if (n >= 8 && n <= 16) {
      uint64_t a = 0, b = 0;
      std::memcpy(&a, src, 8);
      std::memcpy(&b, src + n - 8, 8);
      std::memcpy(p, &a, 8);
      std::memcpy(p + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
      uint32_t a = 0, b = 0;
      std::memcpy(&a, src, 4);
      std::memcpy(&b, src + n - 4, 4);
      std::memcpy(p, &a, 4);
      std::memcpy(p + n - 4, &b, 4);
    } else if (n < 4) {
      for (size_t i = 0; i < n; ++i) p[i] = src[i];
    } else {
      std::memcpy(p, src, n);
    }
    return {p, n};
  }

  // A string value without escapes, read from the document without unescaping (the token ends
  // at the next structural character, so no scan for the closing quote is needed).
  static bool plain_string(od::value& value, std::string_view& out) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                              token.back() == '\r')) {
      token.remove_suffix(1);
    }
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
    token = token.substr(1, token.size() - 2);
    for (const char c : token) {
      if (c == '\\' || c == '"') return false;
    }
    out = token;
    return true;
  }

  bool decode_line(const char* text, size_t len, size_t capacity, int64_t now_ms,
                   int64_t& event_time) {
    od::document doc;
    auto error = parser_.iterate(text, len, capacity).get(doc);
    if (error) return fail_json(error);
    doc_begin_ = text;
    doc_end_ = text + len;
    od::object object;
    error = doc.get_object().get(object);
    if (error == simdjson::INCORRECT_TYPE) return not_an_object(doc);
    if (error) return fail_json(error);
    if (!decode_object(object, 0, 0)) return false;
    // A document that goes on after the object ("{...} 1") is malformed.
    if (!doc.current_location().error()) return fail("malformed JSON: text after the object");
    event_time = now_ms;
    if (event_field_ >= 0) return resolve_event_time(static_cast<size_t>(event_field_), event_time);
    return true;
  }

  // A document that is not an object: valid JSON of another type, or not JSON at all (the type
  // is guessed from the first byte, so the value is read to tell them apart).
  bool not_an_object(od::document& doc) {
    od::json_type type{};
    auto error = doc.type().get(type);
    if (error) return fail_json(error);
    switch (type) {
      case od::json_type::null: {
        bool is_null = false;
        error = doc.is_null().get(is_null);
        if (!error && !is_null) error = simdjson::N_ATOM_ERROR;
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        error = doc.get_bool().get(b);
        break;
      }
      case od::json_type::number: {
        double d = 0.0;
        error = doc.get_double().get(d);
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        error = doc.get_string().get(s);
        break;
      }
      case od::json_type::array:
      case od::json_type::object:
        break;
    }
    if (error) return fail_json(error);
    return fail(fmt::format("expected a JSON object, got {}", json_type_name(type)));
  }

  bool resolve_event_time(size_t f, int64_t& event_time) {
    const Value v = row_[f];
    switch (v.type()) {
      case Type::kNull:
        return true;
      case Type::kInt:
        if (auto ms = event_time_of_int(v.as_int(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        return fail(fmt::format("field '{}': {} is not an event time", schema_->field(f).name,
                                v.as_int()));
      case Type::kDouble:
        if (auto ms = event_time_of_double(v.as_double(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        return fail(fmt::format("field '{}': {} is not an event time", schema_->field(f).name,
                                v.as_double()));
      case Type::kString:
        if (auto ms = parse_event_time_text(v.as_string(), options_.event_time_unit_us)) {
          event_time = *ms;
          return true;
        }
        return fail(event_time_error(schema_->field(f).name, v.as_string()));
      case Type::kBool:
        return fail(
            fmt::format("field '{}': a boolean is not an event time", schema_->field(f).name));
    }
    return true;
  }

  bool decode_object(od::object& object, size_t node_index, size_t depth) {
    Node& node = nodes_[node_index];
    size_t pos = 0;
    for (auto field_result : object) {
      if (field_result.error()) return fail_json(field_result.error());
      od::field& field = field_result.value_unsafe();
      const int32_t e = lookup(node, pos++, field);
      if (e == -2) return fail("malformed JSON: bad key");
      if (e < 0) continue;  // not in the schema: On-Demand skips the value
      const Entry& entry = node.entries[static_cast<size_t>(e)];
      od::value& value = field.value();
      simdjson::error_code error = simdjson::SUCCESS;
      if (entry.child >= 0) {
        od::json_type type{};
        error = value.type().get(type);
        if (error) return fail_json(error);
        if (type == od::json_type::object) {
          if (entry.field >= 0) {
            if (!decode_both(value, static_cast<size_t>(entry.field),
                             static_cast<size_t>(entry.child), depth)) {
              return false;
            }
            continue;
          }
          od::object child;
          error = value.get_object().get(child);
          if (error) return fail_json(error);
          if (!decode_object(child, static_cast<size_t>(entry.child), depth)) return false;
          continue;
        }
      }
      if (entry.field >= 0 && !assign(static_cast<size_t>(entry.field), value)) return false;
    }
    return true;
  }

  // An object under a key that is both a string field (its raw JSON) and the parent of nested
  // fields: keep the text, then parse it again for the nested fields.
  bool decode_both(od::value& value, size_t field, size_t child, size_t depth) {
    od::object object;
    auto error = value.get_object().get(object);
    if (error) return fail_json(error);
    std::string_view raw;
    error = object.raw_json().get(raw);
    if (error) return fail_json(error);
    row_[field] = Value::of_string(copy(raw));
    if (depth >= nested_.size()) nested_.resize(depth + 1);
    Nested& n = nested_[depth];
    n.text.assign(raw);
    n.text.resize(raw.size() + simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    error = n.parser.iterate(n.text.data(), raw.size(), n.text.size()).get(doc);
    if (error) return fail_json(error);
    const char* outer_begin = doc_begin_;
    const char* outer_end = doc_end_;
    doc_begin_ = n.text.data();
    doc_end_ = n.text.data() + raw.size();
    od::object inner;
    error = doc.get_object().get(inner);
    if (error) return fail_json(error);
    const bool ok = decode_object(inner, child, depth + 1);
    doc_begin_ = outer_begin;
    doc_end_ = outer_end;
    return ok;
  }

  // The usual case first: a value of the field's own type, read without asking its type.
  [[gnu::always_inline]] bool assign(size_t f, od::value& value) {
    switch (types_[f]) {
      case Type::kString: {
        std::string_view s;
        if (plain_string(value, s)) {
          row_[f] = Value::of_string(copy(s));
          return true;
        }
        break;
      }
      case Type::kDouble: {
        double d = 0.0;
        if (!value.get_double().get(d)) {
          row_[f] = Value::of_double(d);
          return true;
        }
        break;
      }
      case Type::kInt: {
        int64_t i = 0;
        if (!value.get_int64().get(i)) {
          row_[f] = Value::of_int(i);
          return true;
        }
        break;
      }
      case Type::kBool: {
        bool b = false;
        if (!value.get_bool().get(b)) {
          row_[f] = Value::of_bool(b);
          return true;
        }
        break;
      }
      case Type::kNull:
        break;
    }
    return assign_any(f, value);
  }

  [[gnu::noinline]] bool assign_any(size_t f, od::value& value) {
    const Type want = types_[f];
    od::json_type type{};
    auto error = value.type().get(type);
    if (error) return fail_field(f, error);
    switch (type) {
      case od::json_type::null:
        row_[f] = Value();
        return true;
      case od::json_type::boolean: {
        bool b = false;
        error = value.get_bool().get(b);
        if (error) return fail_field(f, error);
        if (want == Type::kBool) {
          row_[f] = Value::of_bool(b);
        } else if (want == Type::kString) {
          row_[f] = Value::of_string(b ? "true" : "false");
        } else {
          return mismatch(f, "boolean", b ? "true" : "false");
        }
        return true;
      }
      case od::json_type::number:
        return assign_number(f, want, value);
      case od::json_type::string: {
        std::string_view s;
        if (want == Type::kString && plain_string(value, s)) {
          row_[f] = Value::of_string(copy(s));
          return true;
        }
        error = value.get_string().get(s);
        if (error) return fail_field(f, error);
        if (want == Type::kString) {
          row_[f] = Value::of_string(copy(s));
          return true;
        }
        return assign_text(f, want, s);
      }
      case od::json_type::array:
      case od::json_type::object: {
        if (want != Type::kString) return mismatch(f, json_type_name(type), "");
        std::string_view raw;
        if (type == od::json_type::array) {
          od::array array;
          error = value.get_array().get(array);
          if (!error) error = array.raw_json().get(raw);
        } else {
          od::object object;
          error = value.get_object().get(object);
          if (!error) error = object.raw_json().get(raw);
        }
        if (error) return fail_field(f, error);
        row_[f] = Value::of_string(copy(raw));
        return true;
      }
    }
    return true;
  }

  bool assign_number(size_t f, Type want, od::value& value) {
    switch (want) {
      case Type::kDouble: {
        double d = 0.0;
        const auto error = value.get_double().get(d);
        if (error) return fail_field(f, error);
        row_[f] = Value::of_double(d);
        return true;
      }
      case Type::kInt: {
        int64_t i = 0;
        if (!value.get_int64().get(i)) {
          row_[f] = Value::of_int(i);
          return true;
        }
        // A float with an integral value (3.0, 1e3) fits a bigint without loss.
        double d = 0.0;
        const auto error = value.get_double().get(d);
        if (error) return fail_field(f, error);
        if (std::trunc(d) == d && std::fabs(d) < 9.2e18) {
          row_[f] = Value::of_int(static_cast<int64_t>(d));
          return true;
        }
        return mismatch(f, "number", trim(value.raw_json_token()));
      }
      case Type::kString:
        row_[f] = Value::of_string(copy(trim(value.raw_json_token())));
        return true;
      case Type::kBool:
      case Type::kNull:
        break;
    }
    return mismatch(f, "number", trim(value.raw_json_token()));
  }

  // A JSON string into a non-string field.
  bool assign_text(size_t f, Type want, std::string_view s) {
    if (static_cast<int>(f) == event_field_ && is_numeric(want)) {
      if (auto ms = parse_event_time_text(s, options_.event_time_unit_us)) {
        // Stored in the field's own unit, as a number would have been.
        const int64_t per_ms = 1000 / std::min<int64_t>(options_.event_time_unit_us, 1000);
        const int64_t v = options_.event_time_unit_us >= 1000
                              ? *ms / (options_.event_time_unit_us / 1000)
                              : *ms * per_ms;
        row_[f] = want == Type::kInt ? Value::of_int(v) : Value::of_double(static_cast<double>(v));
        return true;
      }
      return fail(event_time_error(schema_->field(f).name, s));
    }
    if (options_.lenient_numbers) {
      const std::string_view t = trim(s);
      const char* end = t.data() + t.size();
      if (want == Type::kInt) {
        int64_t i = 0;
        auto r = std::from_chars(t.data(), end, i);
        if (!t.empty() && r.ec == std::errc() && r.ptr == end) {
          row_[f] = Value::of_int(i);
          return true;
        }
      } else if (want == Type::kDouble) {
        double d = 0.0;
        auto r = std::from_chars(t.data(), end, d);
        if (!t.empty() && r.ec == std::errc() && r.ptr == end) {
          row_[f] = Value::of_double(d);
          return true;
        }
      } else if (want == Type::kBool && (t == "true" || t == "false")) {
        row_[f] = Value::of_bool(t == "true");
        return true;
      }
    }
    return mismatch(f, "string", quote_for_message(s));
  }

  struct Nested {
    od::parser parser;
    std::string text;
  };

  stream::SchemaPtr schema_;
  DecoderOptions options_;
  int event_field_;
  std::vector<Type> types_;
  std::vector<Node> nodes_;
  od::parser parser_;
  std::vector<Nested> nested_;
  Value* row_ = nullptr;  // the row being decoded
  std::vector<uint8_t> keep_;
  std::string reason_;
  std::string scratch_;
  stream::Batch* out_ = nullptr;
  const char* doc_begin_ = nullptr;  // the document being decoded
  const char* doc_end_ = nullptr;
  uint64_t skipped_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> make_json_decoder(stream::SchemaPtr schema, DecoderOptions options,
                                           int event_field) {
  return std::make_unique<JsonDecoder>(std::move(schema), std::move(options), event_field);
}

}  // namespace rivulet::io::internal
