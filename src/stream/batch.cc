#include "rivulet/stream/batch.h"

#include <algorithm>
#include <utility>

namespace rivulet::stream {

Batch::Batch(std::shared_ptr<const Schema> schema)
    : schema_(std::move(schema)), n_fields_(schema_->size()) {}

void Batch::reserve(size_t rows) {
  values_.reserve(rows * n_fields_);
  event_times_.reserve(rows);
}

size_t Batch::retain(std::span<const uint8_t> keep) {
  size_t out = 0;
  const size_t n = size();
  for (size_t r = 0; r < n; ++r) {
    if (!keep[r]) continue;
    if (out != r) {
      std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(r * n_fields_), n_fields_,
                  values_.begin() + static_cast<std::ptrdiff_t>(out * n_fields_));
      event_times_[out] = event_times_[r];
    }
    ++out;
  }
  values_.resize(out * n_fields_);
  event_times_.resize(out);
  return out;
}

size_t Batch::append_row(const Batch& other, size_t r) {
  const size_t dst = add_row(other.event_time(r));
  // Indexes, not pointers: when other is this batch, add_row may have moved the values.
  for (size_t f = 0; f < n_fields_; ++f) {
    Value v = other.values_[r * n_fields_ + f];
    if (v.type() == Type::kString) v = Value::of_string(arena_.copy(v.as_string()));
    values_[dst * n_fields_ + f] = v;
  }
  return dst;
}

}  // namespace rivulet::stream
