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

// Adds to *followers each byte that follows a newline in `s`: a text cut
// after a newline, before a byte no token has there, splits no occurrence
// of a token (see Pipeline::Cuts).
inline void AddNewlineFollowers(std::string_view s, std::bitset<256>* followers) {
  for (size_t k = s.find('\n'); k != std::string_view::npos && k + 1 < s.size();
       k = s.find('\n', k + 1)) {
    followers->set(static_cast<unsigned char>(s[k + 1]));
  }
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
  // The bytes that follow a newline in some token (AddNewlineFollowers):
  // only before those can a token match across a cut after the newline.
  const std::bitset<256>& newline_followers() const { return newline_followers_; }

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
  std::bitset<256> newline_followers_;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_ADDED_VOCAB_H_
