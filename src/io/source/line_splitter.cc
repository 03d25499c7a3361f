#include "io/source/line_splitter.h"

#include <algorithm>
#include <cstring>

namespace rivulet::io::internal {

char* LineSplitter::prepare(size_t n) {
  if (buf_.size() - end_ < n) {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < n) buf_.resize(std::max(buf_.size() * 2, end_ + n));
  }
  return buf_.data() + end_;
}

LineSplitter::Got LineSplitter::next(std::string_view& line) {
  if (skipping_) {
    const char* start = buf_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl == nullptr) {
      skipped_ += end_ - begin_;
      begin_ = end_ = scan_ = 0;
      return Got::kNone;
    }
    const size_t n = static_cast<size_t>(nl - start);
    uint64_t total = skipped_ + n;
    boundary_ += total + 1;
    begin_ += n + 1;
    scan_ = begin_;
    skipping_ = false;
    if (n > 0 && start[n - 1] == '\r') --total;
    oversized_bytes_ = total;
    return Got::kOversized;
  }
  const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scan_, '\n', end_ - scan_));
  if (nl == nullptr) {
    scan_ = end_;
    // One byte of slack for a "\r" before the "\n".
    if (end_ - begin_ > max_ + 1) {
      skipping_ = true;
      skipped_ = end_ - begin_;
      begin_ = end_ = scan_ = 0;
    }
    return Got::kNone;
  }
  const char* start = buf_.data() + begin_;
  size_t len = static_cast<size_t>(nl - start);
  begin_ += len + 1;
  scan_ = begin_;
  boundary_ += len + 1;
  if (len > 0 && start[len - 1] == '\r') --len;
  if (len > max_) {
    oversized_bytes_ = len;
    return Got::kOversized;
  }
  line = std::string_view(start, len);
  return Got::kLine;
}

LineSplitter::Got LineSplitter::take_rest(std::string_view& line) {
  if (skipping_) {
    const uint64_t total = skipped_ + (end_ - begin_);
    boundary_ += total;
    begin_ = end_ = scan_ = 0;
    skipping_ = false;
    oversized_bytes_ = total;
    return Got::kOversized;
  }
  if (end_ == begin_) return Got::kNone;
  const char* start = buf_.data() + begin_;
  size_t len = end_ - begin_;
  boundary_ += len;
  begin_ = scan_ = end_;
  if (start[len - 1] == '\r') --len;
  if (len > max_) {
    oversized_bytes_ = len;
    return Got::kOversized;
  }
  line = std::string_view(start, len);
  return Got::kLine;
}

void LineSplitter::reset(uint64_t offset) {
  begin_ = end_ = scan_ = 0;
  skipping_ = false;
  skipped_ = 0;
  boundary_ = offset;
}

}  // namespace rivulet::io::internal
