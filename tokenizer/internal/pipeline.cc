#include "tokenizer/internal/pipeline.h"

#include <memory>
#include <vector>

#include "tokenizer/internal/piece_cache.h"
#include "tokenizer/internal/thread_caches.h"

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

template <typename OnPiece, typename OnAdded, typename OnSegmentEnd>
void Pipeline::Traverse(std::string_view text, bool allow_special, OnPiece&& on_piece,
                        OnAdded&& on_added, OnSegmentEnd&& on_segment_end) const {
  auto run_pieces = [&](std::string_view segment) { pre_tokenizer.ForEach(segment, on_piece); };
  SplitOnAdded(raw_added, allow_special, text, [&](std::string_view segment) {
    std::string storage;
    std::string_view normalized = normalizer.Apply(segment, &storage);
    SplitOnAdded(normalized_added, allow_special, normalized, run_pieces, on_added);
    on_segment_end();  // the pieces' storage ends here
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
      [&](uint32_t id) { sink->Add(&id, 1); }, [] {});
}

namespace {

thread_local ThreadCaches<PieceCountCache> piece_caches;
thread_local ThreadCaches<LongPieceCountCache> long_piece_caches;

}  // namespace

void Pipeline::ResetThreadCaches() {
  piece_caches.Clear();
  long_piece_caches.Clear();
  BpeModel::ResetThreadCaches();
}

// Rare except in SentencePiece-style text (words of 2-3-byte characters):
// looked up one at a time, out of the hot loop.
__attribute__((noinline)) size_t Pipeline::CountLongPiece(std::string_view piece,
                                                          BpeModel::Scratch* scratch) const {
  if (piece.size() > LongPieceCountCache::kMaxPiece) {
    model.MergeWord(piece, scratch);
    return scratch->ids().size();
  }
  LongPieceCountCache& cache = long_piece_caches.Get(model.serial());
  const uint64_t h = LongPieceCountCache::Hash(piece);
  int n = cache.Find(piece, h);
  if (n < 0) {
    model.MergeWord(piece, scratch);
    n = static_cast<int>(scratch->ids().size());
    cache.Insert(piece, h, n);
  }
  return static_cast<size_t>(n);
}

size_t Pipeline::Count(std::string_view text, bool allow_special) const {
  thread_local BpeModel::Scratch scratch;
  PieceCountCache* cache = &piece_caches.Get(model.serial());
  // Pieces wait in a small batch whose cache slots are prefetched: the
  // lookups then miss in parallel (the slots span megabytes, and one miss
  // at a time was half of the warm count). Pieces not in the cache wait
  // again, to be merged side by side (BpeModel::CountWords). Order does not
  // matter to a sum; both batches are emptied before a normalized
  // segment's storage goes away.
  struct Pending {
    std::string_view piece;
    uint64_t hash;
  };
  constexpr int kBatch = 16;
  Pending batch[kBatch];
  int pending = 0;
  constexpr int kMissBatch = 16;
  std::string_view missed[kMissBatch];
  uint64_t missed_hash[kMissBatch];
  uint32_t missed_count[kMissBatch];
  int misses = 0;
  size_t total = 0;
  auto merge_missed = [&] {
    if (misses == 0) return;
    model.CountWords(missed, misses, missed_count, &scratch);
    for (int i = 0; i < misses; ++i) {
      cache->Insert(missed[i], missed_hash[i], static_cast<int>(missed_count[i]));
      total += missed_count[i];
    }
    misses = 0;
  };
  auto look_up = [&] {
    for (int i = 0; i < pending; ++i) {
      const int n = cache->Find(batch[i].piece, batch[i].hash);
      if (n >= 0) {
        total += static_cast<size_t>(n);
        continue;
      }
      missed[misses] = batch[i].piece;
      missed_hash[misses] = batch[i].hash;
      if (++misses == kMissBatch) merge_missed();
    }
    pending = 0;
  };
  auto flush = [&] {
    look_up();
    merge_missed();
  };
  Traverse(
      text, allow_special,
      [&](std::string_view piece) {
        if (piece.size() > PieceCountCache::kMaxPiece) {
          total += CountLongPiece(piece, &scratch);
          return;
        }
        const uint64_t h = PieceCountCache::Hash(piece);
        cache->Prefetch(h);
        batch[pending++] = {piece, h};
        if (pending == kBatch) look_up();
      },
      [&](uint32_t) { ++total; }, flush);
  return total;
}

bool Pipeline::SplittableAtLines() const {
  return !pre_tokenizer.empty() && !raw_added.HasTokenWithNewline() &&
         !normalized_added.HasTokenWithNewline();
}

}  // namespace tokcost::tokenizer_internal
