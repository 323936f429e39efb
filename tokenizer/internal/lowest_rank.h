// The quadratic merge loop's scan: the leftmost lowest rank among a word's
// pairs. Two implementations with one answer: a portable loop, and an AVX2
// one that compares 8 ranks at a time (the portable loop's branch per rank
// mispredicted about once per merge). LowestRank picks by CPU.
//
//   uint32_t ranks[16] = {...};  // kNoId where there is no pair
//   int32_t best = LowestRank(ranks, 16);   // -1: nothing merges
#ifndef TOKCOST_TOKENIZER_INTERNAL_LOWEST_RANK_H_
#define TOKCOST_TOKENIZER_INTERNAL_LOWEST_RANK_H_

#include <cstdint>

#include "tokenizer/internal/cpu.h"

namespace tokcost::tokenizer_internal {

// `padded` is a positive multiple of 8. Returns the smallest i with the
// lowest ranks[i], or -1 when every rank is 0xFFFFFFFF (kNoId).
int32_t LowestRankPortable(const uint32_t* ranks, int32_t padded);
// Only on CPUs with AVX2 (Avx2Available).
int32_t LowestRankAvx2(const uint32_t* ranks, int32_t padded);

inline int32_t LowestRank(const uint32_t* ranks, int32_t padded) {
  static const bool avx2 = Avx2Available();
  return avx2 ? LowestRankAvx2(ranks, padded) : LowestRankPortable(ranks, padded);
}

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_LOWEST_RANK_H_
