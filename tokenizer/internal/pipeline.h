// The whole encoding pipeline of one tokenizer, in Hugging Face's order:
//   added tokens on raw text -> normalizer -> added tokens on normalized
//   text -> pre-tokenizer -> BPE per piece.
// tiktoken encodings are the special case with no normalizer and (unless
// special tokens are allowed) no added tokens. Immutable after loading;
// Run is thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_
#define TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_

#include <cstdint>
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

struct Pipeline {
  explicit Pipeline(BpeModel::Options options) : model(options) {}

  // `text` must be valid UTF-8.
  void Run(std::string_view text, bool allow_special, TokenSink* sink) const;

  BpeModel model;
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  AddedVocab raw_added;         // matched before normalization
  AddedVocab normalized_added;  // matched after normalization

 private:
  void RunNormalized(std::string_view text, bool allow_special,
                     BpeModel::Scratch* scratch, TokenSink* sink) const;
  void RunPieces(std::string_view text, BpeModel::Scratch* scratch,
                 TokenSink* sink) const;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_PIPELINE_H_
