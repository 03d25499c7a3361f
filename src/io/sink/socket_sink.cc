// The `socket` sink: encoded rows to a TCP consumer, reconnecting when the connection is lost.

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "io/source/net.h"
#include "io/source/wait.h"
#include "rivulet/io/sinks.h"

namespace rivulet::io {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kFlushBytes = size_t{1} << 16;
constexpr milliseconds kFirstBackoff(100);
constexpr milliseconds kMaxBackoff(1000);

class SocketSinkImpl final : public Sink {
 public:
  explicit SocketSinkImpl(SocketSink::Options options)
      : options_(std::move(options)), address_(internal::host_port(options_.host, options_.port)) {}
  ~SocketSinkImpl() override {
    if (fd_ >= 0) ::close(fd_);
  }

  std::string describe() const override { return fmt::format("socket {}", address_); }

  Status open(stream::SchemaPtr schema) override {
    EncoderOptions encoder;
    encoder.encoding = options_.format;
    encoder.csv_delimiter = options_.csv_delimiter;
    auto created = Encoder::create(std::move(schema), encoder);
    if (!created.ok()) return created.status().with_context("socket sink");
    encoder_ = std::move(created).value();
    // The first connection: retried while the consumer starts.
    const auto start = Clock::now();
    milliseconds backoff = kFirstBackoff;
    std::string error;
    for (;;) {
      const auto left = milliseconds(options_.connect_timeout_ms) -
                        std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      if (connect(std::max(left, milliseconds(1)), error)) return Status();
      if (Clock::now() - start + backoff >= milliseconds(options_.connect_timeout_ms)) break;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    return Status::unavailable(
        fmt::format("socket sink: cannot connect to {}: {} (tried for {} ms)", address_, error,
                    options_.connect_timeout_ms));
  }

  Status write(const stream::Batch& batch) override {
    if (encoder_ == nullptr) return Status::failed_precondition("socket sink: write before open");
    for (size_t r = 0; r < batch.size(); ++r) encoder_->encode_row(batch, r, buffer_);
    if (buffer_.size() >= kFlushBytes) return push();
    return Status();
  }

  Status flush() override { return push(); }

  Status close() override {
    Status s = encoder_ != nullptr ? push() : Status();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    encoder_.reset();
    return s;
  }

 private:
  bool connect(milliseconds timeout, std::string& error) {
    fd_ = internal::connect_once(options_.host, options_.port, timeout, canceller_, error);
    if (fd_ < 0) return false;
    // A new consumer gets the CSV header first.
    header_.clear();
    encoder_->append_header(header_);
    return true;
  }

  // Whether the consumer has closed its end: a read shows the end of the stream.
  bool peer_closed() const {
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }

  // Sends header_ then buffer_; returns the errno of a failure, 0 when all was sent. What was
  // sent is removed, except the start of a line cut by the failure (resent whole).
  int send_pending() {
    if (fd_ < 0) return ENOTCONN;
    if (peer_closed()) return EPIPE;
    int error = 0;
    if (!header_.empty()) {
      const size_t sent = internal::send_all(fd_, header_, error);
      if (error != 0) return error;
      (void)sent;
      header_.clear();
    }
    const size_t sent = internal::send_all(fd_, buffer_, error);
    if (error == 0) {
      buffer_.clear();
      return 0;
    }
    const size_t nl = sent == 0 ? std::string::npos : buffer_.rfind('\n', sent - 1);
    buffer_.erase(0, nl == std::string::npos ? 0 : nl + 1);
    return error;
  }

  Status push() {
    if (buffer_.empty() && header_.empty()) return Status();
    int error = send_pending();
    if (error == 0) return Status();
    const std::string lost = std::strerror(error);
    milliseconds backoff = kFirstBackoff;
    std::string connect_error;
    for (int attempt = 0; attempt < options_.reconnect_attempts; ++attempt) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
      if (!connect(milliseconds(options_.connect_timeout_ms), connect_error)) continue;
      error = send_pending();
      if (error == 0) return Status();
      connect_error = std::strerror(error);
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
    header_.clear();
    if (options_.reconnect_attempts == 0) {
      return Status::unavailable(
          fmt::format("socket sink {}: connection lost ({})", address_, lost));
    }
    return Status::unavailable(
        fmt::format("socket sink {}: connection lost ({}); reconnecting failed after {} "
                    "attempts: {}",
                    address_, lost, options_.reconnect_attempts, connect_error));
  }

  SocketSink::Options options_;
  std::string address_;
  internal::Canceller canceller_;
  std::unique_ptr<Encoder> encoder_;
  int fd_ = -1;
  std::string header_;
  std::string buffer_;
};

}  // namespace

Result<std::unique_ptr<Sink>> SocketSink::create(Options options) {
  if (options.host.empty()) return Status::invalid_argument("socket sink: 'host' is required");
  if (options.port <= 0 || options.port > 65535) {
    return Status::invalid_argument(
        fmt::format("socket sink: 'port' must be 1..65535, got {}", options.port));
  }
  if (options.connect_timeout_ms <= 0) {
    return Status::invalid_argument(fmt::format(
        "socket sink: 'connect_timeout_ms' must be > 0, got {}", options.connect_timeout_ms));
  }
  if (options.reconnect_attempts < 0) {
    return Status::invalid_argument(fmt::format(
        "socket sink: 'reconnect_attempts' must be >= 0, got {}", options.reconnect_attempts));
  }
  if (options.csv_delimiter == '"' || options.csv_delimiter == '\n' ||
      options.csv_delimiter == '\r' || options.csv_delimiter == '\0') {
    return Status::invalid_argument(
        "socket sink: 'csv_delimiter' cannot be a quote or a line break");
  }
  return std::unique_ptr<Sink>(new SocketSinkImpl(std::move(options)));
}

}  // namespace rivulet::io
