// JSON Lines encoder: the same text as stream::row_to_json (`{"a": 1, "b": "x"}`), written
// straight into the caller's buffer: the key prefixes are escaped once, values are formatted on
// the stack, nothing is allocated per row once the buffer has grown.

#include "io/codec/codec_decoders.h"
#include "io/codec/codec_internal.h"

namespace rivulet::io::internal {
namespace {

class JsonEncoder final : public Encoder {
 public:
  explicit JsonEncoder(stream::SchemaPtr schema) : schema_(std::move(schema)) {
    for (size_t f = 0; f < schema_->size(); ++f) {
      std::string prefix = f == 0 ? "{" : ", ";
      append_json_string(prefix, schema_->field(f).name);
      prefix += ": ";
      prefix_bytes_ += prefix.size();
      prefixes_.push_back(std::move(prefix));
    }
  }

  void encode(const stream::Batch& batch, std::string& out) override {
    for (size_t r = 0; r < batch.size(); ++r) encode_row(batch, r, out);
  }

  void encode_row(const stream::Batch& batch, size_t r, std::string& out) override {
    const Value* row = batch.row(r);
    const size_t n = std::min(prefixes_.size(), batch.n_fields());
    // Room for the longest text the row can take, then one pass of raw writes.
    size_t bound = prefix_bytes_ + 3;
    for (size_t f = 0; f < n; ++f) bound += json_value_bound(row[f]);
    const size_t start = out.size();
    out.resize(start + bound);
    char* p = out.data() + start;
    if (n == 0) *p++ = '{';
    for (size_t f = 0; f < n; ++f) {
      p = put_bytes(p, prefixes_[f].data(), prefixes_[f].size());
      p = write_json_value(p, row[f]);
    }
    *p++ = '}';
    *p++ = '\n';
    out.resize(static_cast<size_t>(p - out.data()));
  }

  void append_header(std::string& out) override { (void)out; }

 private:
  stream::SchemaPtr schema_;
  std::vector<std::string> prefixes_;
  size_t prefix_bytes_ = 0;
};

class CsvEncoder final : public Encoder {
 public:
  CsvEncoder(stream::SchemaPtr schema, EncoderOptions options)
      : schema_(std::move(schema)), options_(options) {}

  void encode(const stream::Batch& batch, std::string& out) override {
    if (batch.empty()) return;
    if (options_.csv_header && !header_written_) {
      append_header(out);
      header_written_ = true;
    }
    for (size_t r = 0; r < batch.size(); ++r) encode_row(batch, r, out);
  }

  void encode_row(const stream::Batch& batch, size_t r, std::string& out) override {
    const Value* row = batch.row(r);
    for (size_t f = 0; f < batch.n_fields(); ++f) {
      if (f > 0) out += options_.csv_delimiter;
      append_csv_value(out, row[f], options_.csv_delimiter);
    }
    out += '\n';
  }

  void append_header(std::string& out) override {
    for (size_t f = 0; f < schema_->size(); ++f) {
      if (f > 0) out += options_.csv_delimiter;
      append_csv_text(out, schema_->field(f).name, options_.csv_delimiter);
    }
    out += '\n';
  }

 private:
  stream::SchemaPtr schema_;
  EncoderOptions options_;
  bool header_written_ = false;
};

}  // namespace

std::unique_ptr<Encoder> make_json_encoder(stream::SchemaPtr schema) {
  return std::make_unique<JsonEncoder>(std::move(schema));
}

std::unique_ptr<Encoder> make_csv_encoder(stream::SchemaPtr schema, EncoderOptions options) {
  return std::make_unique<CsvEncoder>(std::move(schema), options);
}

}  // namespace rivulet::io::internal
