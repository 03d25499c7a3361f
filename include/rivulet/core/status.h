#pragma once
/// Error handling for all of rivulet: `Status` (a code and a message) and `Result<T>` (a value or
/// a Status). No exception crosses the public API; a malformed event or a failed write is an
/// expected outcome that the caller handles.
/// Thread safety: values; safe to copy between threads.
/// ```cpp example
/// auto parse_port = [](int p) -> rivulet::Result<int> {
///   if (p <= 0) return rivulet::Status::invalid_argument("port must be > 0");
///   return p;
/// };
/// EXPECT_EQ(*parse_port(8080), 8080);
/// EXPECT_EQ(parse_port(0).status().code(), rivulet::StatusCode::kInvalidArgument);
/// ```

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rivulet {

/// A subset of the canonical error space, so that the HTTP layer maps codes with one table.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kOutOfRange,
  kFailedPrecondition,
  kDataLoss,
  kUnavailable,
  kUnimplemented,
  kInternal,
  kIoError,  ///< the file system or the OS refused (errno's text in the message)
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }
  static Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status out_of_range(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status failed_precondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "INVALID_ARGUMENT: message", or "OK".
  std::string to_string() const;

  /// Returns a copy whose message is `prefix + ": " + message()`; OK stays OK.
  Status with_context(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// A value of type T, or the Status that explains why there is none. Mirrors C++23
/// std::expected so that a later switch is mechanical.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  /// REQUIRES: ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace rivulet

#define RIVULET_CONCAT_INNER_(a, b) a##b
#define RIVULET_CONCAT_(a, b) RIVULET_CONCAT_INNER_(a, b)

/// Returns the Status from the enclosing function when `expr` is not OK.
#define RIVULET_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::rivulet::Status rivulet_status_ = (expr);        \
    if (!rivulet_status_.ok()) return rivulet_status_; \
  } while (0)

/// `RIVULET_ASSIGN_OR_RETURN(auto x, make())` declares x from a Result or returns its Status.
#define RIVULET_ASSIGN_OR_RETURN(lhs, expr) \
  RIVULET_ASSIGN_OR_RETURN_IMPL_(RIVULET_CONCAT_(rivulet_result_, __LINE__), lhs, expr)
#define RIVULET_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

/// Checks an internal invariant in debug builds; never used on user input.
#ifdef NDEBUG
#define RIVULET_DCHECK(cond) static_cast<void>(0)
#else
#define RIVULET_DCHECK(cond) assert(cond)
#endif
