#pragma once
// Cuts a byte stream into lines: bytes are written at the back (prepare/commit), whole lines
// taken from the front (next). A line longer than the limit is never buffered whole: once the
// unfinished line passes the limit its bytes are dropped as they arrive, and the line is reported
// as oversized when its end comes. The buffer keeps its capacity: no allocation in steady state.
// Thread safety: none.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rivulet::io::internal {

class LineSplitter {
 public:
  enum class Got : uint8_t {
    kNone,       ///< no complete line buffered
    kLine,       ///< `line` holds the next line, without "\n" or "\r\n"
    kOversized,  ///< a line longer than the limit was dropped; oversized_bytes() is its length
  };

  explicit LineSplitter(size_t max_line_bytes = size_t{1} << 20) : max_(max_line_bytes) {}

  /// Room for at least `n` more bytes at the back; write there, then commit() what was written.
  /// Invalidates the lines handed out.
  char* prepare(size_t n);
  void commit(size_t n) { end_ += n; }

  /// The next complete line; the view is valid until the next prepare().
  Got next(std::string_view& line);
  /// At the end of the stream: the unterminated rest as a last line (kNone when there is none).
  Got take_rest(std::string_view& line);

  /// Length of the last oversized line (without its terminator).
  uint64_t oversized_bytes() const { return oversized_bytes_; }
  /// Stream offset just after the last line taken (its terminator included).
  uint64_t boundary() const { return boundary_; }
  /// Bytes committed and not yet taken (a partial line).
  size_t buffered() const { return end_ - begin_; }
  bool has_partial() const { return end_ > begin_ || skipping_; }

  /// Forgets everything buffered; the stream offset restarts at `offset`.
  void reset(uint64_t offset = 0);
  size_t max_line_bytes() const { return max_; }

 private:
  size_t max_;
  std::string buf_;
  size_t begin_ = 0;  // first unread byte
  size_t scan_ = 0;   // bytes before this were searched for '\n' already
  size_t end_ = 0;    // end of the bytes committed
  bool skipping_ = false;
  uint64_t skipped_ = 0;
  uint64_t oversized_bytes_ = 0;
  uint64_t boundary_ = 0;
};

}  // namespace rivulet::io::internal
