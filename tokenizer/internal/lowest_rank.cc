#include "tokenizer/internal/lowest_rank.h"

#include <immintrin.h>

namespace tokcost::tokenizer_internal {

int32_t LowestRankPortable(const uint32_t* ranks, int32_t padded) {
  int32_t best = 0;
  for (int32_t i = 1; i < padded; ++i) {
    if (ranks[i] < ranks[best]) best = i;
  }
  return ranks[best] == 0xFFFFFFFFu ? -1 : best;
}

TOKCOST_AVX2 int32_t LowestRankAvx2(const uint32_t* ranks, int32_t padded) {
  const auto* v = reinterpret_cast<const __m256i*>(ranks);
  __m256i m = _mm256_loadu_si256(v);
  for (int32_t i = 1; i < padded / 8; ++i) m = _mm256_min_epu32(m, _mm256_loadu_si256(v + i));
  // The minimum into every lane.
  m = _mm256_min_epu32(m, _mm256_permute2x128_si256(m, m, 1));
  m = _mm256_min_epu32(m, _mm256_shuffle_epi32(m, 0x4E));
  m = _mm256_min_epu32(m, _mm256_shuffle_epi32(m, 0xB1));
  if (static_cast<uint32_t>(_mm256_cvtsi256_si32(m)) == 0xFFFFFFFFu) return -1;
  for (int32_t i = 0;; ++i) {
    const auto mask = static_cast<uint32_t>(_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_loadu_si256(v + i), m))));
    if (mask != 0) return i * 8 + __builtin_ctz(mask);
  }
}

}  // namespace tokcost::tokenizer_internal
