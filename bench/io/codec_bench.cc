// Decoding and encoding of events: `transactions` payments (10 fields, ~230 bytes as JSON) from
// RawLines into a Batch, and back out as JSON Lines and CSV. Reference: simdjson On-Demand alone
// iterating the same objects and touching every value (the floor for a JSON decoder), and the
// issue's figure of about 140 ns an event for a 125-byte event of 8 floats.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

#include "rivulet/io/codec.h"
#include "rivulet/io/generators/generator.h"
#include "rivulet/stream/operator.h"

namespace rivulet::io {
namespace {

constexpr size_t kBatch = 1024;

stream::SchemaPtr payment_schema() {
  return std::make_shared<const Schema>(*Schema::create({{"type", Type::kString},
                                                         {"event_time", Type::kInt},
                                                         {"transaction_id", Type::kInt},
                                                         {"card_id", Type::kString},
                                                         {"merchant", Type::kString},
                                                         {"merchant_category", Type::kString},
                                                         {"country", Type::kString},
                                                         {"amount", Type::kDouble},
                                                         {"channel", Type::kString},
                                                         {"is_fraud", Type::kBool}}));
}

// kBatch payment events as JSON lines (label events of the stream are left out).
const RawLines& json_lines() {
  static const RawLines lines = [] {
    RawLines out;
    auto generator = Generator::create("transactions", 42).value();
    std::string line;
    while (out.size() < kBatch) {
      line.clear();
      generator->next(line);
      line.pop_back();
      if (line.find("\"payment\"") != std::string::npos) out.add(line, out.size() + 1, "bench");
    }
    return out;
  }();
  return lines;
}

// The same events as CSV rows (header first).
const RawLines& csv_lines() {
  static const RawLines lines = [] {
    auto schema = payment_schema();
    auto decoder = Decoder::create(schema, {.event_time_field = "event_time"}).value();
    stream::Batch batch(schema);
    stream::CollectingDeadLetters dead;
    stream::OperatorContext ctx(dead);
    decoder->decode(json_lines(), batch, ctx, 0);
    auto encoder = Encoder::create(schema, {.encoding = Encoding::kCsv}).value();
    std::string text;
    encoder->encode(batch, text);
    RawLines out;
    size_t start = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos;
         start = nl + 1, nl = text.find('\n', start)) {
      out.add(std::string_view(text).substr(start, nl - start), out.size() + 1, "bench.csv");
    }
    return out;
  }();
  return lines;
}

void set_counters(benchmark::State& state, const RawLines& lines, size_t rows) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * lines.bytes()));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_DecodeJsonTransactions(benchmark::State& state) {
  auto schema = payment_schema();
  auto decoder = Decoder::create(schema, {.event_time_field = "event_time"}).value();
  const RawLines& lines = json_lines();
  stream::Batch batch(schema);
  batch.reserve(kBatch);
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  size_t rows = 0;
  for (auto _ : state) {
    batch.clear();
    rows = decoder->decode(lines, batch, ctx, 0);
    benchmark::DoNotOptimize(batch.values().data());
  }
  if (rows != lines.size() || !dead.letters.empty()) state.SkipWithError("lines were not decoded");
  set_counters(state, lines, rows);
  state.counters["bytes/event"] = static_cast<double>(lines.bytes()) / lines.size();
}
BENCHMARK(BM_DecodeJsonTransactions);

// The reference shape: a ~125-byte event of 8 floats ({"x0": 0.731482, ...}).
const RawLines& eight_float_lines() {
  static const RawLines lines = [] {
    RawLines out;
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (size_t n = 0; n < kBatch; ++n) {
      std::string line = "{";
      for (int i = 0; i < 8; ++i) {
        line += fmt::format("{}\"x{}\": {:.6f}", i == 0 ? "" : ", ", i, unit(rng));
      }
      line += "}";
      out.add(line, n + 1, "bench");
    }
    return out;
  }();
  return lines;
}

void BM_DecodeJsonEightFloats(benchmark::State& state) {
  std::vector<SchemaField> fields;
  for (int i = 0; i < 8; ++i) fields.push_back({"x" + std::to_string(i), Type::kDouble});
  auto schema = std::make_shared<const Schema>(*Schema::create(fields));
  const RawLines& lines = eight_float_lines();
  auto decoder = Decoder::create(schema, {}).value();
  stream::Batch batch(schema);
  batch.reserve(kBatch);
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  size_t rows = 0;
  for (auto _ : state) {
    batch.clear();
    rows = decoder->decode(lines, batch, ctx, 0);
    benchmark::DoNotOptimize(batch.values().data());
  }
  if (rows != lines.size()) state.SkipWithError("lines were not decoded");
  set_counters(state, lines, rows);
  state.counters["bytes/event"] = static_cast<double>(lines.bytes()) / lines.size();
}
BENCHMARK(BM_DecodeJsonEightFloats);

// The floor: simdjson On-Demand over the same lines, every value read (strings unescaped,
// numbers parsed), nothing stored.
void simdjson_floor(benchmark::State& state, const RawLines& lines) {
  simdjson::ondemand::parser parser;
  std::vector<simdjson::padded_string> padded;
  for (size_t i = 0; i < lines.size(); ++i) padded.emplace_back(lines.line(i));
  double sum = 0;
  for (auto _ : state) {
    for (auto& text : padded) {
      auto doc = parser.iterate(text);
      for (auto field : doc.get_object()) {
        auto value = field.value();
        switch (value.type()) {
          case simdjson::ondemand::json_type::number:
            sum += double(value.get_double());
            break;
          case simdjson::ondemand::json_type::string:
            sum += std::string_view(value.get_string()).size();
            break;
          case simdjson::ondemand::json_type::boolean:
            sum += bool(value.get_bool()) ? 1 : 0;
            break;
          default:
            break;
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  set_counters(state, lines, lines.size());
}
void BM_SimdjsonOnDemandFloor(benchmark::State& state) { simdjson_floor(state, json_lines()); }
BENCHMARK(BM_SimdjsonOnDemandFloor);
void BM_SimdjsonOnDemandFloorEightFloats(benchmark::State& state) {
  simdjson_floor(state, eight_float_lines());
}
BENCHMARK(BM_SimdjsonOnDemandFloorEightFloats);

void BM_DecodeCsvTransactions(benchmark::State& state) {
  auto schema = payment_schema();
  auto decoder =
      Decoder::create(schema, {.encoding = Encoding::kCsv, .event_time_field = "event_time"})
          .value();
  const RawLines& lines = csv_lines();
  stream::Batch batch(schema);
  batch.reserve(kBatch);
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  size_t rows = 0;
  for (auto _ : state) {
    batch.clear();
    rows = decoder->decode(lines, batch, ctx, 0);
    benchmark::DoNotOptimize(batch.values().data());
  }
  if (rows + 1 != lines.size() || !dead.letters.empty())
    state.SkipWithError("lines were not decoded");
  set_counters(state, lines, rows);
}
BENCHMARK(BM_DecodeCsvTransactions);

void encode_bench(benchmark::State& state, Encoding encoding) {
  auto schema = payment_schema();
  auto decoder = Decoder::create(schema, {.event_time_field = "event_time"}).value();
  stream::Batch batch(schema);
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  decoder->decode(json_lines(), batch, ctx, 0);
  auto encoder = Encoder::create(schema, {.encoding = encoding, .csv_header = false}).value();
  std::string out;
  for (auto _ : state) {
    out.clear();
    encoder->encode(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (encoding == Encoding::kJson &&
      out.substr(0, out.find('\n')) != stream::row_to_json(batch, 0)) {
    state.SkipWithError("JSON output differs from row_to_json");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_EncodeJsonTransactions(benchmark::State& state) { encode_bench(state, Encoding::kJson); }
BENCHMARK(BM_EncodeJsonTransactions);

void BM_EncodeCsvTransactions(benchmark::State& state) { encode_bench(state, Encoding::kCsv); }
BENCHMARK(BM_EncodeCsvTransactions);

// The reference the encoder replaces: stream::row_to_json, one std::string per row.
void BM_RowToJsonTransactions(benchmark::State& state) {
  auto schema = payment_schema();
  auto decoder = Decoder::create(schema, {.event_time_field = "event_time"}).value();
  stream::Batch batch(schema);
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  decoder->decode(json_lines(), batch, ctx, 0);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (size_t r = 0; r < batch.size(); ++r) {
      out += stream::row_to_json(batch, r);
      out += '\n';
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.counters["ns/event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RowToJsonTransactions);

}  // namespace
}  // namespace rivulet::io
