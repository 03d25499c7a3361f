// Text lines: each line is the one string field of its row, and back.

#include "io/codec/codec_decoders.h"
#include "io/codec/codec_internal.h"

namespace rivulet::io::internal {
namespace {

class TextDecoder final : public Decoder {
 public:
  size_t decode(const RawLines& lines, stream::Batch& out, stream::OperatorContext& ctx,
                int64_t now_ms) override {
    (void)ctx;
    for (size_t i = 0; i < lines.size(); ++i) {
      const size_t r = out.add_row(now_ms);
      out.set_string(r, 0, lines.line(i));
    }
    return lines.size();
  }
};

// The field's text as to_string writes it (NULL: an empty line). A string holding a line break
// would split the row; line breaks are written as spaces.
class TextEncoder final : public Encoder {
 public:
  void encode(const stream::Batch& batch, std::string& out) override {
    for (size_t r = 0; r < batch.size(); ++r) encode_row(batch, r, out);
  }
  void encode_row(const stream::Batch& batch, size_t r, std::string& out) override {
    const Value v = batch.get(r, 0);
    if (v.type() == Type::kString) {
      const size_t start = out.size();
      out.append(v.as_string());
      for (size_t i = start; i < out.size(); ++i) {
        if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
      }
    } else if (!v.is_null()) {
      append_to(out, v);
    }
    out.push_back('\n');
  }
  void append_header(std::string& out) override { (void)out; }
};

}  // namespace

std::unique_ptr<Decoder> make_text_decoder(stream::SchemaPtr schema) {
  (void)schema;
  return std::make_unique<TextDecoder>();
}

std::unique_ptr<Encoder> make_text_encoder(stream::SchemaPtr schema) {
  (void)schema;
  return std::make_unique<TextEncoder>();
}

}  // namespace rivulet::io::internal
