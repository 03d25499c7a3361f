#include "rivulet/stream/arena.h"

#include <algorithm>

namespace rivulet::stream {

void Arena::add_chunk(size_t at_least) {
  constexpr size_t kMinChunk = 64;
  const size_t size = std::max({next_chunk_size_, at_least, kMinChunk});
  chunks_.push_back({std::make_unique<char[]>(size), size});
  pos_ = chunks_.back().data.get();
  end_ = pos_ + size;
  capacity_ += size;
  next_chunk_size_ = size * 2;
}

void Arena::clear() {
  if (chunks_.size() > 1) {
    // Merge into one chunk of the total size: the next fill like this one needs no new chunk.
    const size_t total = capacity_;
    chunks_.clear();
    chunks_.push_back({std::make_unique<char[]>(total), total});
    next_chunk_size_ = total * 2;
  }
  used_ = 0;
  if (chunks_.empty()) {
    pos_ = end_ = nullptr;
  } else {
    pos_ = chunks_.front().data.get();
    end_ = pos_ + chunks_.front().size;
  }
}

}  // namespace rivulet::stream
