// Every hand-written scanner against ICU's regex engine running the regex
// it implements, as the vocabularies ship it (KnownScanners), on random
// strings built from the characters where the scanners' fast paths hand
// over to their general paths (capitals, marks, Lm/Lt/Lo letters, U+0460,
// apostrophes and the long s, CR/LF, punctuation prefixes, kana). Any
// difference fails with the text. Also checks, with ICU alone, the cut that
// the line cache relies on (PreTokenizer::NextLineStart).
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
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

// Every known scanner's regex compiled by ICU, in KnownScanners' order.
std::vector<std::unique_ptr<icu::RegexPattern>> CompileKnownScanners() {
  std::vector<std::unique_ptr<icu::RegexPattern>> patterns;
  for (const KnownScanner& k : KnownScanners()) {
    INFO(k.name);
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse;
    patterns.emplace_back(
        icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(k.regex), parse, status));
    REQUIRE(U_SUCCESS(status));
  }
  return patterns;
}

TEST_CASE("Scanners split random text as ICU's regex engine does") {
  REQUIRE(KnownScanners().size() == 7);
  const std::vector<std::unique_ptr<icu::RegexPattern>> patterns = CompileKnownScanners();
  for (size_t i_scanner = 0; i_scanner < patterns.size(); ++i_scanner) {
    const KnownScanner& k = KnownScanners()[i_scanner];
    INFO(k.name);
    const icu::RegexPattern* pattern = patterns[i_scanner].get();
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

// Lines: what may follow a newline (spaces, tabs, '/', closing brackets,
// digits, Cyrillic, more newlines) is what decides whether a cut is safe.
const char* const kLineAlphabet[] = {
    "\n", "\n", "\n", "\r\n", " ", " ", "\t", "/", "//", "}", ";", ".", "'s", "*", "#",
    "a", "Z", "word", " the", "\xD0\xB0", "\xD0\x81", "\xD1\x8F", "\xD1\xA1", "\xC3\xA9",
    "7", "123", "\xCC\x81", "\xC2\xA0", "\xE3\x81\x82", "\xE4\xB8\xAD"};

// The pieces of running each regex in turn on every piece of the one
// before (Hugging Face's Sequence of Isolated splits).
std::vector<std::string> IcuChainPieces(const std::vector<const icu::RegexPattern*>& chain,
                                        const std::string& text) {
  std::vector<std::string> pieces = {text};
  for (const icu::RegexPattern* pattern : chain) {
    std::vector<std::string> next;
    for (const std::string& p : pieces) {
      std::vector<std::string> split = IcuPieces(*pattern, p);
      next.insert(next.end(), split.begin(), split.end());
    }
    pieces = std::move(next);
  }
  return pieces;
}

TEST_CASE("Text cut where NextLineStart says splits as the whole does (ICU)") {
  // What CutsAtLineStarts allows: a kEndsPieces scanner, alone or after
  // kNoNewlines ones (one of them, or DeepSeek's two as it ships them).
  const std::vector<std::unique_ptr<icu::RegexPattern>> owned = CompileKnownScanners();
  std::vector<std::pair<std::string, std::vector<const icu::RegexPattern*>>> chains;
  std::vector<const icu::RegexPattern*> before;
  std::vector<std::pair<std::string, const icu::RegexPattern*>> last;
  for (size_t i = 0; i < owned.size(); ++i) {
    const KnownScanner& k = KnownScanners()[i];
    if (k.line_cut == KnownScanner::kNoNewlines) {
      before.push_back(owned[i].get());
    } else {
      last.emplace_back(k.name, owned[i].get());
    }
  }
  REQUIRE(before.size() == 2);
  for (const auto& [name, pattern] : last) {
    chains.push_back({name, {pattern}});
    for (const icu::RegexPattern* b : before) chains.push_back({"one before " + name, {b, pattern}});
    chains.push_back({"both before " + name, {before[0], before[1], pattern}});
  }
  for (const auto& [name, chain] : chains) {
    INFO(name);
    std::mt19937 rng(20261206);
    std::uniform_int_distribution<size_t> length(1, 24), pick(0, std::size(kLineAlphabet) - 1);
    size_t cuts = 0;
    for (int i = 0; i < 5000; ++i) {
      std::string text;
      for (size_t n = length(rng); n > 0; --n) text += kLineAlphabet[pick(rng)];
      std::vector<std::string> parts;
      for (size_t start = 0; start < text.size();) {
        const size_t end = PreTokenizer::NextLineStart(text, start);
        REQUIRE(end > start);
        std::vector<std::string> pieces = IcuChainPieces(chain, text.substr(start, end - start));
        parts.insert(parts.end(), pieces.begin(), pieces.end());
        cuts += end < text.size() ? 1 : 0;
        start = end;
      }
      const std::vector<std::string> whole = IcuChainPieces(chain, text);
      if (parts != whole) {
        INFO("text: " << text);
        REQUIRE(parts == whole);
      }
    }
    CHECK(cuts > 2500);  // the texts did get cut
  }
}

// Pieces of `text` cut at every place `cut` allows, each part split by
// `chain` on its own (ICU), against the whole text's.
template <typename Cut>
bool PartsSplitAsWhole(const std::vector<const icu::RegexPattern*>& chain, const std::string& text,
                       Cut cut, size_t* cuts) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos = 1; pos <= text.size(); ++pos) {
    if (pos < text.size() && !cut(text, pos)) continue;
    std::vector<std::string> pieces = IcuChainPieces(chain, text.substr(start, pos - start));
    parts.insert(parts.end(), pieces.begin(), pieces.end());
    *cuts += pos < text.size() ? 1 : 0;
    start = pos;
  }
  return parts == IcuChainPieces(chain, text);
}

TEST_CASE("Cuts before an indented digit split as the whole does where allowed (ICU)") {
  // Lines of indented numbers, and the alphabet above.
  std::vector<std::string> alphabet(std::begin(kLineAlphabet), std::end(kLineAlphabet));
  for (const char* extra : {"\n", "\n", "\n  ", "\n\t", "   ", "42", "0", " 7"}) alphabet.push_back(extra);
  const std::vector<std::unique_ptr<icu::RegexPattern>> owned = CompileKnownScanners();
  auto cut = [](const std::string& text, size_t pos) {
    return PreTokenizer::IsLineStart(text, pos) || PreTokenizer::IsIndentedDigit(text, pos);
  };
  std::uniform_int_distribution<size_t> length(1, 24), pick(0, alphabet.size() - 1);
  // The chains CutsAtLineStarts allows: a kEndsPieces scanner alone, or
  // after one or both kNoNewlines ones.
  std::vector<size_t> before, last;
  for (size_t k = 0; k < owned.size(); ++k) {
    (KnownScanners()[k].line_cut == KnownScanner::kNoNewlines ? before : last).push_back(k);
  }
  REQUIRE(before.size() == 2);
  std::vector<std::vector<size_t>> chains;
  for (size_t l : last) {
    chains.push_back({l});
    for (size_t b : before) chains.push_back({b, l});
    chains.push_back({before[0], before[1], l});
  }
  int allowed_chains = 0, refused_chains = 0;
  for (const std::vector<size_t>& chain : chains) {
    std::vector<const icu::RegexPattern*> patterns;
    std::vector<PreTokenizer::Stage> stages;
    std::string name;
    bool digits_first = false;
    for (size_t k : chain) {
      patterns.push_back(owned[k].get());
      stages.push_back(PreTokenizer::Stage::Scanner(KnownScanners()[k].match));
      name += std::string(name.empty() ? "" : " + ") + KnownScanners()[k].name;
      digits_first = digits_first || std::string(KnownScanners()[k].name) == "deepseek_digits";
    }
    INFO(name);
    const PreTokenizer pre(std::move(stages));
    REQUIRE(pre.CutsAtLineStarts());
    std::mt19937 rng(20261206);
    size_t cuts = 0, indented = 0;
    bool differs = false;
    for (int i = 0; i < 5000 && !differs; ++i) {
      std::string text;
      for (size_t n = length(rng); n > 0; --n) text += alphabet[pick(rng)];
      for (size_t pos = 1; pos < text.size(); ++pos) indented += PreTokenizer::IsIndentedDigit(text, pos);
      if (!PartsSplitAsWhole(patterns, text, cut, &cuts)) {
        differs = true;
        if (pre.CutsBeforeIndentedDigits()) {
          INFO("text: " << text);
          FAIL("a part split otherwise than the whole");
        }
      }
    }
    if (pre.CutsBeforeIndentedDigits()) {
      ++allowed_chains;
      CHECK(indented > 500);  // the rule was put to the test
    } else {
      // Refused for cl100k after any stage (its \s++$), which is wrong
      // after the one that isolates digits.
      ++refused_chains;
      CHECK(KnownScanners()[chain.back()].end_spaces_join_newline);
      if (digits_first) CHECK(differs);
    }
  }
  CHECK(allowed_chains == 17);  // of 5 x 4 chains, all but cl100k's after a stage
  CHECK(refused_chains == 3);
}

TEST_CASE("CutsAtLineStarts allows only what the test above checks") {
  auto stages = [](std::vector<MatchFn> fns) {
    std::vector<PreTokenizer::Stage> s;
    for (MatchFn f : fns) s.push_back(PreTokenizer::Stage::Scanner(f));
    return PreTokenizer(std::move(s));
  };
  CHECK(stages({&MatchO200k}).CutsAtLineStarts());
  CHECK(stages({&MatchDeepSeekDigits, &MatchDeepSeekCjk, &MatchDeepSeekWords}).CutsAtLineStarts());
  CHECK_FALSE(stages({&MatchDeepSeekDigits}).CutsAtLineStarts());  // gaps would be cut
  CHECK_FALSE(stages({&MatchO200k, &MatchCl100k}).CutsAtLineStarts());
  CHECK_FALSE(PreTokenizer().CutsAtLineStarts());
  CHECK_FALSE(PreTokenizer({PreTokenizer::Stage::Literal(" ")}).CutsAtLineStarts());
  CHECK(stages({&MatchO200k}).CutsBeforeIndentedDigits());
  CHECK(stages({&MatchCl100k}).CutsBeforeIndentedDigits());
  CHECK(stages({&MatchDeepSeekDigits, &MatchDeepSeekCjk, &MatchDeepSeekWords}).CutsBeforeIndentedDigits());
  CHECK_FALSE(stages({&MatchDeepSeekDigits, &MatchCl100k}).CutsBeforeIndentedDigits());
  CHECK_FALSE(PreTokenizer().CutsBeforeIndentedDigits());
  CHECK(PreTokenizer::IsIndentedDigit("ab\n  7", 3));
  CHECK(PreTokenizer::IsIndentedDigit("ab\n\t7", 3));
  CHECK_FALSE(PreTokenizer::IsIndentedDigit("ab\n7", 3));    // IsLineStart's
  CHECK_FALSE(PreTokenizer::IsIndentedDigit("ab\n  x", 3));
  CHECK_FALSE(PreTokenizer::IsIndentedDigit("ab\n  ", 3));
  CHECK_FALSE(PreTokenizer::IsIndentedDigit("ab  7", 3));     // not past a newline
}

TEST_CASE("NextLineStart cuts after a newline before a line's first character") {
  CHECK(PreTokenizer::NextLineStart("ab\ncd", 0) == 3);
  CHECK(PreTokenizer::NextLineStart("ab\n \t cd", 0) == 3);
  CHECK(PreTokenizer::NextLineStart("ab\n\xD0\xB0", 0) == 3);      // Cyrillic а
  CHECK(PreTokenizer::NextLineStart("a.\n/x\ncd", 0) == 6);         // not '/' after '.'
  CHECK(PreTokenizer::NextLineStart("ab\n/x", 0) == 3);              // '/' after a letter
  CHECK(PreTokenizer::NextLineStart("a1\n/x", 0) == 3);              // or a digit
  CHECK(PreTokenizer::NextLineStart("ab\r\n/x\ncd", 0) == 7);        // not after CR
  CHECK(PreTokenizer::NextLineStart("ab\n7x", 0) == 3);              // a digit straight after
  CHECK(PreTokenizer::NextLineStart("ab\n 7\ncd", 0) == 6);         // not after spaces
  CHECK(PreTokenizer::IsLineStart("ab\n{x", 3));
  CHECK(PreTokenizer::IsLineStart("ab\n/x", 3));
  CHECK_FALSE(PreTokenizer::IsLineStart("a.\n/x", 3));
  CHECK_FALSE(PreTokenizer::IsLineStart("ab\n /x", 3));
  CHECK_FALSE(PreTokenizer::IsLineStart("ab\ncd", 2));               // not past a newline
  CHECK_FALSE(PreTokenizer::IsLineStart("ab\n", 3));                 // nothing follows
  CHECK(PreTokenizer::NextLineStart("ab\n\ncd", 0) == 4);           // after the last newline
  CHECK(PreTokenizer::NextLineStart("ab\n  ", 0) == 5);              // nothing follows: the end
  CHECK(PreTokenizer::NextLineStart("ab\n\xD1\xA1", 0) == 5);      // U+0461: not looked for
  CHECK(PreTokenizer::NextLineStart("ab\ncd\nef", 3) == 6);
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
