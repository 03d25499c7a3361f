// The `stdin` source: lines of a descriptor (standard input) until its end.

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/source/line_splitter.h"
#include "io/source/wait.h"
#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using internal::LineSplitter;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunk = size_t{1} << 16;

class StdinSourceImpl final : public Source {
 public:
  explicit StdinSourceImpl(StdinSource::Options options)
      : options_(options), split_(options.max_line_bytes) {}

  std::string describe() const override {
    return options_.fd == 0 ? "stdin" : fmt::format("stdin (fd {})", options_.fd);
  }

  Result<ReadStatus> read(RawLines& out, size_t max_lines,
                          std::chrono::milliseconds wait) override {
    const auto deadline = Clock::now() + wait;
    size_t n = 0;
    for (;;) {
      if (canceller_.cancelled() || ended_) return n > 0 ? ReadStatus::kData : ReadStatus::kEnd;
      while (n < max_lines) {
        std::string_view line;
        const LineSplitter::Got got = split_.next(line);
        if (got == LineSplitter::Got::kNone) break;
        take(got, line, out, n);
      }
      if (n >= max_lines) return n > 0 ? ReadStatus::kData : ReadStatus::kTimeout;
      if (eof_) {
        std::string_view line;
        const LineSplitter::Got got = split_.take_rest(line);
        if (got != LineSplitter::Got::kNone) take(got, line, out, n);
        ended_ = true;
        continue;
      }
      // Wait only when nothing is in hand; then read what is there.
      const auto now = Clock::now();
      const auto left = n > 0 || now >= deadline ? Clock::duration(0) : deadline - now;
      const short revents = canceller_.wait(options_.fd, POLLIN, left);
      if (revents == 0) {
        if (canceller_.cancelled()) continue;
        if (n > 0) return ReadStatus::kData;
        if (Clock::now() >= deadline) return ReadStatus::kTimeout;
        continue;
      }
      char* p = split_.prepare(kChunk);
      const ssize_t got = ::read(options_.fd, p, kChunk);
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return Status::data_loss(fmt::format("stdin: read error: {}", std::strerror(errno)));
      }
      if (got == 0) {
        eof_ = true;
        continue;
      }
      split_.commit(static_cast<size_t>(got));
    }
  }

  void cancel() override { canceller_.cancel(); }
  bool replayable() const override { return false; }
  void save_position(StateWriter& out) const override { out(std::string("stdin"), line_); }
  Status restore_position(StateReader& in) override {
    (void)in;
    return Status::failed_precondition(
        "source 'stdin' is not replayable: it cannot resume from a saved position");
  }
  std::vector<Oversized> take_oversized() override {
    std::vector<Oversized> taken;
    taken.swap(oversized_);
    return taken;
  }

 private:
  void take(LineSplitter::Got got, std::string_view line, RawLines& out, size_t& n) {
    ++line_;
    if (got == LineSplitter::Got::kOversized) {
      oversized_.push_back({"stdin", line_, split_.oversized_bytes()});
      return;
    }
    out.add(line, line_, "stdin");
    ++n;
  }

  StdinSource::Options options_;
  internal::Canceller canceller_;
  LineSplitter split_;
  uint64_t line_ = 0;
  bool eof_ = false;
  bool ended_ = false;
  std::vector<Oversized> oversized_;
};

}  // namespace

Result<std::unique_ptr<Source>> StdinSource::create(Options options) {
  if (options.fd < 0) {
    return Status::invalid_argument(
        fmt::format("stdin source: 'fd' must be >= 0, got {}", options.fd));
  }
  if (options.max_line_bytes == 0) {
    return Status::invalid_argument("stdin source: 'max_line_bytes' must be > 0");
  }
  return std::unique_ptr<Source>(new StdinSourceImpl(options));
}

}  // namespace rivulet::io
