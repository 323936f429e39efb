// The whole encoding pipeline of one tokenizer, in Hugging Face's order:
//   added tokens on raw text -> normalizer -> added tokens on normalized
//   text -> pre-tokenizer -> BPE per piece.
// tiktoken encodings are the special case with no normalizer and (unless
// special tokens are allowed) no added tokens. Immutable after loading;
// Run is thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_
#define TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_

#include <atomic>
#include <bitset>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "tokenizer/internal/added_vocab.h"
#include "tokenizer/internal/bpe_model.h"
#include "tokenizer/internal/normalizer.h"
#include "tokenizer/internal/pretokenizer.h"

namespace tokcost::tokenizer_internal {

// Receives tokens in order, a run at a time.
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  virtual void Add(const uint32_t* ids, size_t count) = 0;
};

class SharedPieceCountCache;  // piece_cache.h

struct Pipeline {
  explicit Pipeline(BpeModel::Options options);
  ~Pipeline();

  // `text` must be valid UTF-8.
  void Run(std::string_view text, bool allow_special, TokenSink* sink) const;

  // The number of tokens, without building ids: pieces seen before (by
  // any thread) and lines seen before on this thread are counted from
  // caches instead of running BPE again. Thread-safe.
  size_t Count(std::string_view text, bool allow_special) const;

  // Empties every thread's caches and every pipeline's shared one
  // (benchmarks measure cold passes), each at its next count. No count may
  // be running.
  static void ResetThreadCaches();

  // Where a text may be cut (just past a newline), counted in parts and
  // summed with the same result. Pipelines that Count in line chunks may
  // be cut wherever a chunk ends (PreTokenizer::IsLineStart: before
  // letters, punctuation such as '{', Cyrillic, a digit, after
  // indentation), and before indentation that a digit follows where the
  // pre-tokenizer allows (CutsBeforeIndentedDigits). Others (Gemma 3,
  // whose words run across lines) before a byte that no token holds after
  // a newline (CutBytes): BPE then leaves the two halves of the word as it
  // would the whole. Until 2026-12-06
  // both were cut only before an ASCII letter, so a JSONL file, Russian
  // prose or indented code had no cut: `count` read it whole, however
  // large, on one thread. Worked out once per text (CutBytes goes through
  // the added tokens and the normalizer's steps), then asked at many
  // positions.
  struct CutRule {
    bool at_line_starts;      // PreTokenizer::IsLineStart
    std::bitset<256> before;  // otherwise: the bytes a cut may precede
    // With at_line_starts: PreTokenizer::IsIndentedDigit too.
    bool indented_digits = false;
    // Whether the text may be cut anywhere at all.
    bool Any() const { return at_line_starts || before.any(); }
    bool At(std::string_view text, size_t pos) const {
      if (pos == 0 || pos >= text.size() || text[pos - 1] != '\n') return false;
      if (at_line_starts) {
        return PreTokenizer::IsLineStart(text, pos) ||
               (indented_digits && PreTokenizer::IsIndentedDigit(text, pos));
      }
      return before.test(static_cast<unsigned char>(text[pos]));
    }
  };
  CutRule Cuts() const {
    return ChunksAtLineStarts()
               ? CutRule{true, {}, pre_tokenizer.CutsBeforeIndentedDigits()}
               : CutRule{false, CutBytes()};
  }

  BpeModel model;
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  AddedVocab raw_added;         // matched before normalization
  AddedVocab normalized_added;  // matched after normalization
  // The bytes that follow a newline in some token of the vocabulary
  // (AddNewlineFollowers). Set by the loader where Cuts needs to know;
  // elsewhere all of them, the safe answer.
  std::bitset<256> token_newline_followers = std::bitset<256>().set();

 private:
  // Whether Count sums line chunks (PreTokenizer::NextLineStart) counted
  // one at a time, each splitting as it would within the whole text.
  bool ChunksAtLineStarts() const {
    return pre_tokenizer.CutsAtLineStarts() && model.byte_level() &&
           !normalizer.MayJoinAcrossNewlines() && !raw_added.HasTokenWithNewline() &&
           !normalized_added.HasTokenWithNewline();
  }
  // The bytes before which a pipeline that does not chunk may be cut
  // at line starts.
  std::bitset<256> CutBytes() const;
  // The count of a piece too long for the main piece cache.
  size_t CountLongPiece(std::string_view piece, BpeModel::Scratch* scratch) const;
  // The shared piece cache, emptied first if ResetThreadCaches was called
  // since the last count.
  SharedPieceCountCache& Pieces() const;

  std::unique_ptr<SharedPieceCountCache> pieces_;
  mutable std::atomic<uint64_t> pieces_epoch_{0};  // of the last reset it saw
  mutable std::mutex pieces_reset_;

  // Calls on_piece(piece) for every pre-tokenized piece and on_added(id)
  // for every added token, in order; on_segment_end(storage_ends) after the
  // pieces of each stretch between added tokens: when storage_ends, the
  // pieces were views of a normalized copy that dies with it.
  template <typename OnPiece, typename OnAdded, typename OnSegmentEnd>
  void Traverse(std::string_view text, bool allow_special, OnPiece&& on_piece,
                OnAdded&& on_added, OnSegmentEnd&& on_segment_end) const;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_
