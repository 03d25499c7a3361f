#pragma once
/// Byte-level state of learners, metrics and models: cereal's portable binary archives (fixed
/// little-endian layout, so a model saved on one machine loads on another). Every stateful
/// component implements `save(StateWriter&) const` and `load(StateReader&)`; the containers of
/// the standard library serialize through cereal's own support headers included here.
/// Failures while reading (truncated or corrupt bytes) surface as exceptions from cereal inside
/// `load`; the model-file layer (ml/model.h) turns them into a kDataLoss Status.

#include <cereal/archives/portable_binary.hpp>
#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <ostream>
#include <streambuf>
#include <string>
#include <type_traits>
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
  /// Writes into the memory of `storage` (the bytes of an earlier snapshot, whose pages the
  /// process holds already: each page of fresh memory costs a page fault, zeroing it), with
  /// room for `expected` bytes.
  StateBuffer(std::string storage, size_t expected) : bytes_(std::move(storage)) {
    bytes_.resize(std::max({bytes_.capacity(), expected, size_t{256}}));  // zeroes the tail only
    setp(bytes_.data(), bytes_.data() + bytes_.size());
  }
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

/// A cereal output archive that appends to a std::string the very bytes a StateWriter writes
/// (less the byte-order byte a StateWriter starts with), without a stream: each field is a
/// copy of a few bytes into the string's room, where a StateWriter makes a call through the
/// stream buffer. For state of many small fields, made this way and then written into the
/// StateWriter in one block (save_appended): a checkpoint's pause.
class StateAppender : public cereal::OutputArchive<StateAppender, cereal::AllowEmptyClassElision> {
 public:
  explicit StateAppender(std::string& out)
      : OutputArchive<StateAppender, cereal::AllowEmptyClassElision>(this),
        out_(out),
        used_(out.size()) {}
  ~StateAppender() noexcept { out_.resize(used_); }
  StateAppender(const StateAppender&) = delete;
  StateAppender& operator=(const StateAppender&) = delete;

  template <size_t N>
  void append(const void* data) {
    if (out_.size() - used_ < N) grow(N);
    std::memcpy(out_.data() + used_, data, N);
    used_ += N;
  }
  // `size` bytes of room at the end, for the caller to fill at once.
  char* room(size_t size) {
    if (out_.size() - used_ < size) grow(size);
    char* at = out_.data() + used_;
    used_ += size;
    return at;
  }
  void append(const void* data, size_t size) {
    if (size == 0) return;  // `data` may be null then (an empty vector's)
    if (out_.size() - used_ < size) grow(size);
    std::memcpy(out_.data() + used_, data, size);
    used_ += size;
  }

 private:
  void grow(size_t more) { out_.resize(std::max({out_.size() * 2, used_ + more, size_t{256}})); }
  std::string& out_;
  size_t used_;
};

// What a StateWriter writes, with the machine's byte order, which a StateWriter keeps (its
// default options on a little-endian machine).
static_assert(std::endian::native == std::endian::little);
template <class T>
inline std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_SAVE_FUNCTION_NAME(StateAppender& ar,
                                                                           const T& t) {
  ar.append<sizeof(T)>(std::addressof(t));
}
template <class Archive, class T>
inline CEREAL_ARCHIVE_RESTRICT(StateAppender, StateAppender)
    CEREAL_SERIALIZE_FUNCTION_NAME(Archive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}
template <class Archive, class T>
inline CEREAL_ARCHIVE_RESTRICT(StateAppender, StateAppender)
    CEREAL_SERIALIZE_FUNCTION_NAME(Archive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
}
template <class T>
inline void CEREAL_SAVE_FUNCTION_NAME(StateAppender& ar, const cereal::BinaryData<T>& bd) {
  ar.append(bd.data, static_cast<size_t>(bd.size));
}

// A vector of pairs of numbers (a nominal observer's counts by category): the pairs in one
// loop, into room made once.
template <class A, class B, class Alloc>
inline std::enable_if_t<std::is_arithmetic_v<A> && std::is_arithmetic_v<B>>
CEREAL_SAVE_FUNCTION_NAME(StateAppender& ar, const std::vector<std::pair<A, B>, Alloc>& v) {
  ar(cereal::make_size_tag(static_cast<cereal::size_type>(v.size())));
  char* at = ar.room(v.size() * (sizeof(A) + sizeof(B)));
  for (const auto& [a, b] : v) {
    std::memcpy(at, &a, sizeof(A));
    std::memcpy(at + sizeof(A), &b, sizeof(B));
    at += sizeof(A) + sizeof(B);
  }
}

/// Writes to `out`, in one block, the bytes `fill(StateAppender&)` appends: as the same calls
/// on `out` would, several times faster for state of many small fields (a vector of structs).
template <class F>
void save_appended(StateWriter& out, F&& fill) {
  thread_local std::string scratch;
  scratch.clear();
  {
    StateAppender appender(scratch);
    fill(appender);
  }
  out(cereal::binary_data(scratch.data(), scratch.size()));
  if (scratch.capacity() > (size_t{1} << 24)) std::string().swap(scratch);  // (no hoarding)
}

}  // namespace rivulet

CEREAL_REGISTER_ARCHIVE(rivulet::StateAppender)
namespace cereal::traits::detail {
template <>
struct get_input_from_output<rivulet::StateAppender> {
  using type = rivulet::StateReader;
};
}  // namespace cereal::traits::detail
