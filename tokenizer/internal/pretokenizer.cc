#include "tokenizer/internal/pretokenizer.h"

#include <utility>

#include "tokenizer/internal/unicode.h"

namespace tokcost::tokenizer_internal {
namespace {

struct KnownRegex {
  const char* name;
  const char* regex;
  MatchFn match;
};

// Regexes exactly as the vocabularies ship them (tokenizer.json, tiktoken's
// openai_public.py); matching is by exact string.
const KnownRegex kKnownRegexes[] = {
    {"cl100k",
     R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)",
     &MatchCl100k},
    {"o200k",
     R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchO200k},
    {"llama3",
     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchLlama3},
    {"qwen2",
     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     &MatchQwen2},
    {"deepseek_digits", R"(\p{N}{1,3})", &MatchDeepSeekDigits},
    {"deepseek_cjk",
     "[\xe4\xb8\x80-\xe9\xbe\xa5\xe3\x81\x80-\xe3\x82\x9f\xe3\x82\xa0-\xe3\x83\xbf]+",
     &MatchDeepSeekCjk},
    {"deepseek_words",
     // DeepSeek's file holds real CR and LF characters here, not escapes.
     R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^)" "\r\n"
     R"(\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[)" "\r\n" R"(]*|\s*[)"
     "\r\n" R"(]+|\s+(?!\S)|\s+)",
     &MatchDeepSeekWords},
};

void SplitIsolated(MatchFn match, std::string_view text,
                   std::vector<std::string_view>* out) {
  PreTokenizer::ForEachIsolated(match, text, [out](std::string_view p) { out->push_back(p); });
}

void SplitMergedWithPrevious(const std::string& literal, std::string_view text,
                             std::vector<std::string_view>* out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t hit = text.find(literal, start);
    if (hit == std::string_view::npos) break;
    size_t end = hit + literal.size();
    out->push_back(text.substr(start, end - start));
    start = end;
  }
  if (start < text.size()) out->push_back(text.substr(start));
}

// Where a cut before the mark at `pos` could split a token of keep_whole.
bool InsideKeptToken(const std::vector<std::string>& keep_whole, std::string_view text,
                     size_t pos) {
  for (const std::string& t : keep_whole) {
    for (size_t k = t.find(PreTokenizer::kMark, 1); k != std::string::npos;
         k = t.find(PreTokenizer::kMark, k + 1)) {
      if (k <= pos && text.compare(pos - k, t.size(), t) == 0) return true;
    }
  }
  return false;
}

void SplitBeforeMarks(const PreTokenizer::Stage& stage, std::string_view text,
                      std::vector<std::string_view>* out) {
  constexpr std::string_view kMark = PreTokenizer::kMark;
  size_t start = 0;
  for (size_t pos = text.find(kMark, 1); pos != std::string_view::npos;
       pos = text.find(kMark, pos + kMark.size())) {
    const bool after_mark =
        pos >= kMark.size() && text.compare(pos - kMark.size(), kMark.size(), kMark) == 0;
    if (after_mark || pos == start || InsideKeptToken(stage.keep_whole, text, pos)) continue;
    out->push_back(text.substr(start, pos - start));
    start = pos;
  }
  if (start < text.size()) out->push_back(text.substr(start));
}

}  // namespace

bool PreTokenizer::HasInnerMark(std::string_view token) {
  for (size_t k = token.find(kMark, 1); k != std::string_view::npos; k = token.find(kMark, k + 1)) {
    if (k < kMark.size() || token.compare(k - kMark.size(), kMark.size(), kMark) != 0) return true;
  }
  return false;
}

StatusOr<MatchFn> FindScanner(const std::string& regex_or_name) {
  for (const KnownRegex& k : kKnownRegexes) {
    if (regex_or_name == k.regex || regex_or_name == k.name) return k.match;
  }
  return InvalidArgumentError(
      "no scanner for pre-tokenizer regex \"" + regex_or_name +
      "\": tokcost counts exactly only with hand-written scanners; see "
      "README.md, 'Adding a tokenizer'");
}

void PreTokenizer::Split(std::string_view text,
                         std::vector<std::string_view>* pieces) const {
  if (stages_.empty()) {
    if (!text.empty()) pieces->push_back(text);
    return;
  }
  std::vector<std::string_view> current{text};
  std::vector<std::string_view> next;
  for (size_t i = 0; i < stages_.size(); ++i) {
    std::vector<std::string_view>* out =
        i + 1 == stages_.size() ? pieces : &next;
    const Stage& stage = stages_[i];
    for (std::string_view piece : current) {
      if (stage.match != nullptr) {
        SplitIsolated(stage.match, piece, out);
      } else if (stage.split_before_mark) {
        SplitBeforeMarks(stage, piece, out);
      } else {
        SplitMergedWithPrevious(stage.literal, piece, out);
      }
    }
    if (out == &next) {
      current.swap(next);
      next.clear();
    }
  }
}

}  // namespace tokcost::tokenizer_internal
