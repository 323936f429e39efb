// UTF-8 decoding and Unicode classes for the scanners.
//
//   size_t bad = FindInvalidUtf8(text);      // npos when valid
//   int len; char32_t cp = DecodeUtf8(text, pos, &len);
//   if (ClassOf(cp) & kL) ...
//
// Functions here assume valid UTF-8 unless they say otherwise; validation
// happens once, at the tokenizer's entry.
#ifndef TOKCOST_TOKENIZER_INTERNAL_UNICODE_H_
#define TOKCOST_TOKENIZER_INTERNAL_UNICODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tokenizer/internal/unicode_class_bits.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tokcost::tokenizer_internal {

// The two-stage class table generated from ICU (unicode_table_gen): blocks
// of 256 code points, identical blocks shared. Inline: the scanners call
// ClassOf for every non-ASCII character.
extern const uint16_t kClassStage1[];
extern const uint16_t kClassStage2[];

// Class bits of a code point (see unicode_class_bits.h).
inline uint16_t ClassOf(char32_t cp) {
  if (cp >= 0x110000) return 0;
  return kClassStage2[kClassStage1[cp >> 8] * 256 + (cp & 0xFF)];
}

// The same for ASCII, from a small table that stays in L1.
extern const uint16_t kAsciiClasses[128];
inline uint16_t AsciiClass(unsigned char b) { return kAsciiClasses[b]; }

#if defined(__SSE2__)
// Bit i is set when byte i of v lies in [lo, hi] (unsigned): the compare
// behind the 16-byte fast paths (UTF-8 check, scanners' letter runs).
inline unsigned BytesInRange(__m128i v, unsigned char lo, unsigned char hi) {
  const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(static_cast<char>(lo)));
  const __m128i k = _mm_set1_epi8(static_cast<char>(hi - lo));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, k), t)));
}
#endif

// Returns the byte offset of the first invalid UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are invalid), or npos.
size_t FindInvalidUtf8(std::string_view text);

// Replaces each byte that does not start a valid sequence with U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view text);

// Length in bytes of the UTF-8 sequence that starts with `lead`.
inline int Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Decodes the valid UTF-8 sequence at `pos`.
inline char32_t DecodeUtf8(std::string_view s, size_t pos, int* len) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  unsigned char c = p[0];
  if (c < 0x80) { *len = 1; return c; }
  if (c < 0xE0) { *len = 2; return ((c & 0x1F) << 6) | (p[1] & 0x3F); }
  if (c < 0xF0) {
    *len = 3;
    return ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  }
  *len = 4;
  return ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) |
         (p[3] & 0x3F);
}

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_UNICODE_H_
