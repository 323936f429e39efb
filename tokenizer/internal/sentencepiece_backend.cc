#include "tokenizer/internal/sentencepiece_backend.h"

#include <sentencepiece_processor.h>

namespace tokcost::tokenizer_internal {

SentencePieceBackend::SentencePieceBackend()
    : processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}

SentencePieceBackend::~SentencePieceBackend() = default;

StatusOr<std::unique_ptr<SentencePieceBackend>> SentencePieceBackend::Load(const std::string& path) {
  std::unique_ptr<SentencePieceBackend> b(new SentencePieceBackend());
  const auto status = b->processor_->Load(path);
  if (!status.ok()) {
    return InvalidArgumentError(path + ": not a SentencePiece model: " + status.ToString());
  }
  return b;
}

StatusOr<std::vector<uint32_t>> SentencePieceBackend::Encode(std::string_view text) const {
  std::vector<int> ids;
  const auto status = processor_->Encode(absl::string_view(text.data(), text.size()), &ids);
  if (!status.ok()) return InvalidArgumentError("sentencepiece: " + status.ToString());
  return std::vector<uint32_t>(ids.begin(), ids.end());
}

}  // namespace tokcost::tokenizer_internal
