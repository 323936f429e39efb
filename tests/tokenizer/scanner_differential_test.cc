// Every hand-written scanner against ICU's regex engine running the regex
// it implements, as the vocabularies ship it (KnownScanners), on random
// strings built from the characters where the scanners' fast paths hand
// over to their general paths (capitals, marks, Lm/Lt/Lo letters, U+0460,
// apostrophes and the long s, CR/LF, punctuation prefixes, kana). Any
// difference fails with the text.
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/internal/pretokenizer.h"

namespace tokcost::tokenizer_internal {
namespace {

// ICU's pieces of `text`: the matches found left to right, and the gaps
// between them (Hugging Face's "Isolated"), as UTF-8 strings.
std::vector<std::string> IcuPieces(const icu::RegexPattern& pattern, const std::string& text) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(pattern.matcher(u, status));
  REQUIRE(U_SUCCESS(status));
  std::vector<std::string> pieces;
  auto add = [&](int32_t from, int32_t to) {
    std::string piece;
    u.tempSubStringBetween(from, to).toUTF8String(piece);
    pieces.push_back(piece);
  };
  int32_t gap = 0;
  while (m->find(status)) {
    const int32_t start = m->start(status), end = m->end(status);
    if (gap < start) add(gap, start);
    if (end > start) add(start, end);
    gap = end;
  }
  if (gap < u.length()) add(gap, u.length());
  return pieces;
}

std::vector<std::string> OurPieces(MatchFn match, const std::string& text) {
  PreTokenizer p({PreTokenizer::Stage::Scanner(match)});
  std::vector<std::string_view> pieces;
  p.Split(text, &pieces);
  return std::vector<std::string>(pieces.begin(), pieces.end());
}

const char* const kAlphabet[] = {
    "a", "z", "s", "t", "l", "e", "v", "d", "m", "A", "Z", "S", "T", "M", "I",
    "\xD0\xB0", "\xD1\x8F", "\xD1\x91", "\xD1\x9F",  // а я ё U+045F (Ll)
    "\xD0\x90", "\xD0\xAF", "\xD0\x81",              // А Я Ё (Lu)
    "\xD1\xA0", "\xD1\xA1",                          // U+0460 (Lu), U+0461 (Ll)
    "\xC3\xA9", "\xC3\x89",                          // é É
    "\xCA\xBC", "\xC7\x85", "\xE4\xB8\xAD",          // U+02BC (Lm), U+01C5 (Lt), 中 (Lo)
    "\xCC\x81",                                      // U+0301, a combining mark
    "\xC5\xBF",                                      // U+017F, the long s
    " ", " ", " ", "\t", "\n", "\r", "\xC2\xA0",     // spaces, NBSP
    "'", "/", "_", ".", ",", "-", "(", "\xC2\xAB", "\xE2\x80\x94",  // « —
    "0", "7", "\xD9\xA3",                            // Arabic-Indic three (Nd)
    "\xE3\x81\x82", "\xE3\x82\xA2",                    // あ ア (DeepSeek's CJK split)
};

std::string RandomText(std::mt19937& rng) {
  std::uniform_int_distribution<size_t> length(1, 14), pick(0, std::size(kAlphabet) - 1);
  std::string text;
  for (size_t i = length(rng); i > 0; --i) text += kAlphabet[pick(rng)];
  return text;
}

TEST_CASE("Scanners split random text as ICU's regex engine does") {
  REQUIRE(KnownScanners().size() == 7);
  for (const KnownScanner& k : KnownScanners()) {
    INFO(k.name);
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse;
    std::unique_ptr<icu::RegexPattern> pattern(
        icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(k.regex), parse, status));
    REQUIRE(U_SUCCESS(status));
    std::mt19937 rng(20261205);
    for (int i = 0; i < 20000; ++i) {
      const std::string text = RandomText(rng);
      const std::vector<std::string> ours = OurPieces(k.match, text), icu = IcuPieces(*pattern, text);
      if (ours != icu) {
        INFO("text: " << text);
        REQUIRE(ours == icu);
      }
    }
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
