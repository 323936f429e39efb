#include "tokenizer/internal/pipeline.h"

#include <memory>
#include <vector>

#include "tokenizer/internal/piece_cache.h"

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

template <typename OnPiece, typename OnAdded>
void Pipeline::Traverse(std::string_view text, bool allow_special, OnPiece&& on_piece,
                        OnAdded&& on_added) const {
  thread_local std::vector<std::string_view> pieces;
  auto run_pieces = [&](std::string_view segment) {
    pre_tokenizer.ForEach(segment, on_piece, &pieces);
  };
  SplitOnAdded(raw_added, allow_special, text, [&](std::string_view segment) {
    std::string storage;
    std::string_view normalized = normalizer.Apply(segment, &storage);
    SplitOnAdded(normalized_added, allow_special, normalized, run_pieces, on_added);
  }, on_added);
}

void Pipeline::Run(std::string_view text, bool allow_special, TokenSink* sink) const {
  BpeModel::Scratch scratch;
  Traverse(
      text, allow_special,
      [&](std::string_view piece) {
        model.MergeWord(piece, &scratch);
        sink->Add(scratch.ids().data(), scratch.ids().size());
      },
      [&](uint32_t id) { sink->Add(&id, 1); });
}

namespace {

// One cache per thread, for the pipeline that used it last (the common case
// is a single pipeline per thread).
thread_local const Pipeline* cache_owner = nullptr;
thread_local std::unique_ptr<PieceCountCache> cache;

}  // namespace

void Pipeline::ResetPieceCache() { cache.reset(); }

size_t Pipeline::Count(std::string_view text, bool allow_special) const {
  thread_local BpeModel::Scratch scratch;
  const Pipeline*& owner = cache_owner;
  if (owner != this || !cache) {
    cache = std::make_unique<PieceCountCache>();
    owner = this;
  }
  size_t total = 0;
  Traverse(
      text, allow_special,
      [&](std::string_view piece) {
        if (piece.size() > PieceCountCache::kMaxPiece) {
          model.MergeWord(piece, &scratch);
          total += scratch.ids().size();
          return;
        }
        const uint64_t h = PieceCountCache::Hash(piece);
        int n = cache->Find(piece, h);
        if (n < 0) {
          model.MergeWord(piece, &scratch);
          n = static_cast<int>(scratch.ids().size());
          cache->Insert(piece, h, n);
        }
        total += static_cast<size_t>(n);
      },
      [&](uint32_t) { ++total; });
  return total;
}

bool Pipeline::SplittableAtLines() const {
  return !pre_tokenizer.empty() && !raw_added.HasTokenWithNewline() &&
         !normalized_added.HasTokenWithNewline();
}

}  // namespace tokcost::tokenizer_internal
