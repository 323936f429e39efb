// Where approximation profiles live: a user's calibrated profile
// (<cache dir>/profiles/<name>.json, written by `tokcost calibrate`) wins
// over the shipped one (data/approx/<name>.json).
#ifndef TOKCOST_TOOLS_CLI_APPROX_PROFILES_H_
#define TOKCOST_TOOLS_CLI_APPROX_PROFILES_H_

#include <string>

#include "tokenizer/approx.h"
#include "tools/cli/context.h"

namespace tokcost::cli {

std::string UserProfilePath(const Context& ctx, const std::string& name);

struct LoadedProfile {
  ApproxProfile profile;
  std::string path;
};

// The profile for a tokenizer name or model id; an error says how to make one.
StatusOr<LoadedProfile> LoadApproxProfile(const Context& ctx, const std::string& name);

// Splits text into calibration documents of 1-5 KB at line ends.
std::vector<std::string_view> SplitDocuments(std::string_view text, uint64_t seed);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_APPROX_PROFILES_H_
