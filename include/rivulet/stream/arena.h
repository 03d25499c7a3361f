#pragma once
/// A chunked byte buffer for the strings of one batch. Bytes handed out stay where they are until
/// clear() (a new chunk is added when the current one is full; nothing is moved), so string values
/// pointing into the arena remain valid while the batch fills. clear() keeps the capacity: when
/// the last fill needed several chunks they are merged into one chunk of their total size, so a
/// batch that is filled the same way again allocates nothing.
/// Thread safety: none; an arena belongs to one batch (or one evaluator).
/// ```cpp example
/// rivulet::stream::Arena arena;
/// std::string_view s = arena.copy("hello");
/// EXPECT_EQ(s, "hello");
/// arena.clear();                      // s is invalid from here
/// EXPECT_EQ(arena.bytes_used(), 0u);
/// EXPECT_GE(arena.capacity(), 5u);    // the chunk is kept for the next batch
/// ```

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace rivulet::stream {

class Arena {
 public:
  /// The size of the first chunk, allocated on first use.
  static constexpr size_t kDefaultChunkSize = 4096;

  explicit Arena(size_t first_chunk_size = kDefaultChunkSize)
      : next_chunk_size_(first_chunk_size) {}
  /// The moved-from arena is empty and usable.
  Arena(Arena&& other) noexcept { swap(other); }
  Arena& operator=(Arena&& other) noexcept {
    Arena tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// `n` bytes, valid until clear() or destruction. Allocates a chunk when the current one is too
  /// small (at least double the previous chunk, and at least n). Never returns nullptr.
  char* allocate(size_t n) {
    if (n > static_cast<size_t>(end_ - pos_)) add_chunk(n);
    char* p = pos_;
    pos_ += n;
    used_ += n;
    return p;
  }

  /// Gives back the unused tail of the most recent allocation: `p` and `allocated` are what the
  /// last allocate() returned and was asked for; the first `used` bytes are kept.
  /// REQUIRES: no allocation since, used <= allocated.
  void shrink_last(char* p, size_t allocated, size_t used) {
    if (p + allocated == pos_) {
      pos_ = p + used;
      used_ -= allocated - used;
    }
  }

  /// A copy of `s` in the arena.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  /// Forgets every allocation and keeps the memory (see the file comment).
  void clear();

  /// Bytes handed out since the last clear().
  size_t bytes_used() const { return used_; }
  /// Bytes held in all chunks.
  size_t capacity() const { return capacity_; }
  /// Number of chunks held (1 in the steady state).
  size_t n_chunks() const { return chunks_.size(); }

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  void add_chunk(size_t at_least);
  void swap(Arena& other) noexcept {
    std::swap(chunks_, other.chunks_);
    std::swap(pos_, other.pos_);
    std::swap(end_, other.end_);
    std::swap(used_, other.used_);
    std::swap(capacity_, other.capacity_);
    std::swap(next_chunk_size_, other.next_chunk_size_);
  }

  std::vector<Chunk> chunks_;
  char* pos_ = nullptr;
  char* end_ = nullptr;
  size_t used_ = 0;
  size_t capacity_ = 0;
  size_t next_chunk_size_ = kDefaultChunkSize;
};

}  // namespace rivulet::stream
