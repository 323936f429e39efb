// Where tokens start, learned from a tokenizer's own output: for each code
// point, the expected number of tokens starting at it (0 or 1, more for a
// character split into byte tokens), predicted from the code points around
// it. This is the lexical part of the approximation (approx.h): character
// classes and word lengths cannot tell a Russian word that is one token
// from one of the same length that is four.
//
//   BoundaryModelBuilder b;
//   b.Add(text, token_lengths);      // byte length of each token of text
//   BoundaryModel m = b.Build();
//   double tokens = m.Estimate(other_text);
//
// Words first: a run of up to 24 letters (Latin, Greek, Cyrillic) with the
// unit before it (" the", "/compute") seen in the lexicon text (twice, if
// only in calibration documents: Add's lexicon_text) is estimated by its
// mean number of token starts there, which is nearly exact (a word's
// tokens hardly depend on what is around it). A word without an entry of
// its own tries the entry shared by the same letters after the same kind of
// unit (space; punctuation; newline, digit or the text's edge). The rest
// (words never seen, and everything between words) is estimated unit by
// unit from contexts learned on what lies between words and on the words
// seen fewer than kCommonWordCount times: a word never seen behaves like
// the rarest ones, splitting into more tokens than a common one of the same
// letters.
//
// Contexts, narrowest first: the code point alone; with 1 before; 1 before
// and 1 after; 2+1; 2+2; 3+2. Each context keeps its mean number of token
// starts, smoothed towards the next narrower context's. A context is kept
// only when seen kMinCount times and its estimate differs from the narrower
// one by more than kPrune (most contexts add nothing), and so are the
// narrower contexts it extends, marked as having wider ones. Estimate walks
// from the narrowest context outwards while the marks say a wider one may
// be kept, and takes the widest found: a lookup or a few per code point,
// nearly all hits. Bytes that are not UTF-8 count as units of their own.
//
// BoundaryModel is immutable and thread-safe (Estimate's memos of windows
// and of lines are per thread: 4.6 MB for each of up to 4 models); the
// builder is not.
#ifndef TOKCOST_TOKENIZER_INTERNAL_BOUNDARY_MODEL_H_
#define TOKCOST_TOKENIZER_INTERNAL_BOUNDARY_MODEL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/internal/anonymous_memory.h"
#include "tools/base/status.h"

namespace tokcost::tokenizer_internal {

inline constexpr int kBoundaryLevels = 6;
// Default estimate by the unit's UTF-8 length (0: a byte that is not UTF-8).
using BoundaryDefaults = std::array<float, 5>;

class BoundaryModel {
 public:
  BoundaryModel() = default;

  // How much of a text's words the model keeps: letters in words (runs
  // of up to 24 letters), and of them, letters in words it keeps. Text of
  // another kind than the lexicon text has far fewer of its words kept.
  // `in_text`: of the kept letters, those in words some text taught it,
  // not a vocabulary alone (VocabularyWordsText): what tells the genre, as
  // a vocabulary holds the common words of every genre.
  struct WordCoverage {
    size_t letters = 0;
    size_t kept = 0;
    size_t in_text = 0;
  };
  // Expected number of tokens of `text`; with `coverage`, also how much of
  // its words the model keeps.
  double Estimate(std::string_view text, WordCoverage* coverage = nullptr) const;

  bool empty() const { return entries_ == 0; }
  size_t entries() const { return entries_; }
  size_t words() const { return words_; }

  // A compact binary form (magic, numbers of entries and of words,
  // defaults, then the kept words and contexts).
  std::string Serialize() const;
  // With `keep_alive` (owning `bytes`, e.g. a mapped file), the entries are
  // read in place; without, they are copied.
  static StatusOr<BoundaryModel> Parse(std::string_view bytes,
                                       std::shared_ptr<const void> keep_alive = nullptr);

 private:
  friend class BoundaryModelBuilder;
  struct Slot {
    uint32_t tag = 0;     // 0: empty
    uint16_t value = 0;   // in 1/4096ths of a token
    uint16_t wider = 0;   // 1: wider contexts extending this one are kept
  };
  // The entries as the file stores them, 8 bytes each (see Serialize):
  // `count` of them at `packed` (any alignment), kept alive by `owner`.
  BoundaryModel(BoundaryDefaults defaults, const char* packed, size_t count, size_t words,
                std::shared_ptr<const void> owner);
  // The slot kept for `key`, or nullptr.
  const Slot* Find(uint64_t key) const {
    const uint32_t tag = static_cast<uint32_t>(key >> 32) | 1;
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.tag == tag) return &s;
      if (s.tag == 0) return nullptr;
    }
  }
  // Sum of estimates for the units of text[begin, end), which starts at a
  // newline or the text's start; left[0..3) holds the 3 units before it on
  // entry and its last 3 (with those before, for a range of fewer) on
  // return. `cov` is added to.
  double EstimateRange(std::string_view text, size_t begin, size_t end, uint32_t* left,
                       WordCoverage* cov) const;
  // Sum of estimates for units todo[0..count) of `units`, each with
  // kMaxLeft units before it and kMaxRight after.
  double EstimateUnits(const uint32_t* units, const uint8_t* classes, const uint32_t* todo,
                       size_t count) const;

  BoundaryDefaults defaults_{};
  uint64_t serial_ = 0;  // tells this model's memo of windows from others'
  // Level 0 (the code point alone) for code points below kDense (ASCII,
  // Latin, Cyrillic...), without hashing; tag 0 where not kept.
  static constexpr uint32_t kDense = 0x800;
  std::vector<Slot> dense_;
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t mask_ = 0;
  size_t entries_ = 0;
  size_t words_ = 0;  // of the items, words (the rest are contexts)
  // What the slots hold, for Serialize: read in place from a mapped lexicon
  // (copying 1.5 MB of entries into 3 MB of unpacked ones was a third of
  // loading one), or the builder's.
  const char* packed_ = nullptr;
  size_t item_count_ = 0;
  std::shared_ptr<const void> packed_owner_;
};

class BoundaryModelBuilder {
 public:
  static constexpr uint32_t kMinCount = 3;
  static constexpr uint32_t kCommonWordCount = 2;
  static constexpr float kPrune = 0.03f;

  // `token_lengths` are the byte lengths of the tokens of `text`, in order;
  // they must add up to text.size() (InvalidArgument otherwise, and the text
  // is not used).
  // `lexicon_text`: false for a calibration document, whose words count as
  // seen only when it has them twice (BoundaryModelBuilder::Build says why).
  Status Add(std::string_view text, const std::vector<uint32_t>& token_lengths,
             bool lexicon_text = true);
  // VocabularyWordsText, tokenized: lexicon text whose words count as kept
  // but not as kept `in_text` (WordCoverage).
  Status AddVocabulary(std::string_view text, const std::vector<uint32_t>& token_lengths);

  size_t units() const { return units_.size(); }
  BoundaryModel Build() const;

  // Text that teaches a lexicon a vocabulary's whole-word tokens: each of
  // `token_texts` that is a word as Estimate reads one (1 to 24 letters,
  // after a space or not), written twice so that it is kept and is no
  // stand-in for unseen words: ". w w\n" for " w", "w\nw\n" for "w". The
  // caller tokenizes it (a token is not always what the tokenizer makes
  // of its own text alone) and gives it to AddVocabulary. `words`, if
  // given, gets how many tokens were taken.
  static std::string VocabularyWordsText(const std::vector<std::string>& token_texts,
                                         size_t* words = nullptr);

 private:
  // Every text's units, with a separator between texts; token starts per unit.
  std::vector<uint32_t> units_;
  std::vector<uint8_t> lengths_;
  // What taught each unit: kCalibration, kLexiconText or kVocabulary.
  enum Source : uint8_t { kCalibration, kLexiconText, kVocabulary };
  Status AddFrom(std::string_view text, const std::vector<uint32_t>& token_lengths, Source source);
  std::vector<uint8_t> source_;
  std::vector<float> starts_;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_BOUNDARY_MODEL_H_
