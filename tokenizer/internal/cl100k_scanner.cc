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

template <bool kTrailingWhitespaceFirst, int kMaxDigits>
size_t MatchCl100kFamily(std::string_view s, size_t pos) {
  const size_t n = s.size();
  CharAt c = At(s, pos);
  if (c.cp == '\'') {
    if (size_t k = MatchContraction(s, pos)) return pos + k;
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (c.cls & kL) return SkipClass(s, pos, kL);
  if (!(c.cls & kN) && !IsCrLf(c.cp)) {
    size_t next = pos + c.len;
    if (next < n && (At(s, next).cls & kL)) return SkipClass(s, next, kL);
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
