#pragma once
/// Decoders turn raw lines into typed rows of a schema resolved once (fields by index): JSON
/// objects (simdjson On-Demand, straight into the batch), CSV rows (by header or by position),
/// raw text (one string field). Encoders write rows as JSON Lines or CSV.
///
/// Decoding rules (JSON): a field of the schema missing from the object is NULL (then schema
/// validation decides); a value of another type is converted when the conversion loses nothing
/// (an int into a double field, a numeric string into a number field only when
/// `lenient_numbers`), else the line is a dead letter naming the field, the expected and the
/// found type; keys not in the schema are ignored; a line that is not a JSON object is a dead
/// letter with simdjson's message. Nested objects are addressed with dots (`card.country`).
/// A field named by `event_time` gives the row's event time (epoch ms as a number, or an
/// ISO-8601 string).
/// Thread safety: one decoder per thread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/io/source.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/operator.h"

namespace rivulet::io {

enum class Encoding : uint8_t { kJson, kCsv, kText };

/// Parses "json"/"jsonl", "csv", "text"; an error names the valid ones.
Result<Encoding> parse_encoding(std::string_view name);

struct DecoderOptions {
  Encoding encoding = Encoding::kJson;
  /// CSV: the first line of each origin is a header naming the columns (else columns are the
  /// schema's fields in order).
  bool csv_header = true;
  char csv_delimiter = ',';
  /// The field whose value is the event time (epoch milliseconds, or ISO-8601 text); empty: none
  /// (rows get the processing time of their arrival).
  std::string event_time_field;
  /// The unit of a numeric event time, in microseconds: 1000 (epoch milliseconds, the default),
  /// 1 (epoch microseconds, rounded down to the millisecond) or 1000000 (epoch seconds).
  /// ISO-8601 text is read as it is written. REQUIRES: one of those.
  int64_t event_time_unit_us = 1000;
  /// Accept "12.5" for a double field.
  bool lenient_numbers = false;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Builds a decoder into `schema`. Errors: an event_time_field not in the schema, etc.
  static Result<std::unique_ptr<Decoder>> create(stream::SchemaPtr schema, DecoderOptions options);
  /// Appends one row per decodable line of `lines` to `out` (of the decoder's schema); each
  /// other line goes to `ctx` as a dead letter (stage "decode", the reason, origin:line, the raw
  /// line). `now_ms` is the event time of rows without one. Returns the number of rows added.
  virtual size_t decode(const RawLines& lines, stream::Batch& out, stream::OperatorContext& ctx,
                        int64_t now_ms) = 0;
  /// Lines consumed without giving a row or a dead letter so far: blank lines (JSON, CSV) and
  /// CSV header lines. Lines read = rows decoded + dead letters + skipped.
  virtual uint64_t skipped() const { return 0; }
};

struct EncoderOptions {
  Encoding encoding = Encoding::kJson;
  bool csv_header = true;  ///< CSV: a header line first
  char csv_delimiter = ',';
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  static Result<std::unique_ptr<Encoder>> create(stream::SchemaPtr schema, EncoderOptions options);
  /// Appends the rows of `batch` to `out`, one line each ('\n'-terminated); the CSV header
  /// before the first row ever encoded.
  virtual void encode(const stream::Batch& batch, std::string& out) = 0;
  /// Appends row `r` of `batch`, '\n'-terminated, never a header (sinks that cut output into
  /// parts write a header per part with append_header).
  virtual void encode_row(const stream::Batch& batch, size_t r, std::string& out) = 0;
  /// Appends the CSV header line; nothing for the other encodings.
  virtual void append_header(std::string& out) = 0;
};

}  // namespace rivulet::io
