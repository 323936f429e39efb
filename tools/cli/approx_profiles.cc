#include "tools/cli/approx_profiles.h"

#include "tools/base/file_util.h"

namespace tokcost::cli {

std::string UserProfilePath(const Context& ctx, const std::string& name) {
  return JoinPath(JoinPath(ctx.endpoint.cache_dir, "profiles"), name + ".json");
}

StatusOr<LoadedProfile> LoadApproxProfile(const Context& ctx, const std::string& name) {
  for (const std::string& path :
       {UserProfilePath(ctx, name), JoinPath(JoinPath(ctx.data_dir, "approx"), name + ".json")}) {
    if (!FileExists(path)) continue;
    TOKCOST_ASSIGN_OR_RETURN(ApproxProfile p, ApproxProfile::Load(path));
    return LoadedProfile{std::move(p), path};
  }
  return FailedPreconditionError("no approximation profile for " + name +
                                 ": run `tokcost calibrate` on text like yours");
}

std::vector<std::string_view> SplitDocuments(std::string_view text, uint64_t seed) {
  std::vector<std::string_view> docs;
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  size_t start = 0;
  while (start < text.size()) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    size_t want = 1024 + x % 4096;
    size_t end = text.find('\n', std::min(text.size(), start + want));
    end = end == std::string_view::npos ? text.size() : end + 1;
    docs.push_back(text.substr(start, end - start));
    start = end;
  }
  return docs;
}

}  // namespace tokcost::cli
