#include "tokenizer/internal/pretokenizer.h"

#include <cstring>
#include <utility>

#include "tokenizer/internal/unicode.h"

namespace tokcost::tokenizer_internal {
namespace {

// Regexes exactly as the vocabularies ship them (tokenizer.json, tiktoken's
// openai_public.py); matching is by exact string.
const KnownScanner kKnownScanners[] = {
    {"cl100k",
     R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)",
     &MatchCl100k, KnownScanner::kEndsPieces, /*end_spaces_join_newline=*/true},
    {"o200k",
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchO200k, KnownScanner::kEndsPieces},
    {"llama3",
     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchLlama3, KnownScanner::kEndsPieces},
    {"qwen2",
     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchQwen2, KnownScanner::kEndsPieces},
    {"deepseek_digits", R"(\p{N}{1,3})", &MatchDeepSeekDigits, KnownScanner::kNoNewlines},
    {"deepseek_cjk",
     "[\xe4\xb8\x80-\xe9\xbe\xa5\xe3\x81\x80-\xe3\x82\x9f\xe3\x82\xa0-\xe3\x83\xbf]+",
     &MatchDeepSeekCjk, KnownScanner::kNoNewlines},
    {"deepseek_words",
     // DeepSeek's file holds real CR and LF characters here, not escapes.
     R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^)" "\r\n"
     R"(\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[)" "\r\n" R"(]*|\s*[)"
     "\r\n" R"(]+|\s+(?!\S)|\s+)",
     &MatchDeepSeekWords, KnownScanner::kEndsPieces},
};

}  // namespace

bool PreTokenizer::InsideKeptToken(const Stage& stage, std::string_view text, size_t pos) {
  if (!stage.before_inner_mark.test(static_cast<unsigned char>(text[pos - 1]))) return false;
  for (const std::string& t : stage.keep_whole) {
    for (size_t k = t.find(kMark, 1); k != std::string::npos; k = t.find(kMark, k + 1)) {
      if (k <= pos && text.compare(pos - k, t.size(), t) == 0) return true;
    }
  }
  return false;
}

bool PreTokenizer::HasInnerMark(std::string_view token) {
  for (size_t k = token.find(kMark, 1); k != std::string_view::npos; k = token.find(kMark, k + 1)) {
    if (k < kMark.size() || token.compare(k - kMark.size(), kMark.size(), kMark) != 0) return true;
  }
  return false;
}

bool PreTokenizer::ComputeCutsAtLineStarts(const std::vector<Stage>& stages) {
  if (stages.empty()) return false;
  for (size_t i = 0; i < stages.size(); ++i) {
    const KnownScanner* known = nullptr;
    for (const KnownScanner& k : kKnownScanners) {
      if (stages[i].match != nullptr && stages[i].match == k.match) known = &k;
    }
    const KnownScanner::LineCut wanted =
        i + 1 == stages.size() ? KnownScanner::kEndsPieces : KnownScanner::kNoNewlines;
    if (known == nullptr || known->line_cut != wanted) return false;
  }
  return true;
}

bool PreTokenizer::ComputeCutsBeforeIndentedDigits(const std::vector<Stage>& stages) {
  if (stages.size() == 1) return true;
  for (const KnownScanner& k : kKnownScanners) {
    if (stages.back().match == k.match) return !k.end_spaces_join_newline;
  }
  return false;
}

namespace {

// What follows the newline before `pos`: spaces or tabs, then a character
// NextLineStart cuts before. Inlined: as a call, it and NextLineStart
// took 89.2M instructions against 70.7M (cachegrind, o200k,
// bench/count_speed --reps 1).
__attribute__((always_inline)) inline bool StartsLine(const char* p, size_t pos, size_t n) {
  size_t i = pos;
  while (i < n && (p[i] == ' ' || p[i] == '\t')) ++i;
  if (i == n) return false;
  const unsigned char c = static_cast<unsigned char>(p[i]);
  if (c > ' ' && c < 0x7F && c != '/' && (c < '0' || c > '9' || i == pos)) return true;
  if (c == '/' && i == pos && pos >= 2) {
    // Straight after a newline that ends a line of letters or digits (a
    // list of paths): no punctuation run is there to take "\n/".
    const unsigned char before = static_cast<unsigned char>(p[pos - 2]);
    if ((before | 0x20) >= 'a' && (before | 0x20) <= 'z') return true;
    if (before >= '0' && before <= '9') return true;
  }
  // U+0400-043F, U+0440-045F (valid UTF-8: a continuation byte follows).
  return i + 1 < n && (c == 0xD0 || (c == 0xD1 && static_cast<unsigned char>(p[i + 1]) < 0xA0));
}

}  // namespace

size_t PreTokenizer::NextLineStart(std::string_view text, size_t pos) {
  const char* const p = text.data();
  const size_t n = text.size();
  while (pos < n) {
    const void* newline = std::memchr(p + pos, '\n', n - pos);
    if (newline == nullptr) break;
    pos = static_cast<size_t>(static_cast<const char*>(newline) - p) + 1;
    if (StartsLine(p, pos, n)) return pos;
  }
  return n;
}

bool PreTokenizer::IsLineStart(std::string_view text, size_t pos) {
  return pos > 0 && pos < text.size() && text[pos - 1] == '\n' &&
         StartsLine(text.data(), pos, text.size());
}

std::span<const KnownScanner> KnownScanners() { return kKnownScanners; }

StatusOr<MatchFn> FindScanner(const std::string& regex_or_name) {
  for (const KnownScanner& k : kKnownScanners) {
    if (regex_or_name == k.regex || regex_or_name == k.name) return k.match;
  }
  return InvalidArgumentError(
      "no scanner for pre-tokenizer regex \"" + regex_or_name +
      "\": tokcost counts exactly only with hand-written scanners; see "
      "README.md, 'Adding a tokenizer'");
}

void PreTokenizer::Split(std::string_view text,
                         std::vector<std::string_view>* pieces) const {
  ForEach(text, [pieces](std::string_view piece) { pieces->push_back(piece); });
}

}  // namespace tokcost::tokenizer_internal
