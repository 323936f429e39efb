// Dates as tokcost shows and compares them.
#ifndef TOKCOST_TOOLS_BASE_TIME_UTIL_H_
#define TOKCOST_TOOLS_BASE_TIME_UTIL_H_

#include <string>

namespace tokcost {

// Today's date in UTC, YYYY-MM-DD.
std::string TodayUtc();

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_TIME_UTIL_H_
