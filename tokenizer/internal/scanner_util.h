// Pieces shared by the hand-written pre-tokenizer scanners. Each scanner is
// equivalent to one regex of REFERENCE.md §4, evaluated the way a
// backtracking engine would, without a regex engine on the hot path.
#ifndef TOKCOST_TOKENIZER_INTERNAL_SCANNER_UTIL_H_
#define TOKCOST_TOKENIZER_INTERNAL_SCANNER_UTIL_H_

#include <array>
#include <cstddef>
#include <string_view>

#include "tokenizer/internal/unicode.h"

namespace tokcost::tokenizer_internal {

struct CharAt {
  char32_t cp;
  uint16_t cls;
  int len;
};

inline CharAt At(std::string_view s, size_t pos) {
  const unsigned char b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) return {b, AsciiClass(b), 1};  // most text: no decoding, one load
  CharAt c;
  c.cp = DecodeUtf8(s, pos, &c.len);
  c.cls = ClassOf(c.cp);
  return c;
}

inline bool IsCrLf(char32_t cp) { return cp == '\r' || cp == '\n'; }

// ASCII characters in [^\r\n\p{L}\p{N}], the optional prefix of a word
// in the o200k and cl100k families: a table, for the scanners' fast paths.
inline constexpr std::array<bool, 256> kAsciiWordPrefix = [] {
  std::array<bool, 256> t{};
  for (int b = 0; b < 0x80; ++b) {
    const bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    t[b] = !letter && !(b >= '0' && b <= '9') && b != '\r' && b != '\n';
  }
  return t;
}();

// The end of the run of two-byte Cyrillic letters from q: lowercase
// U+0430-U+045F only (D0 B0-BF, D1 80-9F), or any of U+0400-U+047F (lead
// byte D0 or D1; kAnyCase). Eight letters are classified at once. Assumes
// valid UTF-8 (a lead byte's continuation is there).
template <bool kAnyCase>
inline size_t CyrillicLetterRunEnd(const unsigned char* u, size_t q, size_t n) {
#if defined(__SSE2__)
  for (; q + 16 <= n; q += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u + q));
    const unsigned d0 = BytesInRange(v, 0xD0, 0xD0), d1 = BytesInRange(v, 0xD1, 0xD1);
    // Bit i: a letter starts at byte i (its second byte is bit i + 1).
    const unsigned starts = kAnyCase ? d0 | d1
                                     : (d0 & (BytesInRange(v, 0xB0, 0xBF) >> 1)) |
                                           (d1 & (BytesInRange(v, 0x80, 0x9F) >> 1));
    const unsigned missing = ~starts & 0x5555;  // letters must start at q, q + 2, ...
    if (missing != 0) return q + static_cast<size_t>(__builtin_ctz(missing));
  }
#endif
  for (; q + 1 < n; q += 2) {
    const unsigned char b = u[q], t = u[q + 1];
    const bool lower = (b == 0xD0 && t >= 0xB0) || (b == 0xD1 && t < 0xA0);
    if (!(kAnyCase ? b == 0xD0 || b == 0xD1 : lower)) break;
  }
  return q;
}

// The end of the run of ASCII letters from q: lowercase only, or either
// case (kAnyCase). Sixteen bytes are classified at once, so where a word
// ends is found without a branch per letter (a per-byte loop mispredicted
// once per word and was the scanners' hottest code).
template <bool kAnyCase>
inline size_t AsciiLetterRunEnd(const unsigned char* u, size_t q, size_t n) {
#if defined(__SSE2__)
  for (; q + 16 <= n; q += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u + q));
    if (kAnyCase) v = _mm_or_si128(v, _mm_set1_epi8(0x20));  // A-Z to a-z, nothing else into a-z
    const unsigned letters = BytesInRange(v, 'a', 'z');
    if (letters != 0xFFFF) return q + static_cast<size_t>(__builtin_ctz(~letters));
  }
#endif
  for (; q < n; ++q) {
    const unsigned char b = kAnyCase ? (u[q] | 0x20) : u[q];
    if (b < 'a' || b > 'z') break;
  }
  return q;
}

// End of the run of characters whose class shares a bit with `mask`.
inline size_t SkipClass(std::string_view s, size_t pos, uint16_t mask) {
  while (pos < s.size()) {
    CharAt c = At(s, pos);
    if (!(c.cls & mask)) break;
    pos += c.len;
  }
  return pos;
}

// End of the run of characters whose class shares no bit with `mask`.
inline size_t SkipNotClass(std::string_view s, size_t pos, uint16_t mask) {
  while (pos < s.size()) {
    CharAt c = At(s, pos);
    if (c.cls & mask) break;
    pos += c.len;
  }
  return pos;
}

// End of at most `max_count` consecutive characters of class `mask`.
inline size_t SkipClassUpTo(std::string_view s, size_t pos, uint16_t mask,
                            int max_count) {
  for (int i = 0; i < max_count && pos < s.size(); ++i) {
    CharAt c = At(s, pos);
    if (!(c.cls & mask)) break;
    pos += c.len;
  }
  return pos;
}

inline size_t SkipCrLf(std::string_view s, size_t pos) {
  while (pos < s.size() && (s[pos] == '\r' || s[pos] == '\n')) ++pos;
  return pos;
}

// A maximal run of \s starting at some position.
struct WhitespaceRun {
  size_t end;                // one past the run
  size_t last_char_start;    // where the run's last character starts
  size_t last_newline_end;   // one past the last \r or \n, or the start
};

inline WhitespaceRun ScanWhitespace(std::string_view s, size_t pos) {
  WhitespaceRun r{pos, pos, pos};
  while (r.end < s.size()) {
    CharAt c = At(s, r.end);
    if (!(c.cls & kWhiteSpace)) break;
    r.last_char_start = r.end;
    r.end += c.len;
    if (IsCrLf(c.cp)) r.last_newline_end = r.end;
  }
  return r;
}

// Length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at `pos`, or 0. Case folding maps
// U+017F (long s) to 's' as both regex engines do.
size_t MatchContraction(std::string_view s, size_t pos);

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_SCANNER_UTIL_H_
