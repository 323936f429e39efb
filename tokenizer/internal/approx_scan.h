// The approximation's single pass over the bytes: per-class character and
// run counts, word lengths, capitals and digit groups (approx.h turns them
// into features). Two implementations with identical results: a scalar
// reference, and an AVX2 one that classifies 64 bytes at a time with bit
// masks (branch mispredictions at every word boundary held the scalar loop
// to a few hundred MB/s). ScanApprox picks AVX2 when the CPU has it.
//
//   ApproxCounts c = ScanApprox(text);
//
// Byte classes: 0 ASCII letter, 1 digit, 2 space/tab, 3 newline (CR, LF),
// 4 other ASCII, 5 Cyrillic (lead D0-D3), 6 other 2-byte lead, 7 3-byte
// non-CJK lead, 8 4-byte lead, 9 3-byte CJK/kana lead (E3-E9). A
// continuation byte (80-BF) takes the class of the byte before it. A run is
// a maximal stretch of one class; the text starts as if after a newline.
#ifndef TOKCOST_TOKENIZER_INTERNAL_APPROX_SCAN_H_
#define TOKCOST_TOKENIZER_INTERNAL_APPROX_SCAN_H_

#include <cstdint>
#include <string_view>

#include "tokenizer/internal/cpu.h"

namespace tokcost::tokenizer_internal {

inline constexpr int kApproxClasses = 10;
inline constexpr uint32_t kLengthBuckets = 12;  // words of 1..11 characters, and 12+

struct ApproxCounts {
  uint64_t chars[kApproxClasses] = {};  // characters (not continuation bytes)
  uint64_t runs[kApproxClasses] = {};
  uint64_t ascii_words[kLengthBuckets] = {};     // class-0 runs by characters
  uint64_t cyrillic_words[kLengthBuckets] = {};  // class-5 runs by characters
  uint64_t upper = 0;         // bytes A-Z
  uint64_t capitalized = 0;   // runs starting with A-Z
  uint64_t digit_groups = 0;  // sum over digit runs of ceil(length / 3)

  bool operator==(const ApproxCounts&) const = default;
};

ApproxCounts ScanApproxScalar(std::string_view text);
// Only on CPUs with AVX2, BMI1, BMI2 and POPCNT (see Avx2Available).
ApproxCounts ScanApproxAvx2(std::string_view text);

inline ApproxCounts ScanApprox(std::string_view text) {
  static const bool avx2 = Avx2Available();
  return avx2 ? ScanApproxAvx2(text) : ScanApproxScalar(text);
}

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_APPROX_SCAN_H_
