#include "tools/cli/approx_profiles.h"

#include <algorithm>

#include "tools/base/file_util.h"

namespace tokcost::cli {

std::string UserProfilePath(const Context& ctx, const std::string& name) {
  return JoinPath(JoinPath(ctx.endpoint.cache_dir, "profiles"), name + ".json");
}

namespace {

std::string ShippedProfilePath(const Context& ctx, const std::string& name) {
  return JoinPath(JoinPath(ctx.data_dir, "approx"), name + ".json");
}

}  // namespace

StatusOr<LoadedProfile> LoadApproxProfile(const Context& ctx, const std::string& name) {
  const std::string shipped = ShippedProfilePath(ctx, name);
  for (const std::string& path : {UserProfilePath(ctx, name), shipped}) {
    if (!FileExists(path)) continue;
    TOKCOST_ASSIGN_OR_RETURN(ApproxProfile p, ApproxProfile::Load(path));
    return LoadedProfile{std::move(p), path, path == shipped};
  }
  return FailedPreconditionError("no approximation profile for " + name +
                                 ": run `tokcost calibrate` on text like yours");
}

ShippedFallback::ShippedFallback(const Context& ctx, const std::string& name,
                                 const LoadedProfile& loaded) {
  const std::string path = ShippedProfilePath(ctx, name);
  if (!loaded.shipped && FileExists(path)) path_ = path;
}

StatusOr<const ApproxProfile*> ShippedFallback::Get() {
  if (path_.empty()) return static_cast<const ApproxProfile*>(nullptr);
  if (!profile_) {
    TOKCOST_ASSIGN_OR_RETURN(ApproxProfile p, ApproxProfile::Load(path_));
    profile_ = std::move(p);
  }
  return &*profile_;
}

ApproxEstimate WidenedBounds(ApproxEstimate e, const ApproxEstimate& other) {
  e.low = std::min(e.low, other.low);
  e.high = std::max(e.high, other.high);
  return e;
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
