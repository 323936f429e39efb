// Scanner for o200k_base / o200k_harmony:
//   [^\r\n\p{L}\p{N}]?[U]*[W]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//  |[^\r\n\p{L}\p{N}]?[U]+[W]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//  |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// with U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and W = [\p{Ll}\p{Lm}\p{Lo}\p{M}].
// U and W overlap (Lm, Lo, M), so [U]*[W]+ needs the backtracking that
// CaseWord() reproduces.
#include "tokenizer/internal/pretokenizer.h"
#include "tokenizer/internal/scanner_util.h"

namespace tokcost::tokenizer_internal {
namespace {

size_t WithContraction(std::string_view s, size_t end) {
  return end < s.size() && s[end] == '\'' ? end + MatchContraction(s, end) : end;
}

// The end of the run of W characters from q, with the common ones (ASCII
// and Russian lowercase letters) recognized without decoding.
__attribute__((always_inline)) inline size_t SkipLowerish(std::string_view s, size_t q) {
  const size_t n = s.size();
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  while (q < n) {
    const unsigned char b = u[q];
    if (b >= 'a' && b <= 'z') {
      q = AsciiLetterRunEnd<false>(u, q + 1, n);
    } else if (b < 0x80) {
      break;  // ASCII W is a-z
    } else if (const size_t e = CyrillicLetterRunEnd<false>(u, q, n); e > q) {
      q = e;  // U+0430-U+045F, all Ll
    } else {
      CharAt c = At(s, q);
      if (!(c.cls & kLowerish)) break;
      q += c.len;
    }
  }
  return q;
}

// The run of U characters from p: its end, and the end of its rightmost
// character that is also W (0: none), where backtracking may cut it.
struct UpperRun {
  size_t end;
  size_t last_w_end;
};

__attribute__((always_inline)) inline UpperRun ScanUpperRun(std::string_view s, size_t p) {
  UpperRun r{p, 0};
  while (r.end < s.size()) {
    CharAt c = At(s, r.end);
    if (!(c.cls & kUpperish)) break;
    r.end += c.len;
    if (c.cls & kLowerish) r.last_w_end = r.end;
  }
  return r;
}

// [U]*[W]+ at p: the end of the match, or 0. Without a W after the U run,
// backtracking gives the run back up to its rightmost W character, and
// [W]+ ends right after it.
size_t UpperThenLower(std::string_view s, size_t p) {
  const UpperRun r = ScanUpperRun(s, p);
  const size_t e = SkipLowerish(s, r.end);
  return e > r.end ? e : r.last_w_end;
}

// [U]+[W]* at p: the end of the match, or 0.
size_t UpperRunThenLower(std::string_view s, size_t p) {
  const UpperRun r = ScanUpperRun(s, p);
  return r.end == p ? 0 : SkipLowerish(s, r.end);
}

// [U]*[W]+ or else [U]+[W]* at p, whose first character is in U or W: the
// end of the match, or 0. One pass over the U run serves both alternatives.
__attribute__((always_inline)) inline size_t CaseWord(std::string_view s, size_t p) {
  const UpperRun r = ScanUpperRun(s, p);
  const size_t e = SkipLowerish(s, r.end);
  if (e > r.end) return e;                     // [U]*[W]+
  if (r.last_w_end != 0) return r.last_w_end;  // [U]*[W]+ after backtracking
  return r.end > p ? r.end : 0;                // [U]+ (the W* after it is empty)
}

// The alternatives in the regex's order, for any first character.
size_t MatchO200kInOrder(std::string_view s, size_t pos, CharAt c) {
  const size_t n = s.size();
  const bool prefix = !(c.cls & (kL | kN)) && !IsCrLf(c.cp);
  const size_t after = pos + c.len;
  size_t e;
  if (prefix && after < n && (e = UpperThenLower(s, after))) return WithContraction(s, e);
  if ((e = UpperThenLower(s, pos))) return WithContraction(s, e);
  if (prefix && after < n && (e = UpperRunThenLower(s, after))) return WithContraction(s, e);
  if ((e = UpperRunThenLower(s, pos))) return WithContraction(s, e);
  return 0;
}

// The end of the run of A-Z and U+0400-U+042F (D0 80-AF): capitals that
// are Lu only, so in U and not in W.
inline size_t SkipPlainCapitals(const unsigned char* u, size_t q, size_t n) {
  // Most words start lowercase: one compare (0xD0 may lead a capital).
  if (q < n && u[q] >= 'a' && u[q] != 0xD0) return q;
  for (;;) {
    if (q < n && u[q] >= 'A' && u[q] <= 'Z') {
      ++q;
    } else if (q + 1 < n && u[q] == 0xD0 && u[q + 1] <= 0xAF) {
      q += 2;  // D0 80-AF (a lead byte D0 is followed by 80-BF)
    } else {
      return q;
    }
  }
}

// Most pieces of prose and paths: an optional ASCII prefix (a space,
// '/', '_', '.'...), then a word of ASCII and Russian letters; 0 where the
// general scanner must decide (no letter here, or a non-ASCII character in
// U right after the capitals: [U]* would go on through it, and could
// backtrack if it is also W). The capitals taken here are U only, so
// without lowercase after them the match is [U]+.
inline size_t PlainWord(std::string_view s, size_t pos) {
  const size_t n = s.size();
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  const size_t start = kAsciiWordPrefix[u[pos]] ? pos + 1 : pos;
  const size_t capitals_end = SkipPlainCapitals(u, start, n);
  if (capitals_end < n && u[capitals_end] >= 0x80) {
    // Not a lowercase Cyrillic letter (D0 B0-BF, D1 80-9F): decode it.
    const unsigned char b = u[capitals_end], t = u[capitals_end + 1];
    const bool cyrillic_lower = (b == 0xD0 && t >= 0xB0) || (b == 0xD1 && t < 0xA0);
    if (!cyrillic_lower && (At(s, capitals_end).cls & kUpperish)) return 0;
  }
  const size_t end = SkipLowerish(s, capitals_end);
  if (end == start) return 0;  // no letter here
  return WithContraction(s, end);
}

size_t MatchO200kGeneral(std::string_view s, size_t pos);

}  // namespace

size_t MatchO200k(std::string_view s, size_t pos) {
  if (const size_t e = PlainWord(s, pos)) return e;
  return MatchO200kGeneral(s, pos);
}

namespace {

__attribute__((noinline)) size_t MatchO200kGeneral(std::string_view s, size_t pos) {
  const size_t n = s.size();
  CharAt c = At(s, pos);
  // The letter alternatives, tried only where they can match: a letter
  // starts one itself; another character that may be a prefix ([^\r\n\p{L}
  // \p{N}]) starts one when a letter or mark follows. A mark is both a
  // possible prefix and in U and W, so it takes the alternatives in order.
  if (c.cls & kL) return WithContraction(s, CaseWord(s, pos));
  if (c.cls & kM) {
    if (size_t e = MatchO200kInOrder(s, pos, c)) return e;
  } else if (!(c.cls & kN) && !IsCrLf(c.cp) && pos + c.len < n) {
    if (At(s, pos + c.len).cls & (kUpperish | kLowerish)) {
      if (size_t e = CaseWord(s, pos + c.len)) return WithContraction(s, e);
    }
  }
  if (c.cls & kN) return SkipClassUpTo(s, pos, kN, 3);
  //  ?[^\s\p{L}\p{N}]+[\r\n/]*
  {
    size_t p = c.cp == ' ' ? pos + 1 : pos;
    if (p < n && !(At(s, p).cls & (kWhiteSpace | kL | kN))) {
      p = SkipNotClass(s, p, kWhiteSpace | kL | kN);
      while (p < n && (s[p] == '\r' || s[p] == '\n' || s[p] == '/')) ++p;
      return p;
    }
  }
  WhitespaceRun r = ScanWhitespace(s, pos);
  if (r.last_newline_end > pos) return r.last_newline_end;  // \s*[\r\n]+
  if (r.end == n) return n;                                 // \s+(?!\S)
  if (r.last_char_start > pos) return r.last_char_start;    // \s+(?!\S)
  return r.end;                                             // \s+
}

}  // namespace

}  // namespace tokcost::tokenizer_internal
