// The token cache's token lengths: kept beside counts for calibration,
// stale with their counts, removed with them.
#include "tokenizer/token_cache.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace tokcost {
namespace {

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/" + name;
  REQUIRE(std::system(("rm -rf '" + dir + "'").c_str()) == 0);
  return dir;
}

TEST_CASE("Token lengths round-trip and are asked for only when wanted") {
  StatusOr<std::unique_ptr<TokenCache>> cache = TokenCache::Open(FreshDir("cache_lengths"));
  REQUIRE(cache.ok());
  const CacheKey counted = CacheKey::For("m/latest", "tokenize", "only counted").value();
  const CacheKey spelled = CacheKey::For("m/latest", "tokenize", "with lengths").value();
  const CacheKey unspelled = CacheKey::For("m/latest", "tokenize", "texts did not spell it").value();
  // Lengths of every varint size.
  const std::vector<uint32_t> lengths = {1, 127, 128, 300, 16383, 16384, 4000000000u, 5};
  REQUIRE((*cache)->Store({{counted, {3, "v1", std::nullopt}},
                           {spelled, {8, "v1", lengths}},
                           {unspelled, {2, "v1", std::vector<uint32_t>()}}})
              .ok());

  REQUIRE((*cache)->Lookup(counted).has_value());
  CHECK_FALSE((*cache)->Lookup(counted).value().token_lengths.has_value());
  CHECK_FALSE((*cache)->Lookup(counted, /*with_lengths=*/true).has_value());

  std::optional<CachedCount> hit = (*cache)->Lookup(spelled, true);
  REQUIRE(hit.has_value());
  CHECK(hit->tokens == 8);
  CHECK(hit->token_lengths == lengths);

  hit = (*cache)->Lookup(unspelled, true);
  REQUIRE(hit.has_value());  // known not to spell: not asked again
  CHECK(hit->token_lengths == std::vector<uint32_t>());
}

TEST_CASE("Token lengths go stale and are pruned with their counts") {
  const std::string dir = FreshDir("cache_lengths_stale");
  StatusOr<std::unique_ptr<TokenCache>> cache = TokenCache::Open(dir);
  REQUIRE(cache.ok());
  const CacheKey key = CacheKey::For("m/latest", "tokenize", "text").value();
  REQUIRE((*cache)->Store({{key, {2, "v1", std::vector<uint32_t>{3, 1}}}}).ok());
  REQUIRE((*cache)->NoteVersion("m/latest", "v2").ok());
  CHECK_FALSE((*cache)->Lookup(key, true).has_value());
  // A count under the new version does not revive the old lengths.
  REQUIRE((*cache)->Store({{key, {2, "v2", std::nullopt}}}).ok());
  CHECK((*cache)->Lookup(key).has_value());
  CHECK_FALSE((*cache)->Lookup(key, true).has_value());
  StatusOr<int64_t> pruned = (*cache)->Prune(0);
  REQUIRE(pruned.ok());
  // The v1 lengths had no count left to belong to and are gone: a v1
  // count stored again (the model rolled back) finds none.
  REQUIRE((*cache)->Store({{key, {2, "v1", std::nullopt}}}).ok());
  CHECK((*cache)->Lookup(key).has_value());
  CHECK_FALSE((*cache)->Lookup(key, true).has_value());
}

}  // namespace
}  // namespace tokcost
