#pragma once
/// Byte-level state of learners, metrics and models: cereal's portable binary archives (fixed
/// little-endian layout, so a model saved on one machine loads on another). Every stateful
/// component implements `save(StateWriter&) const` and `load(StateReader&)`; the containers of
/// the standard library serialize through cereal's own support headers included here.
/// Failures while reading (truncated or corrupt bytes) surface as exceptions from cereal inside
/// `load`; the model-file layer (ml/model.h) turns them into a kDataLoss Status.

#include <cereal/archives/portable_binary.hpp>
#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>
#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

namespace rivulet {

using StateWriter = cereal::PortableBinaryOutputArchive;
using StateReader = cereal::PortableBinaryInputArchive;

/// Where a StateWriter's bytes go: a std::streambuf appending to a std::string of its own.
/// Unlike std::ostringstream's, it starts with room for the bytes expected (say, the same
/// state's size at its last snapshot), so that megabytes of state are not copied again at every
/// doubling of the buffer: a checkpoint's pause.
class StateBuffer final : public std::streambuf {
 public:
  explicit StateBuffer(size_t expected = 0) { grow(expected); }
  /// The bytes written. The buffer is empty afterwards.
  std::string take() && {
    bytes_.resize(written());
    setp(nullptr, nullptr);
    return std::move(bytes_);
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const auto size = static_cast<size_t>(n);
    if (size == 0) return 0;  // `s` may be null then (an empty vector's data), memcpy's UB
    if (static_cast<size_t>(epptr() - pptr()) < size) grow(size);
    std::memcpy(pptr(), s, size);
    advance(size);
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    grow(1);
    *pptr() = traits_type::to_char_type(c);
    advance(1);
    return c;
  }

 private:
  size_t written() const { return static_cast<size_t>(pptr() - pbase()); }
  // Room for `more` bytes after those written: at least double the buffer.
  void grow(size_t more) {
    const size_t used = pbase() == nullptr ? 0 : written();
    bytes_.resize(std::max({bytes_.size() * 2, used + more, size_t{256}}));
    setp(bytes_.data(), bytes_.data() + bytes_.size());
    advance(used);
  }
  void advance(size_t n) {  // pbump takes an int
    for (; n > INT_MAX; n -= INT_MAX) pbump(INT_MAX);
    pbump(static_cast<int>(n));
  }
  std::string bytes_;
};

/// The bytes that `save(StateWriter&)` writes, in a buffer made with room for `expected`.
template <typename F>
std::string state_bytes(F&& save, size_t expected = 0) {
  StateBuffer buffer(expected);
  {
    std::ostream stream(&buffer);
    StateWriter out(stream);
    save(out);
  }
  return std::move(buffer).take();
}

}  // namespace rivulet
