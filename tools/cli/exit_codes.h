// Stable exit codes of the tokcost CLI.
#ifndef TOKCOST_TOOLS_CLI_EXIT_CODES_H_
#define TOKCOST_TOOLS_CLI_EXIT_CODES_H_

#include "tools/base/status.h"

namespace tokcost::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOverBudget = 1;   // `check` only
inline constexpr int kExitUsage = 2;        // bad flags or bad input
inline constexpr int kExitCannotCount = 3;  // missing vocabulary, price, network
inline constexpr int kExitInternal = 4;

inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound: return kExitUsage;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kUnavailable:
    case StatusCode::kPermissionDenied: return kExitCannotCount;
    case StatusCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_EXIT_CODES_H_
