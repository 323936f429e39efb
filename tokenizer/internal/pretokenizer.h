// Pre-tokenization: splitting normalized text into pieces for BPE.
//
//   StatusOr<PreTokenizer> p = PreTokenizer::FromRegexes({kO200kRegex});
//   std::vector<std::string_view> pieces;
//   p->Split(text, &pieces);
//
// Each known regex (REFERENCE.md §4) has a hand-written scanner; an unknown
// regex is an error naming it, never a silent approximation. Stages apply in
// order, each to every piece of the stage before, with the Hugging Face
// "Isolated" behaviour: matches and the gaps between them both become
// pieces. Immutable after construction; Split is thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_PRETOKENIZER_H_
#define TOKCOST_TOKENIZER_INTERNAL_PRETOKENIZER_H_

#include <bitset>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/base/status.h"

namespace tokcost::tokenizer_internal {

// Returns the end of the match that starts at `pos`, or `pos` when none does.
using MatchFn = size_t (*)(std::string_view text, size_t pos);

// The scanners (one file per regex family).
size_t MatchCl100k(std::string_view text, size_t pos);
size_t MatchLlama3(std::string_view text, size_t pos);
size_t MatchQwen2(std::string_view text, size_t pos);
size_t MatchO200k(std::string_view text, size_t pos);
size_t MatchDeepSeekDigits(std::string_view text, size_t pos);
size_t MatchDeepSeekCjk(std::string_view text, size_t pos);
size_t MatchDeepSeekWords(std::string_view text, size_t pos);

// Returns the scanner for a regex given exactly as tokenizer.json or
// tiktoken writes it, or for a short name ("cl100k", "o200k", ...).
StatusOr<MatchFn> FindScanner(const std::string& regex_or_name);

// Every scanner with the regex it implements, as the vocabularies ship it
// (tests run the regexes through a regex engine to check the scanners).
struct KnownScanner {
  const char* name;
  const char* regex;
  MatchFn match;
  // What the scanner does at a newline that NextLineStart cuts after:
  // kEndsPieces: a piece always ends there, so text cut there splits as the
  // whole does (the regexes have no lookbehind); kNoNewlines: no match
  // holds a newline, so as a stage before a kEndsPieces one it keeps the
  // cut. scanner_differential_test checks both against ICU.
  enum LineCut { kEndsPieces, kNoNewlines } line_cut;
  // Whether spaces at the end of the text (of a gap, after a stage before
  // it) go with the newline before them (cl100k's \s++$): a stage that
  // isolates digits ends gaps after indentation, so such a last stage
  // keeps no cut before an indented digit there
  // (PreTokenizer::CutsBeforeIndentedDigits).
  bool end_spaces_join_newline = false;
};
std::span<const KnownScanner> KnownScanners();

class PreTokenizer {
 public:
  // A stage either runs a scanner or splits on a literal string whose
  // occurrences are merged with the piece before (Hugging Face's
  // Split{String, MergedWithPrevious}).
  struct Stage {
    static Stage Scanner(MatchFn match) {
      Stage s;
      s.match = match;
      return s;
    }
    static Stage Literal(std::string literal) {
      Stage s;
      s.literal = std::move(literal);
      return s;
    }

    MatchFn match = nullptr;
    std::string literal;
    // Set instead of the above: splits before each SentencePiece space mark
    // (U+2581) that follows another character, except where the mark is
    // inside an occurrence of one of `keep_whole` (the vocabulary's tokens
    // with a mark after other characters: only through those can BPE merge
    // across a mark). Built by MarkSplitStage, never from tokenizer.json.
    bool split_before_mark = false;
    std::vector<std::string> keep_whole;
    // The bytes just before a mark (after the first byte) in keep_whole's
    // tokens, as a set: a cut before a mark that follows any other byte
    // splits none of them (checking every kept token at every mark was 5%
    // of Gemma 3's count of the corpus). Set by MarkSplitStage.
    std::bitset<256> before_inner_mark;
  };

  // For SentencePiece-style vocabularies (Gemma 3): the whole text between
  // added tokens is one BPE word, so lines of prose went through the slow
  // heap loop and missed the piece cache. When the mark U+2581 is itself a
  // token (never unknown, so no unknown characters fuse across a cut) and at
  // most `max_keep_whole` tokens (given by for_each_token) have a mark after
  // a character other than a mark, cutting before marks changes no merge:
  // returns that stage, else nothing.
  template <typename ForEachToken>
  static std::optional<Stage> MarkSplitStage(ForEachToken&& for_each_token,
                                             size_t max_keep_whole = 64) {
    Stage stage;
    stage.split_before_mark = true;
    bool too_many = false, has_mark = false;
    for_each_token([&](std::string_view token) {
      has_mark = has_mark || token == kMark;
      if (!too_many && HasInnerMark(token)) {
        stage.keep_whole.emplace_back(token);
        too_many = stage.keep_whole.size() > max_keep_whole;
      }
    });
    if (too_many || !has_mark) return std::nullopt;
    for (const std::string& t : stage.keep_whole) {
      for (size_t k = t.find(kMark, 1); k != std::string::npos; k = t.find(kMark, k + 1)) {
        stage.before_inner_mark.set(static_cast<unsigned char>(t[k - 1]));
      }
    }
    return stage;
  }

  static constexpr std::string_view kMark = "\xE2\x96\x81";  // U+2581

  // Whether `token` has a mark that follows a character other than a mark.
  static bool HasInnerMark(std::string_view token);

  PreTokenizer() = default;  // no stages: the text is one piece
  explicit PreTokenizer(std::vector<Stage> stages)
      : stages_(std::move(stages)),
        cuts_at_line_starts_(ComputeCutsAtLineStarts(stages_)),
        cuts_before_indented_digits_(cuts_at_line_starts_ && ComputeCutsBeforeIndentedDigits(stages_)) {}

  // Appends the pieces of `text` to `pieces` (views into `text`).
  void Split(std::string_view text, std::vector<std::string_view>* pieces) const;

  // Calls f(piece) for each piece, in order. Each stage hands its pieces
  // straight to the next: one path for every pre-tokenizer, no vectors in
  // between.
  template <typename F>
  void ForEach(std::string_view text, F&& f) const {
    if (stages_.empty()) {
      if (!text.empty()) f(text);
      return;
    }
    ForEachFrom(0, text, f);
  }

  // Hugging Face "Isolated" splitting: matches and the gaps between them.
  template <typename F>
  static void ForEachIsolated(MatchFn match, std::string_view text, F&& f) {
    size_t pos = 0, gap = 0;
    const size_t n = text.size();
    while (pos < n) {
      size_t end = match(text, pos);
      if (end > pos) {
        if (gap < pos) f(text.substr(gap, pos - gap));
        f(text.substr(pos, end - pos));
        pos = gap = end;
      } else {
        unsigned char lead = static_cast<unsigned char>(text[pos]);
        pos += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      }
    }
    if (gap < n) f(text.substr(gap));
  }

  bool empty() const { return stages_.empty(); }

  // Whether text cut where NextLineStart says splits into the same pieces
  // as the whole: the last stage is a kEndsPieces scanner and any before it
  // kNoNewlines ones (see KnownScanner).
  bool CutsAtLineStarts() const { return cuts_at_line_starts_; }
  // Whether such text may also be cut where IsIndentedDigit says. The
  // newline's piece cannot take spaces that a digit follows, and the
  // spaces split the same either way; but after a stage isolating digits
  // (DeepSeek's) a gap ends after the spaces, and a last stage whose
  // spaces at the end of a gap join the newline (cl100k's \s++$) would
  // take them with it: such a last stage after any other is refused
  // (scanner_differential_test shows both against ICU, for every chain of
  // known scanners). Streamed and parallel counts cut there (Pipeline::Cuts);
  // Count's own line chunks need not: a fixed-width table of numbers, its
  // lines indented, had no cut at all and was read whole (150 MB, 243 MB
  // RSS).
  bool CutsBeforeIndentedDigits() const { return cuts_before_indented_digits_; }
  // Whether `pos` (0 < pos < text.size()) is just past a newline and
  // followed by one or more spaces or tabs and then an ASCII digit.
  static bool IsIndentedDigit(std::string_view text, size_t pos) {
    if (pos == 0 || pos >= text.size() || text[pos - 1] != '\n') return false;
    size_t i = pos;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    return i > pos && i < text.size() && text[i] >= '0' && text[i] <= '9';
  }

  // Whether a literal stage's string holds a newline (a cut after the
  // newline would split an occurrence).
  bool LiteralHoldsNewline() const {
    for (const Stage& s : stages_) {
      if (s.literal.find('\n') != std::string::npos) return true;
    }
    return false;
  }

  // Just past the first newline at or after `pos` that is followed by
  // spaces or tabs and then an ASCII letter or punctuation or a Cyrillic
  // letter (U+0400-045F), or straight by a digit, or straight by '/' when
  // a letter or digit is before the newline; or text.size(). Not before
  // '/' after punctuation (o200k's punctuation pieces take [\r\n/]*) nor a
  // digit after spaces: a stage isolating digits (DeepSeek's) would end a
  // gap after the spaces, where cl100k's \s++$ takes them with the
  // newline. (Digits and '/' since 2026-12-06: numbered lines and lists of
  // paths had no cut; scanner_differential_test checks all of it against
  // ICU.)
  static size_t NextLineStart(std::string_view text, size_t pos);
  // Whether NextLineStart would stop at `pos` (0 < pos < text.size(), just
  // past a newline).
  static bool IsLineStart(std::string_view text, size_t pos);

 private:
  // Stages from `stage` on (there are some).
  template <typename F>
  void ForEachFrom(size_t stage, std::string_view text, F& f) const {
    // The last stage hands its pieces to f itself: a hop through the next
    // level per piece cost o200k 8% more instructions (cachegrind).
    if (stage + 1 == stages_.size()) {
      SplitStage(stages_[stage], text, f);
    } else {
      SplitStage(stages_[stage], text,
                 [&](std::string_view piece) { ForEachFrom(stage + 1, piece, f); });
    }
  }

  template <typename F>
  static void SplitStage(const Stage& s, std::string_view text, F&& f) {
    if (s.match != nullptr) {
      ForEachIsolated(s.match, text, f);
    } else if (s.split_before_mark) {
      ForEachBeforeMarks(s, text, f);
    } else {
      ForEachMergedWithPrevious(s.literal, text, f);
    }
  }

  // Hugging Face "MergedWithPrevious": each occurrence of `literal` ends a
  // piece.
  template <typename F>
  static void ForEachMergedWithPrevious(const std::string& literal, std::string_view text, F&& f) {
    size_t start = 0;
    while (start < text.size()) {
      const size_t hit = text.find(literal, start);
      if (hit == std::string_view::npos) break;
      const size_t end = hit + literal.size();
      f(text.substr(start, end - start));
      start = end;
    }
    if (start < text.size()) f(text.substr(start));
  }

  // See MarkSplitStage.
  template <typename F>
  static void ForEachBeforeMarks(const Stage& stage, std::string_view text, F&& f) {
    size_t start = 0;
    for (size_t pos = text.find(kMark, 1); pos != std::string_view::npos;
         pos = text.find(kMark, pos + kMark.size())) {
      const bool after_mark =
          pos >= kMark.size() && text.compare(pos - kMark.size(), kMark.size(), kMark) == 0;
      if (after_mark || pos == start || InsideKeptToken(stage, text, pos)) continue;
      f(text.substr(start, pos - start));
      start = pos;
    }
    if (start < text.size()) f(text.substr(start));
  }

  // Where a cut before the mark at `pos` (not the text's first byte) could
  // split a token of stage.keep_whole.
  static bool InsideKeptToken(const Stage& stage, std::string_view text, size_t pos);

  static bool ComputeCutsAtLineStarts(const std::vector<Stage>& stages);
  // Given ComputeCutsAtLineStarts: a scanner alone, or a last one whose
  // end spaces do not join the newline.
  static bool ComputeCutsBeforeIndentedDigits(const std::vector<Stage>& stages);

  std::vector<Stage> stages_;
  bool cuts_at_line_starts_ = false;  // computed once: Count asks at every call
  bool cuts_before_indented_digits_ = false;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_PRETOKENIZER_H_
