// Status and StatusOr<T>: the one error style of tokcost.
//
//   StatusOr<Tokenizer> t = LoadTokenizer("o200k_base", dirs);
//   if (!t.ok()) { std::cerr << t.status().ToString() << "\n"; return 2; }
//   size_t n = t->Count(text);
//
// Every fallible boundary returns one of these; the hot path returns plain
// values. Messages name the file, line or byte offset and the reason, and
// never contain secrets. Value types; not thread-safe to mutate concurrently.
#ifndef TOKCOST_TOOLS_BASE_STATUS_H_
#define TOKCOST_TOOLS_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace tokcost {

// The codes map onto the CLI's exit codes (tools/cli/exit_codes.h).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad flags or bad input data (exit 2)
  kNotFound,           // missing file, unknown tokenizer or model (exit 2)
  kFailedPrecondition, // e.g. vocabulary not fetched, no price (exit 3)
  kUnavailable,        // network or endpoint fault after retries (exit 3)
  kPermissionDenied,   // 401/403 from an endpoint (exit 3)
  kInternal,
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy with "context: " put before the message, so callers can
  // name the file or input the error happened in.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) {
  return Status(StatusCode::kNotFound, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status InternalError(std::string m) {
  return Status(StatusCode::kInternal, std::move(m));
}

template <typename T>
class StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) {  // NOLINT: implicit
    assert(!status.ok());
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  // *std::move(result) moves the value out (without it, a copy).
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tokcost

// Propagates a non-OK Status from an expression returning Status.
#define TOKCOST_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::tokcost::Status _st = (expr);            \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define TOKCOST_CONCAT_INNER_(a, b) a##b
#define TOKCOST_CONCAT_(a, b) TOKCOST_CONCAT_INNER_(a, b)

// Declares `lhs` from a StatusOr expression, or returns its error.
#define TOKCOST_ASSIGN_OR_RETURN(lhs, expr) \
  TOKCOST_ASSIGN_OR_RETURN_IMPL_(TOKCOST_CONCAT_(_so_, __LINE__), lhs, expr)
#define TOKCOST_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#endif  // TOKCOST_TOOLS_BASE_STATUS_H_
