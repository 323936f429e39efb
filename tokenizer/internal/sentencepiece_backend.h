// A user-supplied SentencePiece model (tokenizer.model) counted through
// libsentencepiece, for models whose tokenizer ships in that form (for
// example a YandexGPT-5-Lite tokenizer). Ordinary text, no BOS/EOS, as
// `spm_encode --output_format=id` does. libsentencepiece is opened at the
// first Load, not linked (see the .cc). Immutable after Load; thread-safe.
#ifndef TOKCOST_TOKENIZER_INTERNAL_SENTENCEPIECE_BACKEND_H_
#define TOKCOST_TOKENIZER_INTERNAL_SENTENCEPIECE_BACKEND_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/base/status.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace tokcost::tokenizer_internal {

struct SentencePieceApi;  // the library's functions that are not virtual

class SentencePieceBackend {
 public:
  static StatusOr<std::unique_ptr<SentencePieceBackend>> Load(const std::string& path);
  ~SentencePieceBackend();

  StatusOr<std::vector<uint32_t>> Encode(std::string_view text) const;

 private:
  SentencePieceBackend();
  // Destroys through the library's virtual destructor.
  struct ProcessorDeleter {
    void operator()(sentencepiece::SentencePieceProcessor* p) const;
  };
  const SentencePieceApi* api_ = nullptr;
  std::unique_ptr<sentencepiece::SentencePieceProcessor, ProcessorDeleter> processor_;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_SENTENCEPIECE_BACKEND_H_
