// The `socket` source: TCP lines, connecting to a producer (Spark's socket source) or listening
// for any number of them. Everything is non-blocking; waits are ppoll on the sockets and the
// canceller's eventfd.

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "io/source/line_splitter.h"
#include "io/source/net.h"
#include "io/source/wait.h"
#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using internal::LineSplitter;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kChunk = size_t{1} << 16;
constexpr milliseconds kFirstBackoff(100);
constexpr milliseconds kMaxBackoff(1000);

class SocketSourceImpl final : public Source {
 public:
  explicit SocketSourceImpl(SocketSource::Options options)
      : options_(std::move(options)),
        address_(internal::host_port(options_.host, options_.port)),
        origin_("tcp://" + address_),
        split_(options_.max_line_bytes) {}
  ~SocketSourceImpl() override {
    if (fd_ >= 0) ::close(fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    for (auto& c : conns_) ::close(c->fd);
  }

  Status listen() {
    RIVULET_ASSIGN_OR_RETURN(listen_fd_,
                             internal::listen_tcp(options_.host, options_.port, bound_port_));
    address_ = internal::host_port(options_.host, bound_port_);
    return Status();
  }
  int bound_port() const { return bound_port_; }

  std::string describe() const override {
    return fmt::format("socket {} {}", options_.listen ? "listen" : "connect", address_);
  }
  Result<ReadStatus> read(RawLines& out, size_t max_lines, milliseconds wait) override {
    if (max_lines == 0) return ReadStatus::kTimeout;
    return options_.listen ? read_listen(out, max_lines, wait) : read_connect(out, max_lines, wait);
  }
  void cancel() override { canceller_.cancel(); }
  bool replayable() const override { return false; }
  void save_position(StateWriter& out) const override {
    out(std::string("socket"), std::string(address_));
  }
  Status restore_position(StateReader& in) override {
    (void)in;
    return Status::failed_precondition(fmt::format(
        "source 'socket {}' is not replayable: it cannot resume from a saved position", address_));
  }
  std::vector<Oversized> take_oversized() override {
    std::vector<Oversized> taken;
    taken.swap(oversized_);
    return taken;
  }

 private:
  enum class State : uint8_t { kIdle, kConnecting, kConnected, kEnded };
  struct Conn {
    int fd = -1;
    std::string origin;
    LineSplitter split;
    bool eof = false;
    Conn(int f, std::string o, size_t max) : fd(f), origin(std::move(o)), split(max) {}
  };

  // Moves complete lines from `split` to `out`; false when `out` is full.
  bool drain(LineSplitter& split, const std::string& origin, RawLines& out, size_t max_lines,
             size_t& n) {
    while (n < max_lines) {
      std::string_view line;
      const LineSplitter::Got got = split.next(line);
      if (got == LineSplitter::Got::kNone) return true;
      if (got == LineSplitter::Got::kOversized) {
        oversized_.push_back({origin, 0, split.oversized_bytes()});
        continue;
      }
      out.add(line, 0, origin);
      ++n;
    }
    return false;
  }
  void take_rest(LineSplitter& split, const std::string& origin, RawLines& out, size_t& n) {
    std::string_view line;
    const LineSplitter::Got got = split.take_rest(line);
    if (got == LineSplitter::Got::kLine) {
      out.add(line, 0, origin);
      ++n;
    } else if (got == LineSplitter::Got::kOversized) {
      oversized_.push_back({origin, 0, split.oversized_bytes()});
    }
  }
  // Reads what `fd` has into `split`: false at the end of the stream (or a broken connection).
  static bool receive(int fd, LineSplitter& split) {
    for (;;) {
      char* p = split.prepare(kChunk);
      const ssize_t got = ::recv(fd, p, kChunk, 0);
      if (got > 0) {
        split.commit(static_cast<size_t>(got));
        return true;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      return false;
    }
  }

  Result<ReadStatus> read_connect(RawLines& out, size_t max_lines, milliseconds wait);
  Result<ReadStatus> read_listen(RawLines& out, size_t max_lines, milliseconds wait);
  Status connect_failed(const std::string& error);
  void connection_lost();

  SocketSource::Options options_;
  std::string address_;
  std::string origin_;
  internal::Canceller canceller_;
  std::vector<Oversized> oversized_;
  // Connect mode.
  State state_ = State::kIdle;
  int fd_ = -1;
  LineSplitter split_;
  bool ever_connected_ = false;
  bool peer_closed_ = false;
  bool in_series_ = false;  // attempts since the last success (or the start)
  Clock::time_point series_start_{};
  Clock::time_point next_attempt_{};
  milliseconds backoff_ = kFirstBackoff;
  // Listen mode.
  int listen_fd_ = -1;
  int bound_port_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<pollfd> pollfds_;
  size_t next_conn_ = 0;
};

Status SocketSourceImpl::connect_failed(const std::string& error) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const auto now = Clock::now();
  if (now - series_start_ >= milliseconds(options_.connect_timeout_ms)) {
    if (!ever_connected_) {
      state_ = State::kEnded;
      return Status::unavailable(
          fmt::format("socket source: cannot connect to {}: {} (tried for {} ms)", address_, error,
                      options_.connect_timeout_ms));
    }
    state_ = State::kEnded;  // the producer is gone: the stream has ended
    return Status();
  }
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  state_ = State::kIdle;
  return Status();
}

void SocketSourceImpl::connection_lost() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  peer_closed_ = false;
  split_.reset();
  if (!options_.reconnect) {
    state_ = State::kEnded;
    return;
  }
  state_ = State::kIdle;
  in_series_ = true;
  series_start_ = Clock::now();
  next_attempt_ = series_start_;
  backoff_ = kFirstBackoff;
}

Result<ReadStatus> SocketSourceImpl::read_connect(RawLines& out, size_t max_lines,
                                                  milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  size_t n = 0;
  auto left = [&] {
    const auto now = Clock::now();
    return n > 0 || now >= deadline ? Clock::duration(0) : deadline - now;
  };
  auto idle_result = [&]() -> std::optional<ReadStatus> {
    if (canceller_.cancelled()) return std::nullopt;
    if (n > 0) return ReadStatus::kData;
    if (Clock::now() >= deadline) return ReadStatus::kTimeout;
    return std::nullopt;
  };
  if (!in_series_ && !ever_connected_) {
    in_series_ = true;
    series_start_ = Clock::now();
  }
  for (;;) {
    if (canceller_.cancelled() || state_ == State::kEnded) {
      return n > 0 ? ReadStatus::kData : ReadStatus::kEnd;
    }
    switch (state_) {
      case State::kIdle: {
        const auto now = Clock::now();
        if (now < next_attempt_) {
          if (auto r = idle_result()) return *r;
          canceller_.sleep(std::min<Clock::duration>(next_attempt_ - now, left()));
          if (auto r = idle_result()) return *r;
          break;
        }
        bool connected = false;
        std::string error;
        fd_ = internal::start_connect(options_.host, options_.port, connected, error);
        if (fd_ < 0) {
          RIVULET_RETURN_IF_ERROR(connect_failed(error));
        } else if (connected) {
          state_ = State::kConnected;
        } else {
          state_ = State::kConnecting;
        }
        break;
      }
      case State::kConnecting: {
        const short revents = canceller_.wait(fd_, POLLOUT, left());
        if (revents == 0) {
          if (Clock::now() - series_start_ >= milliseconds(options_.connect_timeout_ms)) {
            RIVULET_RETURN_IF_ERROR(connect_failed("Connection timed out"));
            break;
          }
          if (auto r = idle_result()) return *r;
          break;
        }
        std::string error;
        if (internal::finish_connect(fd_, error)) {
          state_ = State::kConnected;
        } else {
          RIVULET_RETURN_IF_ERROR(connect_failed(error));
        }
        break;
      }
      case State::kConnected: {
        if (!ever_connected_ || in_series_) {
          ever_connected_ = true;
          in_series_ = false;
          backoff_ = kFirstBackoff;
          split_.reset();
        }
        if (!drain(split_, origin_, out, max_lines, n)) return ReadStatus::kData;
        if (peer_closed_) {
          if (n >= max_lines) return ReadStatus::kData;
          take_rest(split_, origin_, out, n);
          connection_lost();
          break;
        }
        const short revents = canceller_.wait(fd_, POLLIN, left());
        if (revents == 0) {
          if (auto r = idle_result()) return *r;
          break;
        }
        if (!receive(fd_, split_)) peer_closed_ = true;
        break;
      }
      case State::kEnded:
        break;
    }
  }
}

Result<ReadStatus> SocketSourceImpl::read_listen(RawLines& out, size_t max_lines,
                                                 milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  size_t n = 0;
  for (;;) {
    if (canceller_.cancelled()) return n > 0 ? ReadStatus::kData : ReadStatus::kEnd;
    // Whole lines from every connection, taking turns.
    const size_t count = conns_.size();
    for (size_t k = 0; k < count && n < max_lines; ++k) {
      Conn& c = *conns_[(next_conn_ + k) % count];
      if (drain(c.split, c.origin, out, max_lines, n) && c.eof && n < max_lines) {
        take_rest(c.split, c.origin, out, n);
        ::close(c.fd);
        c.fd = -1;
      }
    }
    if (count > 0) next_conn_ = (next_conn_ + 1) % count;
    std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) { return c->fd < 0; });
    if (n >= max_lines) return ReadStatus::kData;

    pollfds_.clear();
    pollfds_.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : conns_) pollfds_.push_back({c->eof ? -1 : c->fd, POLLIN, 0});
    pollfds_.push_back({canceller_.fd(), POLLIN, 0});
    const auto now = Clock::now();
    const auto left = n > 0 || now >= deadline ? Clock::duration(0) : deadline - now;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    const int ready = ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
    if (ready < 0 && errno != EINTR) {
      return Status::unavailable(
          fmt::format("socket source {}: poll: {}", address_, std::strerror(errno)));
    }
    if (ready <= 0) {
      if (n > 0) return ReadStatus::kData;
      if (Clock::now() >= deadline) return ReadStatus::kTimeout;
      continue;
    }
    if (canceller_.cancelled()) continue;
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (pollfds_[i + 1].revents == 0) continue;
      Conn& c = *conns_[i];
      if (!receive(c.fd, c.split)) c.eof = true;
    }
    if (pollfds_[0].revents & POLLIN) {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;  // EAGAIN: no more waiting; other errors: the producer gave up
        conns_.push_back(
            std::make_unique<Conn>(fd, internal::peer_address(fd), options_.max_line_bytes));
      }
    }
  }
}

}  // namespace

Result<std::unique_ptr<Source>> SocketSource::create(Options options) {
  if (options.host.empty()) return Status::invalid_argument("socket source: 'host' is required");
  if (options.port < 0 || options.port > 65535 || (options.port == 0 && !options.listen)) {
    return Status::invalid_argument(fmt::format("socket source: 'port' must be 1..65535{}, got {}",
                                                options.listen ? " (or 0: any free port)" : "",
                                                options.port));
  }
  if (options.connect_timeout_ms <= 0) {
    return Status::invalid_argument(fmt::format(
        "socket source: 'connect_timeout_ms' must be > 0, got {}", options.connect_timeout_ms));
  }
  if (options.max_line_bytes == 0) {
    return Status::invalid_argument("socket source: 'max_line_bytes' must be > 0");
  }
  const bool listen = options.listen;
  auto source = std::make_unique<SocketSourceImpl>(std::move(options));
  if (listen) {
    RIVULET_RETURN_IF_ERROR(source->listen().with_context("socket source"));
  }
  return std::unique_ptr<Source>(std::move(source));
}

int SocketSource::listening_port(const Source& source) {
  const auto* s = dynamic_cast<const SocketSourceImpl*>(&source);
  return s != nullptr ? s->bound_port() : 0;
}

}  // namespace rivulet::io
