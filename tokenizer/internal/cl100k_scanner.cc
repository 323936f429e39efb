// Scanners for the cl100k regex family:
//   cl100k: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
//           ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
//   llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2:  as llama3 with \p{N} for \p{N}{1,3}.
// They differ only in the digit group size and in whether a whitespace run
// reaching the end of the text is taken whole before newline handling.
#include "tokenizer/internal/pretokenizer.h"
#include "tokenizer/internal/scanner_util.h"

namespace tokcost::tokenizer_internal {
namespace {

// \p{L}+ from q, with ASCII letters and the Cyrillic block's first two
// rows (lead bytes D0 and D1: U+0400-U+047F, all letters) recognized
// without decoding.
__attribute__((always_inline)) inline size_t SkipLetters(std::string_view s, size_t q) {
  const size_t n = s.size();
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  while (q < n) {
    const unsigned char b = u[q];
    if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
      q = AsciiLetterRunEnd<true>(u, q + 1, n);
    } else if (b < 0x80) {
      break;
    } else if (b == 0xD0 || b == 0xD1) {
      q = CyrillicLetterRunEnd<true>(u, q, n);
    } else {
      CharAt c = At(s, q);
      if (!(c.cls & kL)) break;
      q += c.len;
    }
  }
  return q;
}

template <bool kTrailingWhitespaceFirst, int kMaxDigits>
size_t MatchCl100kFamily(std::string_view s, size_t pos) {
  const size_t n = s.size();
  {
    // Most pieces: a word, alone or after an ASCII prefix found by table.
    // Not after an apostrophe, which may start a contraction (the first
    // alternative); other prefixes go through the checks below.
    const auto* u = reinterpret_cast<const unsigned char*>(s.data());
    const size_t start = kAsciiWordPrefix[u[pos]] && u[pos] != '\'' ? pos + 1 : pos;
    if (start < n) {
      if (const size_t end = SkipLetters(s, start); end > start) return end;
    }
  }
  CharAt c = At(s, pos);
  if (c.cp == '\'') {
    if (size_t k = MatchContraction(s, pos)) return pos + k;
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+ after a prefix outside ASCII or an apostrophe
  // that is no contraction (a letter at pos was taken above).
  if (!(c.cls & (kN | kL)) && !IsCrLf(c.cp)) {
    size_t next = pos + c.len;
    if (next < n && (At(s, next).cls & kL)) return SkipLetters(s, next);
  }
  if (c.cls & kN) return SkipClassUpTo(s, pos, kN, kMaxDigits);
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  {
    size_t p = c.cp == ' ' ? pos + 1 : pos;
    if (p < n && !(At(s, p).cls & (kWhiteSpace | kL | kN))) {
      return SkipCrLf(s, SkipNotClass(s, p, kWhiteSpace | kL | kN));
    }
  }
  // Only whitespace is left.
  WhitespaceRun r = ScanWhitespace(s, pos);
  if (kTrailingWhitespaceFirst && r.end == n) return n;  // \s++$
  if (r.last_newline_end > pos) return r.last_newline_end;  // \s*[\r\n]+
  if (r.end == n) return n;                                 // \s+(?!\S)
  if (r.last_char_start > pos) return r.last_char_start;    // \s+(?!\S)
  return r.end;                                             // \s+ or \s
}

}  // namespace

size_t MatchCl100k(std::string_view s, size_t pos) {
  return MatchCl100kFamily<true, 3>(s, pos);
}

size_t MatchLlama3(std::string_view s, size_t pos) {
  return MatchCl100kFamily<false, 3>(s, pos);
}

size_t MatchQwen2(std::string_view s, size_t pos) {
  return MatchCl100kFamily<false, 1>(s, pos);
}

}  // namespace tokcost::tokenizer_internal
