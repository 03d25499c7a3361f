// Decoder::create, Encoder::create and parse_encoding: option checks, then the implementation.

#include "rivulet/io/codec.h"

#include <fmt/format.h>

#include "io/codec/codec_decoders.h"

namespace rivulet::io {
namespace {

bool valid_delimiter(char c) { return c != '"' && c != '\n' && c != '\r' && c != '\0'; }

std::string delimiter_text(char c) {
  if (c == '\t') return "'\\t'";
  if (c == '\n') return "'\\n'";
  if (c == '\r') return "'\\r'";
  if (c == '\0') return "'\\0'";
  return fmt::format("'{}'", c);
}

}  // namespace

Result<Encoding> parse_encoding(std::string_view name) {
  if (name == "json" || name == "jsonl" || name == "JSON" || name == "JSONL") {
    return Encoding::kJson;
  }
  if (name == "csv" || name == "CSV") return Encoding::kCsv;
  if (name == "text" || name == "TEXT" || name == "raw") return Encoding::kText;
  return Status::invalid_argument(
      fmt::format("unknown format '{}' (valid: json, jsonl, csv, text)", name));
}

Result<std::unique_ptr<Decoder>> Decoder::create(stream::SchemaPtr schema, DecoderOptions options) {
  if (schema == nullptr || schema->empty()) {
    return Status::invalid_argument("decoder: the schema has no fields");
  }
  int event_field = -1;
  if (!options.event_time_field.empty()) {
    const auto index = schema->index_of(options.event_time_field);
    if (!index) {
      return Status::invalid_argument(
          fmt::format("decoder: event_time_field: {}",
                      schema->unknown_field_message(options.event_time_field)));
    }
    if (schema->field(*index).type == Type::kBool) {
      return Status::invalid_argument(fmt::format(
          "decoder: event_time_field '{}' is a boolean; an event time is a bigint, double or "
          "string field",
          options.event_time_field));
    }
    event_field = static_cast<int>(*index);
  }
  switch (options.encoding) {
    case Encoding::kJson:
      return internal::make_json_decoder(std::move(schema), std::move(options), event_field);
    case Encoding::kCsv:
      if (!valid_delimiter(options.csv_delimiter)) {
        return Status::invalid_argument(
            fmt::format("decoder: csv_delimiter {} cannot separate CSV fields",
                        delimiter_text(options.csv_delimiter)));
      }
      return internal::make_csv_decoder(std::move(schema), std::move(options), event_field);
    case Encoding::kText:
      if (schema->size() != 1 || schema->field(0).type != Type::kString) {
        return Status::invalid_argument(
            fmt::format("decoder: text lines need a schema of one string field (the line), got: {}",
                        schema->to_string()));
      }
      if (event_field >= 0) {
        return Status::invalid_argument(
            "decoder: text lines have no event time field; remove event_time_field");
      }
      return internal::make_text_decoder(std::move(schema));
  }
  return Status::invalid_argument("decoder: unknown encoding");
}

Result<std::unique_ptr<Encoder>> Encoder::create(stream::SchemaPtr schema, EncoderOptions options) {
  if (schema == nullptr) return Status::invalid_argument("encoder: no schema");
  switch (options.encoding) {
    case Encoding::kJson:
      return internal::make_json_encoder(std::move(schema));
    case Encoding::kCsv:
      if (!valid_delimiter(options.csv_delimiter)) {
        return Status::invalid_argument(
            fmt::format("encoder: csv_delimiter {} cannot separate CSV fields",
                        delimiter_text(options.csv_delimiter)));
      }
      return internal::make_csv_encoder(std::move(schema), options);
    case Encoding::kText:
      if (schema->size() != 1) {
        return Status::invalid_argument(fmt::format(
            "encoder: text output needs rows of one field, got: {}", schema->to_string()));
      }
      return internal::make_text_encoder(std::move(schema));
  }
  return Status::invalid_argument("encoder: unknown encoding");
}

}  // namespace rivulet::io
