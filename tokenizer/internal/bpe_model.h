// The byte-pair-encoding model: vocabulary, merge table and the merge loop.
//
//   BpeModel model(BpeModel::Options{.byte_level = true, .ignore_merges = true});
//   model.AddToken("a", 64); ...; model.AddMerge(left, right, rank, merged);
//   BpeModel::Scratch scratch;
//   model.MergeWord("hello", &scratch);   // scratch.ids() holds the tokens
//
// One engine serves tiktoken rank files and Hugging Face merges: both become
// a table (left id, right id) -> (rank, merged id), and the lowest rank,
// leftmost pair merges first. Immutable after loading; MergeWord and
// CountWords are thread-safe given a Scratch per thread.
#ifndef TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_
#define TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/internal/flat_map.h"
#include "tokenizer/internal/two_byte_symbols.h"

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

  // A small direct-mapped cache of pair lookups, one per thread: merges
  // repeat across words, and the full tables span megabytes, so a lookup
  // that misses the CPU caches costs more than all the rest of a merge step.
  struct PairCacheSlot {
    // ~((left id << 32) | right id). Inverted so that an all-zero slot is
    // empty (no pair has both ids 2^32 - 1): the cache is anonymous memory
    // the kernel zeroes lazily, and a short input touches a few of its 128
    // pages instead of filling all of them at the first lookup.
    uint64_t inverted_key;
    Merge value;
  };
  // 512 KB: stays in L2. Against 128 KB, a first pass over the corpus
  // +1-6% in four runs (o200k and cl100k, 8 passes of each size alternated
  // in one process); 2 MB was slower for cl100k, 32 KB slower for both.
  static constexpr int kPairCacheBits = 15;

  // Reusable buffers for one thread.
  class Scratch {
   public:
    const std::vector<uint32_t>& ids() const { return ids_; }

   private:
    friend class BpeModel;
    std::vector<uint32_t> ids_;
    std::vector<int32_t> prev_;
    std::vector<int32_t> next_;
  };

  // Which merge loop runs: the quadratic one is faster for short words, the
  // heap one bounds long words at O(n log n). kAuto picks by length; tests
  // force each to check that they agree (kQuadratic on a word of more than
  // kMaxQuadraticSymbols runs the heap). 120 (48 until 2026-12-05): words of
  // 49-120 symbols are common in SentencePiece-style models, which split
  // only before a space mark (rules of '=' and '-', paths, indentation);
  // one cold Count of the corpus, Gemma 3, 2.33G -> 1.83G instructions
  // (cachegrind), first pass 28.4-28.6 -> 33.4-35.0 MB/s (bench/count_speed,
  // two alternations); o200k unchanged (512.8M). The links are int8_t, so
  // at most 127.
  enum class Loop { kAuto, kQuadratic, kHeap };
  static constexpr int kMaxQuadraticSymbols = 120;

  explicit BpeModel(Options options);

  // Unique per model for the life of the process (unlike its address, which
  // a later model may reuse): keys the per-thread caches.
  uint64_t serial() const { return serial_; }

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
  // The merge table as bytes, and back (see PairMap::Serialize).
  std::string SerializeMerges() const { return pairs_.Serialize(); }
  bool LoadMerges(const char* data, size_t size, std::shared_ptr<const void> keep_alive) {
    return PairMap::Deserialize(data, size, std::move(keep_alive), &pairs_);
  }
  // The two-byte symbols of a byte-level model as bytes (empty for others),
  // and a table read back from them (TwoByteSymbols::Deserialize) to use.
  // Set before Finish, which otherwise builds them.
  std::string SerializeTwoByteSymbols() const {
    return two_byte_ ? two_byte_->Serialize() : std::string();
  }
  void SetTwoByteSymbols(TwoByteSymbols symbols) { two_byte_ = std::move(symbols); }
  // Call once after the last AddToken: resolves the initial-symbol tables.
  // Returns false (with a reason) when a byte has no token.
  bool Finish(std::string* error);

  uint32_t Find(std::string_view bytes) const { return vocab_.Find(bytes); }
  size_t vocab_size() const { return vocab_.size(); }
  bool byte_level() const { return options_.byte_level; }
  // Calls f(bytes, id) for every token of the vocabulary.
  template <typename F>
  void ForEachToken(F&& f) const {
    vocab_.ForEach(f);
  }

  // Leaves the tokens of `word` in scratch->ids().
  void MergeWord(std::string_view word, Scratch* scratch,
                 Loop loop = Loop::kAuto) const;

  // counts[i] = the number of tokens of words[i] (what MergeWord leaves).
  // Short words of byte-level models are merged several at a time, one
  // merge step of each in turn: a step waits on table lookups that miss the
  // CPU caches, and steps of different words do not depend on each other,
  // so their misses overlap. For byte-level models, two-byte characters
  // start as one symbol where that provably merges the same
  // (two_byte_symbols.h).
  void CountWords(const std::string_view* words, size_t count, uint32_t* counts,
                  Scratch* scratch) const;

 private:
  struct QuadraticWord;  // bpe_model.cc

  void InitialSymbols(std::string_view word, std::vector<uint32_t>* ids) const;
  // The token of one UTF-8 character (at most 4 bytes; fewer when the word
  // cut it short), or kNoId. Models whose initial symbols are characters
  // look each one up: a vocabulary lookup per character was 16% of Gemma
  // 3's count of the corpus, so recent ones are kept in char_ids_.
  uint32_t CharId(std::string_view c) const;
  // The merge of two adjacent symbols; `bytes` are the two together (only
  // read by tiktoken models, whose ranks are looked up by bytes).
  Merge PairOf(uint32_t left, uint32_t right, std::string_view bytes,
               PairCacheSlot* cache) const {
    // In tiktoken's case the ids also determine the bytes, so the key holds.
    const uint64_t key = (static_cast<uint64_t>(left) << 32) | right;
    PairCacheSlot& slot = cache[(key * 0x9E3779B97F4A7C15ULL) >> (64 - kPairCacheBits)];
    if (slot.inverted_key == ~key) return slot.value;
    Merge m;
    if (!options_.rank_is_concatenation_id) {
      m = pairs_.Find(left, right);
    } else {
      uint32_t id = vocab_.Find(bytes);
      m = {id, id};
    }
    slot = {~key, m};
    return m;
  }
  // Sets up *w for `word`, whose n initial symbols the caller put in w->ids,
  // and looks up their pairs. `starts`: the byte where each symbol starts
  // (byte-level, when some are not single bytes); null: symbol i at byte i.
  void StartQuadratic(std::string_view word, int32_t n, QuadraticWord* w,
                      PairCacheSlot* cache, const uint32_t* starts = nullptr) const;
  // One merge; false when nothing merges any more.
  bool StepQuadratic(QuadraticWord* w, PairCacheSlot* cache) const;
  // The pair of symbol i and the next: its rank and what it becomes.
  void UpdateQuadratic(QuadraticWord* w, int32_t i, PairCacheSlot* cache) const;
  void MergeSymbolsHeap(std::string_view word, PairCacheSlot* cache, Scratch* scratch) const;

  Options options_;
  uint64_t serial_;
  std::optional<TwoByteSymbols> two_byte_;  // byte-level models only
  // Character models: 4,096 entries of (character's bytes << 32 | id),
  // direct-mapped; 0 is empty. Relaxed atomics: any thread may fill an
  // entry, and an entry read whole is always right for its key.
  static constexpr int kCharIdBits = 12;
  std::unique_ptr<std::atomic<uint64_t>[]> char_ids_;
  BytesToIdMap vocab_;
  PairMap pairs_;
  uint32_t byte_ids_[256];  // byte-level: the token of each byte;
                            // otherwise: the <0xXX> fallback tokens
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_BPE_MODEL_H_
