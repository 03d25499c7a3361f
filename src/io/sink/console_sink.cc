// The `console` sink: encoded rows to a stdio stream (stdout by default).

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "rivulet/io/sinks.h"

namespace rivulet::io {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 16;

class ConsoleSinkImpl final : public Sink {
 public:
  explicit ConsoleSinkImpl(ConsoleSink::Options options) : options_(options) {
    if (options_.file == nullptr) options_.file = stdout;
  }

  std::string describe() const override { return "console"; }

  Status open(stream::SchemaPtr schema) override {
    EncoderOptions encoder;
    encoder.encoding = options_.format;
    encoder.csv_delimiter = options_.csv_delimiter;
    auto created = Encoder::create(std::move(schema), encoder);
    if (!created.ok()) return created.status().with_context("console sink");
    encoder_ = std::move(created).value();
    return Status();
  }

  Status write(const stream::Batch& batch) override {
    if (encoder_ == nullptr) return Status::failed_precondition("console sink: write before open");
    encoder_->encode(batch, buffer_);
    if (buffer_.size() >= kFlushBytes) return push(false);
    return Status();
  }

  Status flush() override { return push(true); }

  Status close() override {
    Status s = push(true);
    encoder_.reset();
    return s;
  }

 private:
  Status push(bool flush_stream) {
    if (!buffer_.empty()) {
      const size_t n = std::fwrite(buffer_.data(), 1, buffer_.size(), options_.file);
      if (n != buffer_.size()) {
        buffer_.clear();
        return Status::unavailable(
            fmt::format("console sink: write failed: {}", std::strerror(errno)));
      }
      buffer_.clear();
    }
    if (flush_stream && std::fflush(options_.file) != 0) {
      return Status::unavailable(
          fmt::format("console sink: write failed: {}", std::strerror(errno)));
    }
    return Status();
  }

  ConsoleSink::Options options_;
  std::unique_ptr<Encoder> encoder_;
  std::string buffer_;
};

}  // namespace

Result<std::unique_ptr<Sink>> ConsoleSink::create(Options options) {
  if (options.csv_delimiter == '"' || options.csv_delimiter == '\n' ||
      options.csv_delimiter == '\r' || options.csv_delimiter == '\0') {
    return Status::invalid_argument(
        "console sink: 'csv_delimiter' cannot be a quote or a line break");
  }
  return std::unique_ptr<Sink>(new ConsoleSinkImpl(options));
}

}  // namespace rivulet::io
