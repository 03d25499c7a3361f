// The `generator` source: a built-in generator's events, paced to a rate.

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "io/source/wait.h"
#include "rivulet/io/generators/generator.h"
#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kPositionVersion = 1;

class GeneratorSourceImpl final : public Source {
 public:
  GeneratorSourceImpl(GeneratorSource::Options options, std::unique_ptr<Generator> generator)
      : options_(std::move(options)),
        generator_(std::move(generator)),
        origin_(fmt::format("generator:{}", generator_->kind())) {}

  std::string describe() const override {
    std::string text = fmt::format("generator {}", generator_->spec());
    if (options_.rate > 0) text += fmt::format(" at {} events/s", options_.rate);
    if (options_.count > 0) text += fmt::format(", {} events", options_.count);
    return text;
  }

  Result<ReadStatus> read(RawLines& out, size_t max_lines,
                          std::chrono::milliseconds wait) override {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      if (canceller_.cancelled() || done()) return ReadStatus::kEnd;
      size_t want = max_lines;
      if (options_.count > 0) {
        want =
            static_cast<size_t>(std::min<uint64_t>(want, options_.count - generator_->position()));
      }
      const auto now = Clock::now();
      if (options_.rate > 0) {
        if (!pacing_) {
          pacing_ = true;
          pace_start_ = now;
          pace_base_ = generator_->position();
        }
        // Events due by now: those whose time slot start + k / rate has come.
        const double elapsed = std::chrono::duration<double>(now - pace_start_).count();
        const auto due_total = static_cast<uint64_t>(std::floor(elapsed * options_.rate)) + 1;
        const uint64_t emitted = generator_->position() - pace_base_;
        const uint64_t due = due_total > emitted ? due_total - emitted : 0;
        want = static_cast<size_t>(std::min<uint64_t>(want, due));
        if (want == 0) {
          if (now >= deadline) return ReadStatus::kTimeout;
          const auto next =
              pace_start_ +
              std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(static_cast<double>(emitted) / options_.rate));
          canceller_.sleep(std::min<Clock::duration>(next - now, deadline - now));
          continue;
        }
      }
      if (want == 0) return ReadStatus::kTimeout;
      for (size_t i = 0; i < want; ++i) {
        line_.clear();
        generator_->next(line_);
        std::string_view text(line_);
        if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        out.add(text, generator_->position(), origin_);
      }
      return ReadStatus::kData;
    }
  }

  void cancel() override { canceller_.cancel(); }

  void save_position(StateWriter& out) const override {
    out(std::string("generator"), kPositionVersion, generator_->spec(), generator_->save_state());
  }

  Status restore_position(StateReader& in) override {
    std::string kind, spec, state;
    uint32_t version = 0;
    try {
      in(kind);
      if (kind != "generator") {
        return Status::invalid_argument(
            fmt::format("generator source: the saved position belongs to a {} source", kind));
      }
      in(version);
      if (version != kPositionVersion) {
        return Status::data_loss(
            fmt::format("generator source: unknown position version {}", version));
      }
      in(spec, state);
    } catch (const std::exception& e) {
      return Status::data_loss(
          fmt::format("generator source: corrupt saved position: {}", e.what()));
    }
    if (spec != generator_->spec()) {
      return Status::invalid_argument(fmt::format(
          "generator source: the saved position is for '{}', this source generates '{}'", spec,
          generator_->spec()));
    }
    RIVULET_RETURN_IF_ERROR(generator_->load_state(state).with_context("generator source"));
    pacing_ = false;
    return Status();
  }

 private:
  bool done() const { return options_.count > 0 && generator_->position() >= options_.count; }

  GeneratorSource::Options options_;
  std::unique_ptr<Generator> generator_;
  std::string origin_;
  internal::Canceller canceller_;
  std::string line_;
  bool pacing_ = false;
  Clock::time_point pace_start_{};
  uint64_t pace_base_ = 0;
};

}  // namespace

Result<std::unique_ptr<Source>> GeneratorSource::create(Options options) {
  if (options.kind.empty()) {
    return Status::invalid_argument("generator source: 'kind' is required (e.g. \"transactions\")");
  }
  if (!(options.rate >= 0.0) || !std::isfinite(options.rate)) {
    return Status::invalid_argument(fmt::format(
        "generator source: 'rate' must be >= 0 (0: as fast as possible), got {}", options.rate));
  }
  auto generator = Generator::create(options.kind, options.seed);
  if (!generator.ok()) return generator.status().with_context("generator source: 'kind'");
  return std::unique_ptr<Source>(
      new GeneratorSourceImpl(std::move(options), std::move(generator).value()));
}

}  // namespace rivulet::io
