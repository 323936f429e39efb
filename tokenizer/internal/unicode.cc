#include "tokenizer/internal/unicode.h"

#include <bit>

namespace tokcost::tokenizer_internal {

// Definitions of the tables unicode.h declares (external linkage from
// those declarations).
#include "tokenizer/internal/unicode_table.inc"

namespace {

// Length of the valid sequence at `i`, or 0 when it is invalid.
size_t ValidSequenceLength(const unsigned char* p, size_t i, size_t n) {
  unsigned char c = p[i];
  if (c < 0x80) return 1;
  auto cont = [&](size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[i + 1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[i + 1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[i + 1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[i + 1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

const uint16_t kAsciiClasses[128] = {
#define TOKCOST_ROW(i) kClassStage2[i], kClassStage2[i + 1], kClassStage2[i + 2], \
    kClassStage2[i + 3], kClassStage2[i + 4], kClassStage2[i + 5], kClassStage2[i + 6], \
    kClassStage2[i + 7]
    TOKCOST_ROW(0),  TOKCOST_ROW(8),  TOKCOST_ROW(16), TOKCOST_ROW(24),
    TOKCOST_ROW(32), TOKCOST_ROW(40), TOKCOST_ROW(48), TOKCOST_ROW(56),
    TOKCOST_ROW(64), TOKCOST_ROW(72), TOKCOST_ROW(80), TOKCOST_ROW(88),
    TOKCOST_ROW(96), TOKCOST_ROW(104), TOKCOST_ROW(112), TOKCOST_ROW(120),
#undef TOKCOST_ROW
};

size_t FindInvalidUtf8(std::string_view text) {
  static_assert(std::endian::native == std::endian::little, "the ASCII skip reads words");
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // Sixteen bytes at a time while they hold only ASCII and whole two-byte
    // characters (English, Russian): each lead byte C2-DF is followed by
    // one continuation byte 80-BF and every continuation byte by a lead.
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const unsigned high = static_cast<unsigned>(_mm_movemask_epi8(v));
      if (high == 0) {
        i += 16;
        continue;
      }
      const unsigned leads = BytesInRange(v, 0xC2, 0xDF), tails = BytesInRange(v, 0x80, 0xBF);
      // A lead in the last byte has its continuation in the next window:
      // the fifteen bytes before it pass, and it is looked at again. Such
      // windows went the byte-at-a-time way before, about every other one
      // in Russian text: BM_Utf8_Validate on the corpus 2.6-2.8 -> 5.6-6.6
      // GB/s (three interleaved runs).
      if ((high & ~(leads | tails)) == 0 && tails == ((leads << 1) & 0xFFFF)) {
        i += (leads & 0x8000) ? 15 : 16;
        continue;
      }
    }
#endif
    // Eight bytes at a time, straight to the first non-ASCII one.
    if (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, p + i, 8);
      const uint64_t high = w & 0x8080808080808080ULL;
      if (high == 0) {
        i += 8;
        continue;
      }
      i += static_cast<size_t>(__builtin_ctzll(high)) >> 3;  // little-endian load
    } else if (p[i] < 0x80) {
      ++i;
      continue;
    }
    // Two-byte characters inline: Cyrillic text is mostly those, and a call
    // per character cost as much as the rest of the check.
    const unsigned char c = p[i];
    if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      i += 2;
      continue;
    }
    const size_t len = ValidSequenceLength(p, i, n);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string ReplaceInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  std::string out;
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    size_t len = ValidSequenceLength(p, i, n);
    if (len > 0) {
      out.append(text.substr(i, len));
      i += len;
      continue;
    }
    out.append("\xEF\xBF\xBD");
    ++i;
  }
  return out;
}

}  // namespace tokcost::tokenizer_internal
