#include "tokenizer/internal/lowest_rank.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace tokcost::tokenizer_internal {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;

int32_t Oracle(const std::vector<uint32_t>& ranks) {
  int32_t best = -1;
  for (size_t i = 0; i < ranks.size(); ++i) {
    if (ranks[i] != kNone && (best < 0 || ranks[i] < ranks[best])) best = static_cast<int32_t>(i);
  }
  return best;
}

TEST_CASE("Both scans find the leftmost lowest rank") {
  const bool avx2 = Avx2Available();
  if (!avx2) WARN("no AVX2 on this CPU: only the portable scan runs");
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<uint32_t> ranks(8 * (1 + rng() % 6), kNone);
    // Few distinct values, so ties are common; ranks near kNone and 0 too.
    const uint32_t values[] = {0, 1, 2, 7, 0x7FFFFFFF, 0x80000000u, kNone - 1};
    for (uint32_t& r : ranks) {
      if (rng() % 3 == 0) r = values[rng() % 7];
    }
    INFO("trial " << trial << ", " << ranks.size() << " ranks");
    const int32_t want = Oracle(ranks);
    REQUIRE(LowestRankPortable(ranks.data(), static_cast<int32_t>(ranks.size())) == want);
    if (avx2) REQUIRE(LowestRankAvx2(ranks.data(), static_cast<int32_t>(ranks.size())) == want);
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
