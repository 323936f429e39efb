// The byte-pair-encoding model: vocabulary, merge table and the merge loop.
//
//   BpeModel model(BpeModel::Options{.byte_level = true, .ignore_merges = true});
//   model.AddToken("a", 64); ...; model.AddMerge(left, right, rank, merged);
//   BpeModel::Scratch scratch;
//   model.MergeWord("hello", &scratch);   // scratch.ids() holds the tokens
//
// One engine serves tiktoken rank files and Hugging Face merges: both become
// a table (left id, right id) -> (rank, merged id), and the lowest rank,
// leftmost pair merges first. Immutable after loading; MergeWord is
// thread-safe given a Scratch per thread.
#ifndef TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_
#define TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/internal/flat_map.h"

namespace tokcost::tokenizer_internal {

class BpeModel {
 public:
  struct Options {
    // Initial symbols are single bytes (tiktoken, HF ByteLevel). Otherwise
    // they are UTF-8 characters, with <0xXX> byte tokens as the fallback
    // (SentencePiece-style models such as Gemma 3).
    bool byte_level = true;
    // A word that is itself in the vocabulary is one token, merges unused.
    bool ignore_merges = true;
    bool byte_fallback = false;
    uint32_t unk_id = kNoId;
    // tiktoken: a pair's rank is the id of its concatenation, found in the
    // vocabulary; no merge table is built (faster to load, and lookups hit
    // a table that fits in cache).
    bool rank_is_concatenation_id = false;
  };

  // Reusable buffers for one thread.
  class Scratch {
   public:
    const std::vector<uint32_t>& ids() const { return ids_; }

   private:
    friend class BpeModel;
    std::vector<uint32_t> ids_;
    std::vector<uint32_t> ranks_;
    std::vector<uint32_t> merged_;
    std::vector<int32_t> prev_;
    std::vector<int32_t> next_;
    std::vector<uint32_t> starts_;  // byte offset of each symbol
    std::string_view word_;
  };

  // Which merge loop runs: the quadratic one is faster for short words, the
  // heap one bounds long words at O(n log n). kAuto picks by length; tests
  // force each to check that they agree.
  enum class Loop { kAuto, kQuadratic, kHeap };

  explicit BpeModel(Options options) : options_(options) {}

  void AddToken(std::string_view bytes, uint32_t id) { vocab_.Insert(bytes, id); }
  void ReserveTokens(size_t n, size_t bytes) { vocab_.Reserve(n, bytes); }
  // The vocabulary as bytes, and back (see BytesToIdMap::Serialize).
  std::string SerializeVocab() const { return vocab_.Serialize(); }
  bool LoadVocab(const char* data, size_t size, std::shared_ptr<const void> keep_alive) {
    return BytesToIdMap::Deserialize(data, size, std::move(keep_alive), &vocab_);
  }
  void AddMerge(uint32_t left, uint32_t right, uint32_t rank, uint32_t merged) {
    pairs_.Insert(left, right, {rank, merged});
  }
  // Call once after the last AddToken: resolves the initial-symbol tables.
  // Returns false (with a reason) when a byte has no token.
  bool Finish(std::string* error);

  uint32_t Find(std::string_view bytes) const { return vocab_.Find(bytes); }
  size_t vocab_size() const { return vocab_.size(); }

  // Leaves the tokens of `word` in scratch->ids().
  void MergeWord(std::string_view word, Scratch* scratch,
                 Loop loop = Loop::kAuto) const;

 private:
  void InitialSymbols(std::string_view word, std::vector<uint32_t>* ids) const;
  // The merge of symbols [a] and [b] (b follows a; `end` is where b ends).
  Merge PairOf(const Scratch& s, int32_t a, int32_t b, uint32_t end) const {
    if (!options_.rank_is_concatenation_id) return pairs_.Find(s.ids_[a], s.ids_[b]);
    uint32_t id = vocab_.Find(s.word_.substr(s.starts_[a], end - s.starts_[a]));
    return {id, id};
  }
  void MergeSymbolsQuadratic(Scratch* scratch) const;
  void MergeSymbolsHeap(Scratch* scratch) const;

  Options options_;
  BytesToIdMap vocab_;
  PairMap pairs_;
  uint32_t byte_ids_[256];  // byte-level: the token of each byte;
                            // otherwise: the <0xXX> fallback tokens
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_
