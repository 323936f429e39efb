// Two-byte UTF-8 characters as one initial BPE symbol, where that provably
// merges the same as starting from their bytes (byte-level models: tiktoken
// vocabularies, where two symbols merge when their bytes together are a
// token, ranked by its id; and Hugging Face merge tables). A Russian word
// then starts with half the symbols and skips the merges that only rebuild
// its letters.
//
//   TwoByteSymbols symbols = TwoByteSymbols::Build(vocab);
//   uint32_t id = symbols.At(word_bytes, k, word_size);  // kNoId: use the bytes
//
// Built once per vocabulary and kept in its compiled file (a pass over o200k
// costs 2-3 ms, at every start otherwise): a change to Build,
// BuildFromMerges or the layout of Serialize needs a new magic in
// tiktoken_loader.cc and hf_loader.cc.
//
// The conditions, checked at the character's place in the word (L its lead
// byte, T its second, p the byte before it, n the byte after), for a
// tiktoken vocabulary:
// - the character is a token;
// - no token ends with p L (only through one could L merge with what
//   precedes it) and none starts with T n (T with what follows), n being a
//   byte that starts a character (in a word of invalid UTF-8 it may not);
// - no token holding p L T or L T n ranks before the character.
// For a merge table, the same with merges: L and T merge into the
// character; no merge joins a symbol ending with p to L, or T to a symbol
// starting with n; no merge ranked before L and T's makes a symbol holding
// p L T or L T n.
// Why that suffices: take the merges from bytes (run R) and from the
// character as one symbol (run R'), BPE merging the lowest-ranked adjacent
// pair, leftmost of equals, each time.
// - In R, L and T merge with nothing before they merge together (a merge of
//   either with anything else needs one of the tokens ruled out, or a symbol
//   that one of them made first).
// - So until the character forms in R, the two runs have the same symbols
//   except there: R has the pair L T of the character's rank r and two pairs
//   that never merge, R' pairs that hold the character and p or n, ranked
//   after r. While R merges elsewhere, that merge ranks below r, so below
//   R''s pairs at the character: R' makes the same merge (the same leftmost
//   one: pairs of equal rank are the same bytes, in the same order in both).
//   When R forms the character, R' has nothing to do and the symbols agree.
// - With several such characters, the same holds for each in turn (a
//   neighbour's bytes are p or n), and R ends with all of them formed, as
//   R' does.
// Immutable after Build; thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_TWO_BYTE_SYMBOLS_H_
#define TOKCOST_TOKENIZER_INTERNAL_TWO_BYTE_SYMBOLS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/internal/flat_map.h"

namespace tokcost::tokenizer_internal {

class TwoByteSymbols {
 public:
  // From a vocabulary whose ids are ranks (tiktoken).
  static TwoByteSymbols Build(const BytesToIdMap& vocab);
  // From a byte-level merge table; byte_ids[b] is the token of byte b.
  static TwoByteSymbols BuildFromMerges(const BytesToIdMap& vocab, const PairMap& merges,
                                        const uint32_t byte_ids[256]);

  // As bytes for a compiled vocabulary file, and back (false: not a table
  // Serialize wrote).
  std::string Serialize() const;
  static bool Deserialize(std::string_view bytes, TwoByteSymbols* out);

  // The token of the two-byte character at u[k] of a word of `size` bytes,
  // when it may start as one symbol there; kNoId otherwise.
  __attribute__((always_inline)) uint32_t At(const unsigned char* u, size_t k, size_t size) const {
    const unsigned char lead = u[k];
    if (lead < 0xC2 || lead > 0xDF || k + 1 >= size || (u[k + 1] & 0xC0) != 0x80) return kNoId;
    const int c = (lead - 0xC2) * 64 + (u[k + 1] & 0x3F);
    const uint32_t id = ids_[c];
    if (id == kNoId) return kNoId;
    const int t = u[k + 1] & 0x3F;
    if (k > 0 && ((ends_before_lead_[u[k - 1]] >> (lead - 0xC2)) & 1) != 0) return kNoId;
    if (k + 2 < size) {
      const unsigned char n = u[k + 2];
      if ((n & 0xC0) == 0x80 || Bit(starts_after_second_[t], n)) return kNoId;
    }
    if (const uint16_t o = outranked_[c]; o != 0) {
      const Context& x = contexts_[o - 1];
      if (k > 0 && Bit(x.before, u[k - 1])) return kNoId;
      if (k + 2 < size && Bit(x.after, u[k + 2])) return kNoId;
    }
    return id;
  }

  // How many two-byte characters are tokens (tests).
  int usable() const;

 private:
  static constexpr int kChars = 30 * 64;  // lead bytes C2-DF
  using Bits = uint64_t[4];               // a set of bytes
  // (Plain words, not std::bitset: Serialize writes them as they are.)
  static bool Bit(const Bits& b, unsigned char x) { return ((b[x >> 6] >> (x & 63)) & 1) != 0; }
  static void Set(Bits& b, unsigned char x) { b[x >> 6] |= uint64_t{1} << (x & 63); }
  // Records that a symbol made at `rank` holds `bytes`: a character in it
  // ranked after it may not start as one symbol beside its neighbours there.
  void NoteHolder(std::string_view bytes, uint32_t rank, const std::vector<uint32_t>& ranks);
  // The bytes before and after a character in tokens that hold it and rank
  // before it.
  struct Context {
    Bits before = {};
    Bits after = {};
  };

  std::vector<uint32_t> ids_ = std::vector<uint32_t>(kChars, kNoId);
  uint32_t ends_before_lead_[256] = {};  // p -> bit (L - 0xC2): a token ends with p L
  Bits starts_after_second_[64] = {};    // T & 0x3F -> the n of tokens starting with T n
  std::vector<uint16_t> outranked_ = std::vector<uint16_t>(kChars, 0);  // 1 + contexts_ index
  std::vector<Context> contexts_;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_TWO_BYTE_SYMBOLS_H_
