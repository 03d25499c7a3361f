#include "io/line_reader.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstring>

namespace rivulet::io::internal {
namespace {
constexpr size_t kChunk = 1 << 18;
}

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(file_);
}

Status LineReader::open(const std::string& path) {
  path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::not_found(fmt::format("{}: no such file", path));
  if (S_ISDIR(st.st_mode)) return Status::invalid_argument(fmt::format("{}: is a directory", path));
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) return Status::data_loss(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  gzbuffer(file_, kChunk);
  capacity_ = kChunk;
  buf_.resize(capacity_ + kPadding);
  return Status();
}

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unread tail to the front, grow if a line fills the whole buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {
    capacity_ *= 2;
    buf_.resize(capacity_ + kPadding);
  }
  const int n = gzread(file_, buf_.data() + end_, static_cast<unsigned>(capacity_ - end_));
  if (n < 0) {
    int errnum = 0;
    error_ = gzerror(file_, &errnum);
    eof_ = true;
    return false;
  }
  if (n == 0) {
    // zlib ends a truncated gzip stream like a complete one; only gzerror tells them apart.
    int errnum = Z_OK;
    const char* message = gzerror(file_, &errnum);
    if (errnum != Z_OK) error_ = message != nullptr && *message != '\0' ? message : "truncated gzip data";
    eof_ = true;
    return false;
  }
  end_ += static_cast<size_t>(n);
  return true;
}

Result<bool> LineReader::next(std::string_view& line, size_t max_bytes) {
  if (file_ == nullptr) return Status::failed_precondition("LineReader used before open");
  size_t scan = begin_;
  bool too_long = false;
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scan, '\n', end_ - scan));
    if (nl != nullptr) {
      const size_t stop = static_cast<size_t>(nl - buf_.data());
      size_t len = stop - begin_;
      const char* start = buf_.data() + begin_;
      begin_ = stop + 1;
      ++line_number_;
      if (too_long || len > max_bytes) {
        return Status::invalid_argument(fmt::format("{}:{}: line longer than {} bytes, skipped", path_,
                                                line_number_, max_bytes));
      }
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      return true;
    }
    if (end_ - begin_ > max_bytes) {
      // Drop what we have of the oversize line and keep scanning for its end.
      too_long = true;
      begin_ = end_;
    }
    scan = end_ - begin_;
    if (!fill()) {
      if (!error_.empty()) return Status::data_loss(fmt::format("{}: read error: {}", path_, error_));
      if (end_ == begin_ && !too_long) return false;  // clean end of file
      // Last line without a trailing newline.
      const char* start = buf_.data() + begin_;
      size_t len = end_ - begin_;
      begin_ = end_;
      ++line_number_;
      if (too_long || len > max_bytes) {
        return Status::invalid_argument(fmt::format("{}:{}: line longer than {} bytes, skipped", path_,
                                                line_number_, max_bytes));
      }
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      return true;
    }
    scan += begin_;
  }
}

}  // namespace rivulet::io::internal
