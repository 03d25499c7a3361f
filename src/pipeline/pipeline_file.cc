#include "rivulet/pipeline/pipeline_file.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "pipeline/yaml_node.h"
#include "rivulet/io/sinks.h"
#include "rivulet/io/sources.h"
#include "rivulet/pipeline/learner_stage.h"
#include "rivulet/stream/group.h"
#include "rivulet/stream/join.h"
#include "rivulet/stream/operators.h"
#include "rivulet/stream/window.h"

namespace rivulet::pipeline {
namespace {

using internal::YamlNode;
using stream::SchemaPtr;

const std::vector<std::string_view> kTopKeys = {"name",  "source",       "labels",   "steps",
                                                "sinks", "dead_letters", "settings", "checkpoint"};
const std::vector<std::string_view> kSourceKinds = {"file", "stdin", "socket", "generator"};
const std::vector<std::string_view> kStepKinds = {
    "filter", "map", "select", "drop", "key_by", "flat_map", "validate", "dedup",
    "window", "over", "top_n", "aggregate", "join", "evaluate", "predict", "learn"};
const std::vector<std::string_view> kSinkKinds = {"console", "file", "socket"};

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out;
}

Status unknown_kind(const YamlNode& at, std::string_view what, std::string_view kind,
                    const std::vector<std::string_view>& kinds) {
  const auto s = internal::closest(kind, kinds);
  return at.error(fmt::format("unknown {} '{}'{}; valid kinds: {}", what, kind,
                              s ? fmt::format(" (did you mean '{}'?)", *s) : std::string(),
                              join(kinds)));
}

// Wraps an error from a component's create() with the node's position.
Status at_node(const YamlNode& node, const Status& s) {
  if (s.ok()) return s;
  return node.error(s.message());
}

// ---- schemas ----

Result<SchemaPtr> read_schema(const YamlNode& node) {
  if (!node.is_map()) {
    return node.error("expected the fields and their types, e.g. {amount: double, country: string}");
  }
  std::vector<SchemaField> fields;
  for (const std::string& name : node.keys()) {
    const YamlNode t = node.child(name);
    RIVULET_ASSIGN_OR_RETURN(std::string type_text, t.as_string());
    const auto type = parse_type(type_text);
    if (!type || *type == Type::kNull) {
      return t.error(fmt::format(
          "unknown type '{}'; valid types: string, double, bigint, boolean (and the SQL aliases "
          "varchar, int, long, float, bool)",
          type_text));
    }
    fields.push_back({name, *type, true});
  }
  auto schema = Schema::create(std::move(fields));
  if (!schema.ok()) return node.error(schema.status().message());
  return std::make_shared<const Schema>(std::move(*schema));
}

// The schema of a generator's events: the union of the fields of its first 20,000 events, in
// order of first appearance, typed by their JSON values (whole numbers bigint, other numbers
// double). Fields that appear later (rare events) are missed: a pipeline that uses them
// declares its schema.
Result<SchemaPtr> infer_generator_schema(const io::GeneratorSource::Options& options) {
  io::GeneratorSource::Options probe = options;
  probe.count = 20000;
  probe.rate = 0;
  RIVULET_ASSIGN_OR_RETURN(auto source, io::GeneratorSource::create(probe));
  io::RawLines lines;
  for (;;) {
    auto got = source->read(lines, 20000, std::chrono::milliseconds(100));
    if (!got.ok()) return got.status();
    if (*got == io::ReadStatus::kEnd || lines.size() >= 20000) break;
  }
  std::vector<SchemaField> fields;
  std::map<std::string, size_t> index;
  simdjson::ondemand::parser parser;
  for (size_t i = 0; i < lines.size(); ++i) {
    simdjson::padded_string padded(lines.line(i));
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) continue;
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) continue;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
      simdjson::ondemand::json_type jt;
      if (field.value().type().get(jt) != simdjson::SUCCESS) break;
      Type t = Type::kString;
      if (jt == simdjson::ondemand::json_type::boolean) {
        t = Type::kBool;
      } else if (jt == simdjson::ondemand::json_type::number) {
        simdjson::ondemand::number_type nt;
        t = field.value().get_number_type().get(nt) == simdjson::SUCCESS &&
                    nt != simdjson::ondemand::number_type::floating_point_number
                ? Type::kInt
                : Type::kDouble;
      } else if (jt == simdjson::ondemand::json_type::null) {
        continue;
      }
      const std::string k(key);
      auto it = index.find(k);
      if (it == index.end()) {
        index.emplace(k, fields.size());
        fields.push_back({k, t, true});
      } else if (fields[it->second].type == Type::kInt && t == Type::kDouble) {
        fields[it->second].type = Type::kDouble;
      }
    }
  }
  RIVULET_ASSIGN_OR_RETURN(Schema schema, Schema::create(std::move(fields)));
  return std::make_shared<const Schema>(std::move(schema));
}

// ---- inputs ----

Result<InputPlan> read_input(const YamlNode& node, const CompileOptions& copts, bool main,
                             std::string& summary) {
  RIVULET_RETURN_IF_ERROR(node.expect_map(main ? "the source" : "the labels source"));
  RIVULET_ASSIGN_OR_RETURN(std::string kind, node.string("kind", ""));
  if (kind.empty()) {
    return node.error(fmt::format("missing 'kind' ({})", join(kSourceKinds)));
  }
  const std::vector<std::string_view> codec_keys = {
      "kind",      "format",          "schema",         "event_time", "event_time_unit",
      "csv_header", "delimiter",      "lenient_numbers", "max_line_bytes", "watermark"};
  auto keys_with = [&](std::vector<std::string_view> extra) {
    extra.insert(extra.end(), codec_keys.begin(), codec_keys.end());
    return extra;
  };
  InputPlan in;
  in.name = main ? "source" : "labels";
  RIVULET_ASSIGN_OR_RETURN(int64_t max_line, node.integer("max_line_bytes",
                                                          static_cast<int64_t>(io::kDefaultMaxLineBytes),
                                                          1, int64_t{1} << 32));
  std::optional<io::GeneratorSource::Options> generator;
  std::string described;
  if (kind == "file") {
    RIVULET_RETURN_IF_ERROR(node.check_keys(keys_with({"path", "follow", "poll_interval_ms"})));
    io::FileSource::Options o;
    RIVULET_ASSIGN_OR_RETURN(o.path, node.string("path", ""));
    if (o.path.empty()) return node.error("missing 'path' (a file or a directory)");
    RIVULET_ASSIGN_OR_RETURN(o.follow, node.boolean("follow", false));
    RIVULET_ASSIGN_OR_RETURN(o.poll_interval_ms, node.integer("poll_interval_ms", 100, 1, 3600000));
    o.max_line_bytes = static_cast<uint64_t>(max_line);
    auto s = io::FileSource::create(o);
    if (!s.ok()) return node.child("path").error(s.status().message());
    in.source = std::move(*s);
    described = fmt::format("file {}{}", o.path, o.follow ? " (follow)" : "");
  } else if (kind == "stdin") {
    RIVULET_RETURN_IF_ERROR(node.check_keys(keys_with({})));
    io::StdinSource::Options o;
    o.fd = copts.stdin_fd;
    o.max_line_bytes = static_cast<uint64_t>(max_line);
    auto s = io::StdinSource::create(o);
    if (!s.ok()) return at_node(node, s.status());
    in.source = std::move(*s);
    described = "stdin";
  } else if (kind == "socket") {
    RIVULET_RETURN_IF_ERROR(
        node.check_keys(keys_with({"host", "port", "listen", "reconnect", "connect_timeout_ms"})));
    io::SocketSource::Options o;
    RIVULET_ASSIGN_OR_RETURN(o.host, node.string("host", o.host));
    if (!node.has("port")) return node.error("missing 'port'");
    RIVULET_ASSIGN_OR_RETURN(int64_t port, node.integer("port", 0, 0, 65535));
    o.port = static_cast<int>(port);
    RIVULET_ASSIGN_OR_RETURN(o.listen, node.boolean("listen", false));
    RIVULET_ASSIGN_OR_RETURN(o.reconnect, node.boolean("reconnect", true));
    RIVULET_ASSIGN_OR_RETURN(o.connect_timeout_ms,
                             node.integer("connect_timeout_ms", o.connect_timeout_ms, 1, 86400000));
    o.max_line_bytes = static_cast<uint64_t>(max_line);
    auto s = io::SocketSource::create(o);
    if (!s.ok()) return at_node(node, s.status());
    in.source = std::move(*s);
    described = fmt::format("socket {}:{}{}", o.host, o.port, o.listen ? " (listen)" : "");
  } else if (kind == "generator") {
    RIVULET_RETURN_IF_ERROR(node.check_keys(keys_with({"generator", "rate", "count", "seed"})));
    io::GeneratorSource::Options o;
    RIVULET_ASSIGN_OR_RETURN(o.kind, node.string("generator", ""));
    if (o.kind.empty()) {
      return node.error("missing 'generator' (a rivulet gen kind, e.g. transactions or sea)");
    }
    RIVULET_ASSIGN_OR_RETURN(o.rate, node.number("rate", 0.0));
    RIVULET_ASSIGN_OR_RETURN(int64_t count, node.integer("count", 0, 0, INT64_MAX));
    o.count = static_cast<uint64_t>(count);
    RIVULET_ASSIGN_OR_RETURN(int64_t seed, node.integer("seed", 42, 0, INT64_MAX));
    o.seed = static_cast<uint64_t>(seed);
    auto s = io::GeneratorSource::create(o);
    if (!s.ok()) return node.child("generator").error(s.status().message());
    in.source = std::move(*s);
    generator = o;
    described = fmt::format("generator {}{}{}", o.kind,
                            o.rate > 0 ? fmt::format(" at {}/s", o.rate) : std::string(),
                            o.count > 0 ? fmt::format(", {} events", o.count) : std::string());
  } else {
    return unknown_kind(node.child("kind"), "source kind", kind, kSourceKinds);
  }
  // Decoding.
  io::DecoderOptions d;
  RIVULET_ASSIGN_OR_RETURN(std::string format, node.string("format", "json"));
  auto enc = io::parse_encoding(format);
  if (!enc.ok()) return node.child("format").error(enc.status().message());
  d.encoding = *enc;
  RIVULET_ASSIGN_OR_RETURN(d.csv_header, node.boolean("csv_header", true));
  RIVULET_ASSIGN_OR_RETURN(std::string delimiter, node.string("delimiter", ","));
  if (delimiter.size() != 1) return node.child("delimiter").error("expected one character");
  d.csv_delimiter = delimiter[0];
  RIVULET_ASSIGN_OR_RETURN(d.event_time_field, node.string("event_time", ""));
  RIVULET_ASSIGN_OR_RETURN(std::string unit, node.string("event_time_unit", "ms"));
  if (unit == "ms") {
    d.event_time_unit_us = 1000;
  } else if (unit == "us") {
    d.event_time_unit_us = 1;
  } else if (unit == "s") {
    d.event_time_unit_us = 1000000;
  } else {
    return node.child("event_time_unit")
        .error(fmt::format("expected 'ms', 'us' or 's' (the unit of a numeric event time), got "
                           "'{}'",
                           unit));
  }
  if (node.has("event_time_unit") && d.event_time_field.empty()) {
    return node.child("event_time_unit").error("'event_time_unit' needs an 'event_time' field");
  }
  RIVULET_ASSIGN_OR_RETURN(d.lenient_numbers, node.boolean("lenient_numbers", false));
  // Event-time watermarks (Flink's forBoundedOutOfOrderness(...).withIdleness(...)).
  if (node.has("watermark")) {
    const YamlNode w = node.child("watermark");
    RIVULET_RETURN_IF_ERROR(
        w.expect_map("the watermark, e.g. {max_out_of_orderness_ms: 5000, idleness_ms: 60000}"));
    RIVULET_RETURN_IF_ERROR(
        w.check_keys({"max_out_of_orderness_ms", "idleness_ms", "processing_time"}));
    WatermarkOptions wo;
    RIVULET_ASSIGN_OR_RETURN(wo.max_out_of_orderness_ms,
                             w.integer("max_out_of_orderness_ms", 0, 0, INT64_MAX / 4));
    RIVULET_ASSIGN_OR_RETURN(wo.idleness_ms, w.integer("idleness_ms", 0, 0, INT64_MAX / 4000000));
    RIVULET_ASSIGN_OR_RETURN(wo.processing_time, w.boolean("processing_time", false));
    if (wo.processing_time && !d.event_time_field.empty()) {
      return w.child("processing_time")
          .error("processing time is the records' arrival time: remove 'event_time', or this");
    }
    in.watermarks = wo;
  }
  if (node.has("schema")) {
    RIVULET_ASSIGN_OR_RETURN(in.schema, read_schema(node.child("schema")));
  } else if (generator) {
    RIVULET_ASSIGN_OR_RETURN(in.schema, infer_generator_schema(*generator));
  } else if (d.encoding == io::Encoding::kText) {
    in.schema = std::make_shared<const Schema>(*Schema::create({{"line", Type::kString}}));
  } else {
    return node.error(
        "missing 'schema': the fields and their types, e.g. schema: {amount: double, country: "
        "string} (generators and text need none)");
  }
  auto decoder = io::Decoder::create(in.schema, d);
  if (!decoder.ok()) return at_node(node, decoder.status());
  in.decoder = std::move(*decoder);
  summary += fmt::format("{:<8} {} ({}, {} fields)\n", main ? "source" : "labels", described,
                         format, in.schema->size());
  return in;
}

// ---- steps ----

// The single kind key of a step item, and its value.
Result<std::pair<std::string, YamlNode>> step_kind(const YamlNode& item) {
  if (!item.is_map()) {
    return item.error(fmt::format("expected a step, e.g. - filter: \"amount > 0\"; kinds: {}",
                                  join(kStepKinds)));
  }
  std::optional<std::string> kind;
  for (const std::string& key : item.keys()) {
    if (key == "name") continue;
    if (std::find(kStepKinds.begin(), kStepKinds.end(), key) == kStepKinds.end()) {
      const auto s = internal::closest(key, kStepKinds);
      return item.error(fmt::format("unknown step kind '{}'{}; valid kinds: {}", key,
                                    s ? fmt::format(" (did you mean '{}'?)", *s) : std::string(),
                                    join(kStepKinds)));
    }
    if (kind) {
      return item.error(fmt::format("one kind per step, got '{}' and '{}'", *kind, key));
    }
    kind = key;
  }
  if (!kind) return item.error(fmt::format("a step needs a kind: {}", join(kStepKinds)));
  return std::make_pair(*kind, item.child(*kind));
}

Result<std::unique_ptr<stream::Operator>> compile_filter(const YamlNode& v) {
  stream::FilterOperator::Options o;
  if (v.is_map()) RIVULET_RETURN_IF_ERROR(v.check_keys({"condition"}));
  const YamlNode cond = v.is_map() ? v.child("condition") : v;
  RIVULET_ASSIGN_OR_RETURN(o.condition, cond.as_string());
  o.condition_pos = cond.position();
  auto op = stream::FilterOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_map(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map("the fields to compute, e.g. {amount_eur: \"amount * 0.92\"}"));
  stream::MapOperator::Options o;
  for (const std::string& name : v.keys()) {
    const YamlNode e = v.child(name);
    RIVULET_ASSIGN_OR_RETURN(std::string text, e.as_string());
    o.fields.push_back({name, text, e.position()});
  }
  auto op = stream::MapOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::vector<stream::SelectField>> select_fields(const YamlNode& v) {
  std::vector<stream::SelectField> fields;
  if (v.is_scalar()) {
    fields.push_back({v.raw().Scalar(), "", v.position()});
    return fields;
  }
  if (!v.is_sequence()) {
    return v.error("expected a list of fields; rename with {new_name: old_name}");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const YamlNode f = v.at(i);
    if (f.is_map()) {
      for (const std::string& name : f.keys()) {
        RIVULET_ASSIGN_OR_RETURN(std::string from, f.child(name).as_string());
        fields.push_back({name, from, f.position()});
      }
    } else {
      RIVULET_ASSIGN_OR_RETURN(std::string name, f.as_string());
      fields.push_back({name, "", f.position()});
    }
  }
  return fields;
}

Result<std::unique_ptr<stream::Operator>> compile_select(const YamlNode& v) {
  stream::SelectOperator::Options o;
  RIVULET_ASSIGN_OR_RETURN(o.fields, select_fields(v));
  auto op = stream::SelectOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_drop(const YamlNode& v) {
  stream::DropOperator::Options o;
  RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(v));
  for (auto& f : fields) o.fields.push_back({f.name, f.pos});
  auto op = stream::DropOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_key_by(const YamlNode& v) {
  stream::KeyByOperator::Options o;
  if (v.is_map()) RIVULET_RETURN_IF_ERROR(v.check_keys({"key", "as"}));
  const YamlNode key = v.is_map() ? v.child("key") : v;
  if (v.is_map()) {
    RIVULET_ASSIGN_OR_RETURN(o.as, v.string("as", o.as));
  }
  RIVULET_ASSIGN_OR_RETURN(o.key, key.as_string());
  o.key_pos = key.position();
  // `key_by: card_id` keys by the field itself (as Flink's keyBy("card_id")): no new field.
  const bool bare_field =
      !o.key.empty() && !std::isdigit(static_cast<unsigned char>(o.key[0])) &&
      std::all_of(o.key.begin(), o.key.end(),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  if (bare_field && !(v.is_map() && v.has("as"))) o.as = o.key;
  auto op = stream::KeyByOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_flat_map(const YamlNode& v) {
  stream::FlatMapOperator::Options o;
  if (v.is_map()) {
    RIVULET_RETURN_IF_ERROR(v.check_keys({"field", "as", "type", "position", "outer"}));
  }
  const YamlNode field = v.is_map() ? v.child("field") : v;
  if (v.is_map()) {
    RIVULET_ASSIGN_OR_RETURN(o.as, v.string("as", ""));
    RIVULET_ASSIGN_OR_RETURN(std::string type, v.string("type", "string"));
    const auto t = parse_type(type);
    if (!t || *t == Type::kNull) {
      return v.child("type").error(
          fmt::format("unknown type '{}'; valid types: string, double, bigint, boolean", type));
    }
    o.type = *t;
    RIVULET_ASSIGN_OR_RETURN(o.position, v.string("position", ""));
    RIVULET_ASSIGN_OR_RETURN(o.outer, v.boolean("outer", false));
  }
  RIVULET_ASSIGN_OR_RETURN(o.field, field.as_string());
  o.field_pos = field.position();
  auto op = stream::FlatMapOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_validate(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(
      v.expect_map("rules per field, e.g. {amount: {type: double, required: true, min: 0}}"));
  stream::ValidateOperator::Options o;
  for (const std::string& field : v.keys()) {
    const YamlNode r = v.child(field);
    RIVULET_RETURN_IF_ERROR(r.expect_map("the field's rules"));
    RIVULET_RETURN_IF_ERROR(r.check_keys(
        {"type", "required", "min", "max", "allowed", "min_length", "max_length", "pattern"}));
    stream::ValidationRule rule;
    rule.field = field;
    rule.pos = r.position();
    if (r.has("type")) {
      RIVULET_ASSIGN_OR_RETURN(std::string type, r.string("type", ""));
      const auto t = parse_type(type);
      if (!t || *t == Type::kNull) {
        return r.child("type").error(
            fmt::format("unknown type '{}'; valid types: string, double, bigint, boolean", type));
      }
      rule.type = *t;
    }
    RIVULET_ASSIGN_OR_RETURN(rule.required, r.boolean("required", false));
    if (r.has("min")) {
      RIVULET_ASSIGN_OR_RETURN(double m, r.number("min", 0));
      rule.min = m;
    }
    if (r.has("max")) {
      RIVULET_ASSIGN_OR_RETURN(double m, r.number("max", 0));
      rule.max = m;
    }
    RIVULET_ASSIGN_OR_RETURN(rule.allowed, r.strings("allowed"));
    if (r.has("min_length")) {
      RIVULET_ASSIGN_OR_RETURN(int64_t m, r.integer("min_length", 0, 0, INT64_MAX));
      rule.min_length = static_cast<uint64_t>(m);
    }
    if (r.has("max_length")) {
      RIVULET_ASSIGN_OR_RETURN(int64_t m, r.integer("max_length", 0, 0, INT64_MAX));
      rule.max_length = static_cast<uint64_t>(m);
    }
    RIVULET_ASSIGN_OR_RETURN(rule.pattern, r.string("pattern", ""));
    o.rules.push_back(std::move(rule));
  }
  auto op = stream::ValidateOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_dedup(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map("the deduplication, e.g. {key: [user, ad], within_ms: 60000}"));
  RIVULET_RETURN_IF_ERROR(v.check_keys({"key", "within_ms"}));
  stream::DedupOperator::Options o;
  o.pos = v.position();
  const YamlNode key = v.child("key");
  if (key.is_null()) return v.error("missing 'key' (the fields that identify a duplicate)");
  RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(key));
  for (auto& f : fields) o.key.push_back({f.name, f.pos});
  if (!v.has("within_ms")) return v.error("missing 'within_ms' (the time range, ms of event time)");
  RIVULET_ASSIGN_OR_RETURN(o.within_ms, v.integer("within_ms", 0, 1, INT64_MAX / 4));
  auto op = stream::DedupOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

// `aggregates: {name: "FUNC(field)", ...}` of window, over and aggregate, in order.
Result<std::vector<stream::WindowAggregate>> read_aggregates(const YamlNode& aggs,
                                                             std::string_view example) {
  RIVULET_RETURN_IF_ERROR(aggs.expect_map(fmt::format("the aggregates, e.g. {}", example)));
  std::vector<stream::WindowAggregate> out;
  for (const std::string& name : aggs.keys()) {
    const YamlNode c = aggs.child(name);
    RIVULET_ASSIGN_OR_RETURN(std::string call, c.as_string());
    out.push_back({name, call, c.position()});
  }
  return out;
}

Result<std::unique_ptr<stream::Operator>> compile_window(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map(
      "the window, e.g. {group_by: [card], size_ms: 60000, aggregates: {n: \"COUNT(*)\"}}"));
  RIVULET_RETURN_IF_ERROR(
      v.check_keys({"group_by", "size_ms", "slide_ms", "step_ms", "gap_ms", "count",
                    "allowed_lateness_ms", "early_fire_ms", "aggregates"}));
  stream::WindowOperator::Options o;
  o.pos = v.position();
  if (v.has("group_by")) {
    RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(v.child("group_by")));
    for (auto& f : fields) o.group_by.push_back({f.name, f.pos});
  }
  if (!v.has("size_ms") && !v.has("gap_ms") && !v.has("count")) {
    return v.error("missing 'size_ms' (the window's length, ms of event time), or 'gap_ms' for "
                   "session windows, or 'count' for count windows");
  }
  RIVULET_ASSIGN_OR_RETURN(o.count, v.integer("count", 0, 1, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.size_ms, v.integer("size_ms", 0, 1, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.gap_ms, v.integer("gap_ms", 0, 1, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.early_fire_ms, v.integer("early_fire_ms", 0, 0, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.slide_ms, v.integer("slide_ms", 0, 0, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.step_ms, v.integer("step_ms", 0, 1, INT64_MAX / 4));
  RIVULET_ASSIGN_OR_RETURN(o.allowed_lateness_ms,
                           v.integer("allowed_lateness_ms", 0, 0, INT64_MAX / 4));
  const YamlNode aggs = v.child("aggregates");
  RIVULET_ASSIGN_OR_RETURN(o.aggregates, read_aggregates(aggs, "{n: \"COUNT(*)\", total: \"SUM(amount)\"}"));
  auto op = stream::WindowOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_over(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map(
      "the rolling aggregates, e.g. {partition_by: [card], range_ms: 3600000, aggregates: "
      "{payments_1h: \"COUNT(*)\"}}"));
  RIVULET_RETURN_IF_ERROR(
      v.check_keys({"partition_by", "range_ms", "rows", "order", "aggregates"}));
  stream::OverOperator::Options o;
  o.pos = v.position();
  if (v.has("partition_by")) {
    RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(v.child("partition_by")));
    for (auto& f : fields) o.partition_by.push_back({f.name, f.pos});
  }
  if (!v.has("range_ms") && !v.has("rows")) {
    return v.error("missing 'range_ms' (how far back, ms of event time) or 'rows' (how many rows "
                   "back)");
  }
  RIVULET_ASSIGN_OR_RETURN(o.range_ms, v.integer("range_ms", 0, 1, INT64_MAX / 4));
  if (v.has("rows")) {
    RIVULET_ASSIGN_OR_RETURN(o.rows, v.integer("rows", 0, 0, INT64_MAX / 4));
  }
  RIVULET_ASSIGN_OR_RETURN(std::string order, v.string("order", "arrival"));
  if (order == "event_time") {
    o.order = stream::OverOperator::Order::kEventTime;
  } else if (order != "arrival") {
    return v.child("order").error(
        fmt::format("'order' is 'arrival' or 'event_time', got '{}'", order));
  }
  const YamlNode aggs = v.child("aggregates");
  RIVULET_ASSIGN_OR_RETURN(o.aggregates, read_aggregates(aggs, "{payments_1h: \"COUNT(*)\"}"));
  auto op = stream::OverOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_top_n(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map(
      "the top rows, e.g. {partition_by: [auction], order_by: price, n: 3, size_ms: 10000}"));
  RIVULET_RETURN_IF_ERROR(v.check_keys({"partition_by", "order_by", "order", "n", "size_ms"}));
  std::vector<stream::FieldRef> partition_by;
  if (v.has("partition_by")) {
    RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(v.child("partition_by")));
    for (auto& f : fields) partition_by.push_back({f.name, f.pos});
  }
  if (!v.has("order_by")) return v.error("missing 'order_by' (the number field that ranks rows)");
  RIVULET_ASSIGN_OR_RETURN(std::string order, v.string("order", "desc"));
  if (order != "desc" && order != "asc") {
    return v.child("order").error(fmt::format("expected desc or asc, got '{}'", order));
  }
  // order_by: a field (ordered by `order`), or a list of "field [DESC|ASC]".
  std::vector<stream::OrderKey> keys;
  const YamlNode ob = v.child("order_by");
  for (size_t i = 0; i < (ob.is_sequence() ? ob.size() : 1); ++i) {
    const YamlNode k = ob.is_sequence() ? ob.at(i) : ob;
    RIVULET_ASSIGN_OR_RETURN(std::string text, k.as_string());
    std::istringstream words(text);
    std::string field, direction, extra;
    words >> field >> direction >> extra;
    for (char& c : direction) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (field.empty() || !extra.empty() || (!direction.empty() && direction != "DESC" &&
                                            direction != "ASC")) {
      return k.error(fmt::format("expected a field and DESC or ASC, e.g. 'price DESC', got '{}'",
                                 text));
    }
    keys.push_back({{field, k.position()},
                    direction.empty() ? order == "desc" : direction == "DESC"});
  }
  RIVULET_ASSIGN_OR_RETURN(int64_t n, v.integer("n", 1, 1, 1000000));
  if (!v.has("size_ms")) {
    // No window: Flink's updating Top-N.
    auto op = stream::RankOperator::create(
        {.partition_by = std::move(partition_by), .order_by = std::move(keys), .n = n,
         .pos = v.position()});
    if (!op.ok()) return at_node(v, op.status());
    return std::unique_ptr<stream::Operator>(std::move(*op));
  }
  if (keys.size() != 1) {
    return ob.error("a windowed top_n orders by one field (ties keep arrival order)");
  }
  stream::TopNOperator::Options o;
  o.pos = v.position();
  o.partition_by = std::move(partition_by);
  o.order_by = keys[0].field;
  o.descending = keys[0].descending;
  o.n = n;
  RIVULET_ASSIGN_OR_RETURN(o.size_ms, v.integer("size_ms", 0, 1, INT64_MAX / 4));
  auto op = stream::TopNOperator::create(o);
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_aggregate(const YamlNode& v) {
  RIVULET_RETURN_IF_ERROR(v.expect_map(
      "the aggregation, e.g. {group_by: [category], aggregates: {n: \"COUNT(*)\"}}"));
  RIVULET_RETURN_IF_ERROR(v.check_keys({"group_by", "aggregates", "upsert_key"}));
  stream::AggregateOperator::Options o;
  o.pos = v.position();
  for (const char* key : {"group_by", "upsert_key"}) {
    if (!v.has(key)) continue;
    RIVULET_ASSIGN_OR_RETURN(auto fields, select_fields(v.child(key)));
    for (auto& f : fields) {
      (std::string_view(key) == "group_by" ? o.group_by : o.upsert_key).push_back({f.name, f.pos});
    }
  }
  const YamlNode aggs = v.child("aggregates");
  if (aggs.is_null()) return v.error("missing 'aggregates', e.g. {n: \"COUNT(*)\"}");
  RIVULET_ASSIGN_OR_RETURN(
      o.aggregates, read_aggregates(aggs, "{n: \"COUNT(*)\", total: \"SUM(amount)\"}"));
  auto op = stream::AggregateOperator::create(std::move(o));
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_join(const YamlNode& v, const CompileOptions& copts,
                                                       std::string& summary,
                                                       std::optional<InputPlan>* second = nullptr);

// The steps that work on records alone (every kind but key_by and the learner stages); null for
// the others.
Result<std::unique_ptr<stream::Operator>> compile_record_step(const std::string& kind,
                                                              const YamlNode& v,
                                                              const CompileOptions& copts,
                                                              std::string& summary) {
  if (kind == "filter") return compile_filter(v);
  if (kind == "map") return compile_map(v);
  if (kind == "select") return compile_select(v);
  if (kind == "drop") return compile_drop(v);
  if (kind == "flat_map") return compile_flat_map(v);
  if (kind == "validate") return compile_validate(v);
  if (kind == "dedup") return compile_dedup(v);
  if (kind == "window") return compile_window(v);
  if (kind == "over") return compile_over(v);
  if (kind == "top_n") return compile_top_n(v);
  if (kind == "aggregate") return compile_aggregate(v);
  if (kind == "join") return compile_join(v, copts, summary);
  return std::unique_ptr<stream::Operator>();
}

// A join's branch: a list of record steps, named `<join>.<side>.<kind>`.
Result<std::vector<std::unique_ptr<stream::Operator>>> compile_branch(const YamlNode& v,
                                                                      std::string_view side,
                                                                      const CompileOptions& copts,
                                                                      std::string& summary) {
  std::vector<std::unique_ptr<stream::Operator>> steps;
  if (v.is_null()) return steps;
  if (!v.is_sequence()) {
    return v.error(fmt::format("expected the {} branch's list of steps, e.g. [{{filter: \"kind = "
                               "'bid'\"}}]",
                               side));
  }
  std::map<std::string, int> kind_count;
  for (size_t i = 0; i < v.size(); ++i) {
    const YamlNode item = v.at(i);
    RIVULET_ASSIGN_OR_RETURN(auto kv, step_kind(item));
    RIVULET_ASSIGN_OR_RETURN(auto op, compile_record_step(kv.first, kv.second, copts, summary));
    if (!op) {
      return item.error(fmt::format(
          "a join's branch takes record steps only, not '{}' (put key_by and learner steps "
          "before or after the join)",
          kv.first));
    }
    RIVULET_ASSIGN_OR_RETURN(std::string name, item.string("name", ""));
    if (name.empty()) {
      const int n = ++kind_count[kv.first];
      name = n == 1 ? fmt::format("{}.{}", side, kv.first)
                    : fmt::format("{}.{}#{}", side, kv.first, n);
    }
    op->set_name(std::move(name));
    steps.push_back(std::move(op));
  }
  return steps;
}

// A lookup join's table: every row of a bounded source (a file), read at once.
Result<std::shared_ptr<const stream::Batch>> read_table(const YamlNode& v,
                                                       const CompileOptions& copts,
                                                       std::string& summary) {
  RIVULET_RETURN_IF_ERROR(v.expect_map("the table, e.g. {kind: file, path: cards.csv, format: "
                                       "csv, schema: {card: string, limit: double}}"));
  std::string ignored;
  RIVULET_ASSIGN_OR_RETURN(InputPlan in, read_input(v, copts, false, ignored));
  auto table = std::make_shared<stream::Batch>(in.schema);
  io::RawLines lines;
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  for (;;) {
    lines.clear();
    auto status = in.source->read(lines, 4096, std::chrono::milliseconds(1000));
    if (!status.ok()) return at_node(v, status.status());
    in.decoder->decode(lines, *table, ctx, 0);
    if (!dead.letters.empty()) {
      const stream::DeadLetter& d = dead.letters.front();
      return v.error(fmt::format("the table's row at {} cannot be read: {}", d.origin, d.reason));
    }
    if (*status == io::ReadStatus::kEnd) break;
    if (*status == io::ReadStatus::kTimeout) {
      return v.error("the table's source did not end: a lookup table must be a bounded source "
                     "(a file without follow)");
    }
  }
  summary += fmt::format("{:<8} {} ({} rows)\n", "table", in.source->describe(), table->size());
  return std::shared_ptr<const stream::Batch>(std::move(table));
}

// `second`: where a top-level join puts the second input its right side reads (null in a
// branch, where a join cannot have one).
Result<std::unique_ptr<stream::Operator>> compile_join(const YamlNode& v, const CompileOptions& copts,
                                                       std::string& summary,
                                                       std::optional<InputPlan>* second) {
  RIVULET_RETURN_IF_ERROR(v.expect_map(
      "the join, e.g. {type: interval, on: {auction: id}, between: [0, 10000], right: "
      "[{filter: \"kind = 'auction'\"}]}"));
  RIVULET_RETURN_IF_ERROR(v.check_keys({"type", "how", "on", "left", "right", "between", "window",
                                        "ttl_ms", "as_of", "table", "where", "right_prefix"}));
  stream::JoinOperator::Options o;
  o.pos = v.position();
  RIVULET_ASSIGN_OR_RETURN(std::string type, v.string("type", ""));
  const std::vector<std::string_view> types = {"interval", "window", "regular", "temporal",
                                               "lookup"};
  if (type == "interval") {
    o.type = stream::JoinType::kInterval;
  } else if (type == "window") {
    o.type = stream::JoinType::kWindow;
  } else if (type == "regular") {
    o.type = stream::JoinType::kRegular;
  } else if (type == "temporal") {
    o.type = stream::JoinType::kTemporal;
  } else if (type == "lookup") {
    o.type = stream::JoinType::kLookup;
  } else if (type.empty()) {
    return v.error(fmt::format("missing 'type': {}", join(types)));
  } else {
    return unknown_kind(v.child("type"), "join type", type, types);
  }
  RIVULET_ASSIGN_OR_RETURN(std::string how, v.string("how", "inner"));
  if (how == "left") {
    o.left_outer = true;
  } else if (how != "inner") {
    return v.child("how").error(fmt::format("expected 'inner' or 'left', got '{}'", how));
  }
  const YamlNode on = v.child("on");
  if (on.is_null()) {
    return v.error("missing 'on': the key fields, left: right, e.g. {auction: id}");
  }
  RIVULET_RETURN_IF_ERROR(on.expect_map("the key fields, left: right, e.g. {auction: id}"));
  for (const std::string& left : on.keys()) {
    const YamlNode r = on.child(left);
    RIVULET_ASSIGN_OR_RETURN(std::string right, r.as_string());
    o.left_key.push_back({left, r.position()});
    o.right_key.push_back({right, r.position()});
  }
  const bool interval = o.type == stream::JoinType::kInterval;
  if (interval != v.has("between")) {
    return interval ? v.error("missing 'between': [lower_ms, upper_ms], the right row's time "
                              "relative to the left row's")
                    : v.child("between").error("only an interval join takes 'between'");
  }
  if (interval) {
    const YamlNode b = v.child("between");
    if (!b.is_sequence() || b.size() != 2) {
      return b.error("expected [lower_ms, upper_ms], e.g. [-5000, 0]");
    }
    for (size_t i = 0; i < 2; ++i) {
      RIVULET_ASSIGN_OR_RETURN(std::string text, b.at(i).as_string());
      try {
        size_t used = 0;
        const int64_t ms = std::stoll(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        (i == 0 ? o.lower_ms : o.upper_ms) = ms;
      } catch (const std::exception&) {
        return b.at(i).error(fmt::format("expected milliseconds (an integer), got '{}'", text));
      }
    }
  }
  const bool window = o.type == stream::JoinType::kWindow;
  if (window != v.has("window")) {
    return window ? v.error("missing 'window': {size_ms: ..., slide_ms: ...}")
                  : v.child("window").error("only a window join takes 'window'");
  }
  if (window) {
    const YamlNode w = v.child("window");
    RIVULET_RETURN_IF_ERROR(w.expect_map("the window, e.g. {size_ms: 10000}"));
    RIVULET_RETURN_IF_ERROR(w.check_keys({"size_ms", "slide_ms"}));
    if (!w.has("size_ms")) return w.error("missing 'size_ms'");
    RIVULET_ASSIGN_OR_RETURN(o.size_ms, w.integer("size_ms", 0, 1, INT64_MAX / 4));
    RIVULET_ASSIGN_OR_RETURN(o.slide_ms, w.integer("slide_ms", 0, 1, INT64_MAX / 4));
  }
  if (v.has("ttl_ms") && o.type != stream::JoinType::kRegular) {
    return v.child("ttl_ms").error("only a regular join takes 'ttl_ms'");
  }
  RIVULET_ASSIGN_OR_RETURN(o.ttl_ms, v.integer("ttl_ms", 0, 0, INT64_MAX / 4));
  if (v.has("as_of")) {
    if (o.type != stream::JoinType::kTemporal) {
      return v.child("as_of").error("only a temporal join takes 'as_of'");
    }
    RIVULET_ASSIGN_OR_RETURN(std::string as_of, v.string("as_of", ""));
    if (as_of == "processing_time") {
      o.as_of_event_time = false;
    } else if (as_of != "event_time") {
      return v.child("as_of").error(
          fmt::format("expected 'event_time' or 'processing_time', got '{}'", as_of));
    }
  }
  const bool lookup = o.type == stream::JoinType::kLookup;
  if (lookup != v.has("table")) {
    return lookup ? v.error("missing 'table': the source to read the table from, e.g. {kind: "
                            "file, path: cards.csv, format: csv, schema: {...}}")
                  : v.child("table").error("only a lookup join takes a 'table'");
  }
  if (lookup) {
    if (v.has("right")) {
      return v.child("right").error("a lookup join reads its right side from its 'table'");
    }
    RIVULET_ASSIGN_OR_RETURN(o.table, read_table(v.child("table"), copts, summary));
  }
  RIVULET_ASSIGN_OR_RETURN(o.left, compile_branch(v.child("left"), "left", copts, summary));
  const YamlNode right = v.child("right");
  // The right branch's steps: `right` itself, or its `steps` (a YamlNode is never reassigned:
  // yaml-cpp's assignment writes into the document).
  std::optional<YamlNode> right_steps;
  if (right.is_map()) {
    // The right side from a source of its own: {source: {...}, steps: [...]}.
    RIVULET_RETURN_IF_ERROR(right.check_keys({"source", "steps"}));
    if (second == nullptr) {
      return right.error("only a join in the pipeline's steps can read a source of its own, not "
                         "one in a branch");
    }
    if (!right.has("source")) return right.error("missing 'source': where the right rows come from");
    std::string described;
    RIVULET_ASSIGN_OR_RETURN(InputPlan in, read_input(right.child("source"), copts, false, described));
    in.name = "right";
    o.right_input = in.schema;
    summary += fmt::format("{:<8} {}", "right", described.size() > 9 ? described.substr(9) : "");
    *second = std::move(in);
    right_steps.emplace(right.child("steps"));
  }
  RIVULET_ASSIGN_OR_RETURN(o.right, compile_branch(right_steps ? *right_steps : right, "right",
                                                   copts, summary));
  if (v.has("where")) {
    const YamlNode w = v.child("where");
    RIVULET_ASSIGN_OR_RETURN(o.where, w.as_string());
    o.where_pos = w.position();
  }
  RIVULET_ASSIGN_OR_RETURN(o.right_prefix, v.string("right_prefix", "right_"));
  auto op = stream::JoinOperator::create(std::move(o));
  if (!op.ok()) return at_node(v, op.status());
  return std::unique_ptr<stream::Operator>(std::move(*op));
}

Result<std::unique_ptr<stream::Operator>> compile_learner(const YamlNode& v, const std::string& kind,
                                                          std::optional<std::string>& key_field,
                                                          bool has_labels, std::string& summary) {
  RIVULET_RETURN_IF_ERROR(v.expect_map("the learner's options, e.g. {model: ..., target: ...}"));
  RIVULET_RETURN_IF_ERROR(v.check_keys(
      {"model", "model_path", "target", "features", "exclude", "metrics", "id", "labels",
       "label_timeout_ms", "max_pending", "per_key", "max_keys", "drift_detector", "on_drift",
       "metrics_every", "metrics_every_ms", "output_prefix", "probabilities", "seed",
       "pos_label"}));
  LearnerStage::Options o;
  auto mode = parse_learner_mode(kind);
  if (!mode.ok()) return at_node(v, mode.status());
  o.mode = *mode;
  RIVULET_ASSIGN_OR_RETURN(o.model, v.string("model", ""));
  RIVULET_ASSIGN_OR_RETURN(o.model_path, v.string("model_path", ""));
  RIVULET_ASSIGN_OR_RETURN(o.target, v.string("target", ""));
  RIVULET_ASSIGN_OR_RETURN(o.features, v.strings("features"));
  RIVULET_ASSIGN_OR_RETURN(o.exclude, v.strings("exclude"));
  RIVULET_ASSIGN_OR_RETURN(o.metrics, v.strings("metrics"));
  RIVULET_ASSIGN_OR_RETURN(o.id, v.string("id", ""));
  // `labels: true` (or the labels input's name) takes the pipeline's labels input.
  if (v.has("labels")) {
    RIVULET_ASSIGN_OR_RETURN(std::string labels, v.string("labels", ""));
    if (labels != "false" && !labels.empty()) {
      if (!has_labels) {
        return v.child("labels").error(
            "the pipeline has no labels input: add a top-level 'labels:' source");
      }
      o.labels = "labels";
    }
  }
  RIVULET_ASSIGN_OR_RETURN(o.label_timeout_ms,
                           v.integer("label_timeout_ms", o.label_timeout_ms, 1, INT64_MAX));
  RIVULET_ASSIGN_OR_RETURN(int64_t max_pending,
                           v.integer("max_pending", static_cast<int64_t>(o.max_pending), 1, INT64_MAX));
  o.max_pending = static_cast<uint64_t>(max_pending);
  RIVULET_ASSIGN_OR_RETURN(o.per_key, v.boolean("per_key", false));
  if (o.per_key) {
    if (!key_field) {
      return v.child("per_key").error("per_key needs a key: put a key_by step before this one");
    }
    o.key_field = *key_field;
  }
  RIVULET_ASSIGN_OR_RETURN(int64_t max_keys,
                           v.integer("max_keys", static_cast<int64_t>(o.max_keys), 1, INT64_MAX));
  o.max_keys = static_cast<uint64_t>(max_keys);
  RIVULET_ASSIGN_OR_RETURN(o.drift_detector, v.string("drift_detector", ""));
  if (v.has("on_drift")) {
    RIVULET_ASSIGN_OR_RETURN(std::string on, v.string("on_drift", ""));
    auto od = parse_on_drift(on);
    if (!od.ok()) return v.child("on_drift").error(od.status().message());
    o.on_drift = *od;
  }
  RIVULET_ASSIGN_OR_RETURN(int64_t every, v.integer("metrics_every", 0, 0, INT64_MAX));
  o.metrics_every = static_cast<uint64_t>(every);
  RIVULET_ASSIGN_OR_RETURN(o.metrics_every_ms, v.integer("metrics_every_ms", 0, 0, INT64_MAX));
  RIVULET_ASSIGN_OR_RETURN(o.output_prefix, v.string("output_prefix", ""));
  RIVULET_ASSIGN_OR_RETURN(o.probabilities, v.boolean("probabilities", false));
  if (v.has("seed")) {
    RIVULET_ASSIGN_OR_RETURN(int64_t seed, v.integer("seed", 0, 0, INT64_MAX));
    o.seed = static_cast<uint64_t>(seed);
  }
  RIVULET_ASSIGN_OR_RETURN(o.pos_label, v.string("pos_label", ""));
  const std::string model_text = o.model.empty() ? o.model_path : o.model;
  auto stage = LearnerStage::create(std::move(o));
  if (!stage.ok()) return at_node(v, stage.status());
  summary += fmt::format("{:<8} {} {}\n", "step", kind, model_text);
  return std::unique_ptr<stream::Operator>(std::move(*stage));
}

// ---- sinks ----

// A duration: a number of milliseconds, or a number with a unit as Flink's Duration options
// take it: "500ms", "10s", "10 s", "2min", "1h".
Result<std::chrono::milliseconds> read_duration(const YamlNode& node) {
  RIVULET_ASSIGN_OR_RETURN(const std::string text, node.as_string());
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  unit.erase(0, unit.find_first_not_of(' '));
  double scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "min" || unit == "m") {
    scale = 60000;
  } else if (unit == "h") {
    scale = 3600000;
  }
  if (used == 0 || scale == 0 || !(value >= 0) || value * scale > 1e12) {
    return node.error(fmt::format(
        "expected a duration such as 500ms, 10s, 2min or 1h (a bare number is milliseconds), "
        "got '{}'",
        text));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(value * scale));
}

Result<SinkPlan> read_sink(const YamlNode& node, const CompileOptions& copts, std::string& summary,
                           bool checkpointed) {
  RIVULET_RETURN_IF_ERROR(node.expect_map("a sink"));
  RIVULET_ASSIGN_OR_RETURN(std::string kind, node.string("kind", ""));
  if (kind.empty()) return node.error(fmt::format("missing 'kind' ({})", join(kSinkKinds)));
  SinkPlan sp;
  RIVULET_ASSIGN_OR_RETURN(sp.stream, node.string("stream", "output"));
  RIVULET_ASSIGN_OR_RETURN(std::string format, node.string("format", "json"));
  auto enc = io::parse_encoding(format);
  if (!enc.ok()) return node.child("format").error(enc.status().message());
  std::string described;
  if (kind == "console") {
    RIVULET_RETURN_IF_ERROR(node.check_keys({"kind", "stream", "format"}));
    io::ConsoleSink::Options o;
    o.format = *enc;
    o.file = copts.console;
    auto s = io::ConsoleSink::create(o);
    if (!s.ok()) return at_node(node, s.status());
    sp.sink = std::move(*s);
    described = "console";
  } else if (kind == "file") {
    RIVULET_RETURN_IF_ERROR(node.check_keys(
        {"kind", "stream", "format", "path", "rolling_size", "append", "exactly_once"}));
    io::FileSink::Options o;
    o.format = *enc;
    RIVULET_ASSIGN_OR_RETURN(o.path, node.string("path", ""));
    if (o.path.empty()) return node.error("missing 'path'");
    // As Flink's file sinks do, the output directory is created when it does not exist.
    if (const auto dir = std::filesystem::path(o.path).parent_path(); !dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
    }
    RIVULET_ASSIGN_OR_RETURN(int64_t rolling, node.integer("rolling_size", 0, 0, INT64_MAX));
    o.rolling_size = static_cast<uint64_t>(rolling);
    RIVULET_ASSIGN_OR_RETURN(o.append, node.boolean("append", false));
    // With checkpoints, file output is exactly-once by default (as Flink's FileSink): parts
    // become visible when the checkpoint that covers them completes.
    RIVULET_ASSIGN_OR_RETURN(o.exactly_once,
                             node.boolean("exactly_once", checkpointed && !o.append));
    o.env = copts.env;
    if (o.exactly_once && o.append) {
      return node.child("append").error(
          "an exactly-once file sink writes new parts; it cannot 'append' (drop one of them)");
    }
    auto s = io::FileSink::create(o);
    if (!s.ok()) return node.child("path").error(s.status().message());
    sp.sink = std::move(*s);
    described = fmt::format("file {}{}", o.path, o.exactly_once ? " (exactly-once parts)" : "");
  } else if (kind == "socket") {
    RIVULET_RETURN_IF_ERROR(node.check_keys({"kind", "stream", "format", "host", "port"}));
    io::SocketSink::Options o;
    o.format = *enc;
    RIVULET_ASSIGN_OR_RETURN(o.host, node.string("host", o.host));
    if (!node.has("port")) return node.error("missing 'port'");
    RIVULET_ASSIGN_OR_RETURN(int64_t port, node.integer("port", 0, 1, 65535));
    o.port = static_cast<int>(port);
    auto s = io::SocketSink::create(o);
    if (!s.ok()) return at_node(node, s.status());
    sp.sink = std::move(*s);
    described = fmt::format("socket {}:{}", o.host, o.port);
  } else {
    return unknown_kind(node.child("kind"), "sink kind", kind, kSinkKinds);
  }
  summary += fmt::format("{:<8} {} ({}, stream {})\n", "sink", described, format, sp.stream);
  return sp;
}

}  // namespace

Result<CompiledPipeline> compile_pipeline(std::string_view yaml, const std::string& file,
                                          const CompileOptions& copts) {
  RIVULET_ASSIGN_OR_RETURN(const YamlNode parsed, internal::parse_yaml(yaml, file));
  std::optional<YamlNode> overridden;
  if (!copts.overrides.empty()) {
    YAML::Node doc = parsed.raw();
    for (const std::string& o : copts.overrides) {
      RIVULET_RETURN_IF_ERROR(internal::apply_override(doc, o));
    }
    overridden.emplace(parsed.replaced(doc));
  }
  const YamlNode& root = overridden ? *overridden : parsed;
  if (root.is_null()) return root.error("the pipeline is empty: it needs at least a 'source'");
  RIVULET_RETURN_IF_ERROR(root.expect_map("a pipeline"));
  RIVULET_RETURN_IF_ERROR(root.check_keys(kTopKeys));
  CompiledPipeline out;
  RIVULET_ASSIGN_OR_RETURN(out.name, root.string("name", "pipeline"));

  // Settings first: they do not depend on anything.
  const YamlNode settings = root.child("settings");
  if (!settings.is_null()) {
    RIVULET_RETURN_IF_ERROR(settings.expect_map("the settings"));
    RIVULET_RETURN_IF_ERROR(settings.check_keys({"parallelism", "batch_size", "batch_delay_ms",
                                                 "queue_capacity", "timer_interval_ms"}));
  }
  RIVULET_ASSIGN_OR_RETURN(int64_t parallelism, settings.integer("parallelism", 1, 1, 256));
  RIVULET_ASSIGN_OR_RETURN(int64_t batch_size, settings.integer("batch_size", 1024, 1, 1 << 20));
  RIVULET_ASSIGN_OR_RETURN(double delay_ms, settings.number("batch_delay_ms", 1.0));
  if (!(delay_ms > 0) || delay_ms > 60000) {
    return settings.child("batch_delay_ms").error(
        fmt::format("expected a delay in (0, 60000] milliseconds, got {}", delay_ms));
  }
  RIVULET_ASSIGN_OR_RETURN(int64_t queue, settings.integer("queue_capacity", 16, 1, 1 << 16));
  RIVULET_ASSIGN_OR_RETURN(int64_t timer, settings.integer("timer_interval_ms", 100, 1, 3600000));
  out.options.parallelism = static_cast<size_t>(parallelism);
  out.options.batch_size = static_cast<size_t>(batch_size);
  out.options.batch_delay =
      std::chrono::microseconds(std::max<int64_t>(1, static_cast<int64_t>(delay_ms * 1000)));
  out.options.queue_capacity = static_cast<size_t>(queue);
  out.options.timer_interval = std::chrono::milliseconds(timer);

  // Checkpoints (Flink's execution.checkpointing.*).
  const YamlNode checkpoint = root.child("checkpoint");
  if (!checkpoint.is_null()) {
    RIVULET_RETURN_IF_ERROR(checkpoint.expect_map(
        "the checkpoint settings, e.g. {dir: checkpoints/fraud, interval: 10s, retain: 3}"));
    RIVULET_RETURN_IF_ERROR(
        checkpoint.check_keys({"dir", "interval", "retain", "tolerable_failures", "async",
                               "incremental", "full_every"}));
    CheckpointOptions co;
    RIVULET_ASSIGN_OR_RETURN(co.dir, checkpoint.string("dir", ""));
    if (co.dir.empty()) return checkpoint.error("missing 'dir': where checkpoints are stored");
    if (checkpoint.has("interval")) {
      RIVULET_ASSIGN_OR_RETURN(co.interval, read_duration(checkpoint.child("interval")));
    }
    RIVULET_ASSIGN_OR_RETURN(int64_t retain, checkpoint.integer("retain", 3, 1, 1000000));
    co.retain = static_cast<size_t>(retain);
    RIVULET_ASSIGN_OR_RETURN(int64_t tolerable,
                             checkpoint.integer("tolerable_failures", 0, 0, INT64_MAX));
    co.tolerable_failures = static_cast<uint64_t>(tolerable);
    RIVULET_ASSIGN_OR_RETURN(co.async, checkpoint.boolean("async", true));
    RIVULET_ASSIGN_OR_RETURN(co.incremental, checkpoint.boolean("incremental", false));
    RIVULET_ASSIGN_OR_RETURN(int64_t full_every,
                             checkpoint.integer("full_every", 10, 1, 1000000));
    co.full_every = static_cast<size_t>(full_every);
    co.pipeline_name = out.name;
    co.env = copts.env;
    out.summary += fmt::format(
        "{:<8} {} every {} ms, {} kept{}{}\n", "checkpoint", co.dir, co.interval.count(),
        co.retain, co.async ? "" : ", snapshots in the pipeline's threads",
        co.incremental ? fmt::format(", incremental (a whole snapshot every {})", co.full_every)
                       : "");
    out.options.checkpoints = std::move(co);
  }

  // Inputs.
  const YamlNode source = root.child("source");
  if (source.is_null()) return root.error("missing 'source': where the events come from");
  RIVULET_ASSIGN_OR_RETURN(out.plan.input, read_input(source, copts, true, out.summary));
  // Labels: a source of their own, or rows of the input itself (`where:` only).
  const YamlNode labels = root.child("labels");
  bool has_labels = false;
  if (!labels.is_null()) {
    RIVULET_RETURN_IF_ERROR(labels.expect_map("the labels: a source, or {where: <predicate>}"));
    has_labels = true;
    if (labels.has("where") && !labels.has("kind")) {
      RIVULET_RETURN_IF_ERROR(labels.check_keys({"where"}));
      const YamlNode where = labels.child("where");
      RIVULET_ASSIGN_OR_RETURN(out.plan.labels_where, where.as_string());
      out.plan.labels_where_pos = where.position();
      out.summary += fmt::format("{:<8} rows of the source where {}\n", "labels",
                                 out.plan.labels_where);
    } else {
      RIVULET_ASSIGN_OR_RETURN(InputPlan l, read_input(labels, copts, false, out.summary));
      out.plan.labels = std::move(l);
    }
  }

  // Steps.
  const YamlNode steps = root.child("steps");
  std::optional<std::string> key_field;
  std::optional<size_t> labels_step;
  std::map<std::string, int> kind_count;
  if (!steps.is_null()) {
    if (!steps.is_sequence()) return steps.error("expected a list of steps");
    for (size_t i = 0; i < steps.size(); ++i) {
      const YamlNode item = steps.at(i);
      RIVULET_ASSIGN_OR_RETURN(auto kv, step_kind(item));
      const std::string& kind = kv.first;
      const YamlNode& v = kv.second;
      std::unique_ptr<stream::Operator> op;
      if (kind == "key_by") {
        RIVULET_ASSIGN_OR_RETURN(op, compile_key_by(v));
        key_field = static_cast<stream::KeyByOperator&>(*op).options().as;
      } else if (kind == "join") {
        std::optional<InputPlan> second;
        RIVULET_ASSIGN_OR_RETURN(op, compile_join(v, copts, out.summary, &second));
        if (second) {
          if (has_labels || labels_step) {
            return v.child("right").error(
                "a pipeline reads one second input: the labels' or a join's right source");
          }
          out.plan.labels = std::move(second);
          labels_step = out.plan.steps.size();
        }
      } else if (kind != "evaluate" && kind != "predict" && kind != "learn") {
        RIVULET_ASSIGN_OR_RETURN(op, compile_record_step(kind, v, copts, out.summary));
      } else {
        std::string learner_summary;
        RIVULET_ASSIGN_OR_RETURN(
            op, compile_learner(v, kind, key_field, has_labels, learner_summary));
        if (static_cast<LearnerStage&>(*op).options().labels.size() > 0) {
          if (labels_step) {
            return v.error("only one step can take the labels input");
          }
          labels_step = out.plan.steps.size();
        }
      }
      RIVULET_ASSIGN_OR_RETURN(std::string name, item.string("name", ""));
      if (name.empty()) {
        const int n = ++kind_count[kind];
        name = n == 1 ? kind : fmt::format("{}#{}", kind, n);
      }
      op->set_name(name);
      out.summary += fmt::format("{:<8} {}\n", "step", name);
      out.plan.steps.push_back(std::move(op));
    }
  }
  if (has_labels) {
    if (!labels_step) {
      return labels.error(
          "no step takes these labels: give the evaluate step 'labels: true' and an 'id'");
    }
    out.plan.labels_step = *labels_step;
  } else if (out.plan.labels) {
    out.plan.labels_step = *labels_step;  // a join's right source
  }

  // Sinks.
  const YamlNode sinks = root.child("sinks");
  if (!sinks.is_null()) {
    if (!sinks.is_sequence()) return sinks.error("expected a list of sinks");
    for (size_t i = 0; i < sinks.size(); ++i) {
      RIVULET_ASSIGN_OR_RETURN(SinkPlan sp, read_sink(sinks.at(i), copts, out.summary,
                                                      out.options.checkpoints.has_value()));
      out.plan.sinks.push_back(std::move(sp));
    }
  }
  const YamlNode dead = root.child("dead_letters");
  if (!dead.is_null()) {
    RIVULET_RETURN_IF_ERROR(dead.expect_map("the dead-letter sink, e.g. {path: dead.jsonl}"));
    RIVULET_RETURN_IF_ERROR(dead.check_keys({"path", "append"}));
    io::FileDeadLetterSink::Options o;
    RIVULET_ASSIGN_OR_RETURN(o.path, dead.string("path", ""));
    // A run that resumes from a checkpoint adds to the dead letters of the runs before it.
    RIVULET_ASSIGN_OR_RETURN(o.append, dead.boolean("append", out.options.checkpoints.has_value()));
    if (o.path.empty()) return dead.error("missing 'path'");
    if (const auto dir = std::filesystem::path(o.path).parent_path(); !dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
    }
    auto s = io::FileDeadLetterSink::create(o);
    if (!s.ok()) return dead.child("path").error(s.status().message());
    out.plan.dead_letters = std::move(*s);
    out.summary += fmt::format("{:<8} {}\n", "dead", o.path);
  }
  return out;
}

Result<CompiledPipeline> load_pipeline(const std::string& path, const CompileOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("{}: cannot open the pipeline file", path));
  std::stringstream text;
  text << in.rdbuf();
  return compile_pipeline(text.str(), path, options);
}

}  // namespace rivulet::pipeline
