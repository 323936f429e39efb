// Scanners for DeepSeek-V3's three Split stages (all "Isolated"):
//   1. \p{N}{1,3}
//   2. [\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+
//   3. [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
//      |[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*
//      |\s*[\r\n]+|\s+(?!\S)|\s+
// Stage 3 does not cover every character (digits, controls, format
// characters such as U+200D): those become gap pieces.
#include "tokenizer/internal/pretokenizer.h"
#include "tokenizer/internal/scanner_util.h"

namespace tokcost::tokenizer_internal {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsAsciiPunct(char32_t cp) {
  return (cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') ||
         (cp >= '[' && cp <= '`') || (cp >= '{' && cp <= '~');
}

bool IsDeepSeekCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x3040 && cp <= 0x30FF);
}

}  // namespace

size_t MatchDeepSeekDigits(std::string_view s, size_t pos) {
  return SkipClassUpTo(s, pos, kN, 3);
}

size_t MatchDeepSeekCjk(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    CharAt c = At(s, pos);
    if (!IsDeepSeekCjk(c.cp)) break;
    pos += c.len;
  }
  return pos;
}

size_t MatchDeepSeekWords(std::string_view s, size_t pos) {
  const size_t n = s.size();
  CharAt c = At(s, pos);
  if (IsAsciiPunct(c.cp) && pos + 1 < n && IsAsciiAlpha(s[pos + 1])) {
    size_t e = pos + 1;
    while (e < n && IsAsciiAlpha(s[e])) ++e;
    return e;
  }
  // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
  if (!(c.cls & (kL | kP | kS)) && !IsCrLf(c.cp)) {
    size_t next = pos + c.len;
    if (next < n && (At(s, next).cls & (kL | kM))) return SkipClass(s, next, kL | kM);
  }
  if (c.cls & (kL | kM)) return SkipClass(s, pos, kL | kM);
  //  ?[\p{P}\p{S}]+[\r\n]*
  {
    size_t p = c.cp == ' ' ? pos + 1 : pos;
    if (p < n && (At(s, p).cls & (kP | kS))) return SkipCrLf(s, SkipClass(s, p, kP | kS));
  }
  if (!(c.cls & kWhiteSpace)) return pos;  // no alternative matches here
  WhitespaceRun r = ScanWhitespace(s, pos);
  if (r.last_newline_end > pos) return r.last_newline_end;
  if (r.end == n) return n;
  if (r.last_char_start > pos) return r.last_char_start;
  return r.end;
}

}  // namespace tokcost::tokenizer_internal
