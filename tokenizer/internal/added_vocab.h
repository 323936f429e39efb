// Added tokens (Hugging Face "added_tokens", tiktoken special tokens):
// strings matched in the text before pre-tokenization, leftmost-longest, as
// Hugging Face's AddedVocabulary does with Aho-Corasick.
//
//   AddedVocab v;
//   v.Add("<think>", 151667, /*special=*/false);
//   uint32_t id; size_t len = v.MatchAt(text, pos, /*allow_special=*/false, &id);
//
// Immutable after the last Add; MatchAt is thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_ADDED_VOCAB_H_
#define TOKCOST_TOKENIZER_INTERNAL_ADDED_VOCAB_H_

#include <bitset>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tokcost::tokenizer_internal {

// Where Tokenizer::CountParallel and CountStream may cut a text (see
// Pipeline::SplittableAtLines): at `pos`, just after a newline that an
// ASCII letter follows.
inline bool IsLineCut(std::string_view s, size_t pos) {
  if (pos == 0 || pos >= s.size() || s[pos - 1] != '\n') return false;
  const char c = static_cast<char>(s[pos] | 0x20);
  return c >= 'a' && c <= 'z';
}

// Whether `s` holds such a cut: a token that does could be split by it.
inline bool HoldsNewlineThenLetter(std::string_view s) {
  for (size_t k = s.find('\n'); k != std::string_view::npos; k = s.find('\n', k + 1)) {
    if (IsLineCut(s, k + 1)) return true;
  }
  return false;
}

class AddedVocab {
 public:
  void Add(std::string_view content, uint32_t id, bool special);

  // True when no token is allowed under `allow_special` (lets callers skip).
  bool empty(bool allow_special) const {
    return allow_special ? node_id_.size() == 1 : plain_count_ == 0;
  }

  // Length of the longest token at `pos` (0 if none); sets *id.
  size_t MatchAt(std::string_view text, size_t pos, bool allow_special,
                 uint32_t* id) const;

  bool HasTokenWithNewline() const { return has_newline_; }
  // Whether a token holds a newline and then an ASCII letter: only such a
  // token can match across a cut between the two (Gemma 3's runs of
  // newlines cannot).
  bool HasTokenWithNewlineThenLetter() const { return has_newline_then_letter_; }

  // Position of the first byte at or after `pos` that can start a token.
  size_t NextCandidate(std::string_view text, size_t pos) const {
    while (pos < text.size() && !first_byte_[static_cast<unsigned char>(text[pos])]) ++pos;
    return pos;
  }

 private:
  static uint64_t Edge(uint32_t node, unsigned char byte) {
    return (static_cast<uint64_t>(node) << 8) | byte;
  }
  std::unordered_map<uint64_t, uint32_t> edges_;
  std::vector<uint32_t> node_id_{0xFFFFFFFFu};  // token id ending at a node
  std::vector<bool> node_special_{false};
  std::bitset<256> first_byte_;
  size_t plain_count_ = 0;
  bool has_newline_ = false;
  bool has_newline_then_letter_ = false;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_ADDED_VOCAB_H_
