#include "tokenizer/internal/pipeline.h"

#include <vector>

namespace tokcost::tokenizer_internal {
namespace {

// Calls on_text for the stretches between added tokens and on_token for
// each added token, leftmost-longest.
template <typename OnText, typename OnToken>
void SplitOnAdded(const AddedVocab& added, bool allow_special,
                  std::string_view text, OnText&& on_text, OnToken&& on_token) {
  if (added.empty(allow_special)) {
    on_text(text);
    return;
  }
  size_t start = 0;
  size_t pos = added.NextCandidate(text, 0);
  while (pos < text.size()) {
    uint32_t id;
    size_t len = added.MatchAt(text, pos, allow_special, &id);
    if (len == 0) {
      pos = added.NextCandidate(text, pos + 1);
      continue;
    }
    if (start < pos) on_text(text.substr(start, pos - start));
    on_token(id);
    start = pos + len;
    pos = added.NextCandidate(text, start);
  }
  if (start < text.size()) on_text(text.substr(start));
}

}  // namespace

void Pipeline::Run(std::string_view text, bool allow_special,
                   TokenSink* sink) const {
  BpeModel::Scratch scratch;
  SplitOnAdded(
      raw_added, allow_special, text,
      [&](std::string_view segment) {
        std::string storage;
        std::string_view normalized = normalizer.Apply(segment, &storage);
        RunNormalized(normalized, allow_special, &scratch, sink);
      },
      [&](uint32_t id) { sink->Add(&id, 1); });
}

void Pipeline::RunNormalized(std::string_view text, bool allow_special,
                             BpeModel::Scratch* scratch,
                             TokenSink* sink) const {
  SplitOnAdded(
      normalized_added, allow_special, text,
      [&](std::string_view segment) { RunPieces(segment, scratch, sink); },
      [&](uint32_t id) { sink->Add(&id, 1); });
}

void Pipeline::RunPieces(std::string_view text, BpeModel::Scratch* scratch,
                         TokenSink* sink) const {
  std::vector<std::string_view> pieces;
  pre_tokenizer.Split(text, &pieces);
  for (std::string_view piece : pieces) {
    model.MergeWord(piece, scratch);
    sink->Add(scratch->ids().data(), scratch->ids().size());
  }
}

}  // namespace tokcost::tokenizer_internal
