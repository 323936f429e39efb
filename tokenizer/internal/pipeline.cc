#include "tokenizer/internal/pipeline.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "tokenizer/internal/line_cache.h"
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
    on_segment_end(normalized.data() != segment.data());  // whether the pieces' storage ends
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
      [&](uint32_t id) { sink->Add(&id, 1); }, [](bool) {});
}

namespace {

thread_local ThreadCaches<LongPieceCountCache> long_piece_caches;
thread_local ThreadCaches<WideLongPieceCountCache> wide_long_piece_caches;
thread_local ThreadCaches<LineCountCache> line_caches;

}  // namespace

Pipeline::Pipeline(BpeModel::Options options)
    : model(options), pieces_(std::make_unique<SharedPieceCountCache>()) {}

Pipeline::~Pipeline() = default;

void Pipeline::ResetThreadCaches() { ResetAllThreadCaches(); }

SharedPieceCountCache& Pipeline::Pieces() const {
  const uint64_t epoch = thread_caches_epoch.load(std::memory_order_relaxed);
  if (pieces_epoch_.load(std::memory_order_acquire) != epoch) {
    // Threads that start counting meanwhile wait here, not in a cache being
    // emptied.
    std::lock_guard<std::mutex> lock(pieces_reset_);
    if (pieces_epoch_.load(std::memory_order_relaxed) != epoch) {
      pieces_->Clear();
      pieces_epoch_.store(epoch, std::memory_order_release);
    }
  }
  return *pieces_;
}

// Rare except in SentencePiece-style text (words of 2-3-byte characters):
// looked up one at a time, out of the hot loop.
__attribute__((noinline)) size_t Pipeline::CountLongPiece(std::string_view piece,
                                                          BpeModel::Scratch* scratch) const {
  if (piece.size() > LongPieceCountCache::kMaxPiece) {
    model.MergeWord(piece, scratch);
    return scratch->ids().size();
  }
  auto count = [&](auto& cache) {
    const uint64_t h = cache.Hash(piece);
    int n = cache.Find(piece, h);
    if (n < 0) {
      model.MergeWord(piece, scratch);
      n = static_cast<int>(scratch->ids().size());
      cache.Insert(piece, h, n);
    }
    return static_cast<size_t>(n);
  };
  return model.byte_level() ? count(long_piece_caches.Get(model.serial()))
                            : count(wide_long_piece_caches.Get(model.serial()));
}

size_t Pipeline::Count(std::string_view text, bool allow_special) const {
  thread_local BpeModel::Scratch scratch;
  PieceCountCache* cache = &Pieces();
  // Pieces wait in a small batch whose cache slots are prefetched: the
  // lookups then miss in parallel (the slots span megabytes, and one miss
  // at a time was half of the warm count). Pieces not in the cache wait
  // again, to be merged side by side (BpeModel::CountWords). Each piece's
  // count goes to the sum it belongs to (the total, or its line chunk's);
  // both batches are emptied before a normalized segment's storage goes
  // away.
  struct Pending {
    std::string_view piece;
    uint64_t hash;
    size_t* sum;
  };
  constexpr int kBatch = 16;
  Pending batch[kBatch];
  int pending = 0;
  constexpr int kMissBatch = 16;
  std::string_view missed[kMissBatch];
  uint64_t missed_hash[kMissBatch];
  size_t* missed_sum[kMissBatch];
  uint32_t missed_count[kMissBatch];
  int misses = 0;
  size_t total = 0;
  size_t* sum = &total;  // where the pieces being split now are counted
  auto merge_missed = [&] {
    if (misses == 0) return;
    model.CountWords(missed, misses, missed_count, &scratch);
    for (int i = 0; i < misses; ++i) {
      cache->Insert(missed[i], missed_hash[i], static_cast<int>(missed_count[i]));
      *missed_sum[i] += missed_count[i];
    }
    misses = 0;
  };
  auto look_up = [&] {
    for (int i = 0; i < pending; ++i) {
      const int n = cache->Find(batch[i].piece, batch[i].hash);
      if (n >= 0) {
        *batch[i].sum += static_cast<size_t>(n);
        continue;
      }
      missed[misses] = batch[i].piece;
      missed_hash[misses] = batch[i].hash;
      missed_sum[misses] = batch[i].sum;
      if (++misses == kMissBatch) merge_missed();
    }
    pending = 0;
  };
  auto flush = [&] {
    look_up();
    merge_missed();
  };
  // A byte-level model has a token for every byte, so a one-byte piece
  // (16% of the corpus's pieces: spaces, punctuation, digits) is one token
  // without a hash or a lookup; two-byte pieces have a table of their own.
  const bool byte_level = model.byte_level();
  // Inlined into the scanner's loop (without the attribute, two call sites
  // made GCC keep it out of line: +15M instructions, cachegrind, o200k).
  auto on_piece = [&](std::string_view piece) __attribute__((always_inline)) {
    if (piece.size() <= 2) {
      if (piece.size() == 1 && byte_level) {
        ++*sum;
        return;
      }
      if (const int n = piece.size() == 2 ? cache->FindTwoBytes(piece) : -1; n >= 0) {
        *sum += static_cast<size_t>(n);
        return;
      }
    }
    if (piece.size() > PieceCountCache::kMaxPiece) {
      *sum += CountLongPiece(piece, &scratch);
      return;
    }
    const uint64_t h = PieceCountCache::Hash(piece);
    cache->Prefetch(h);
    batch[pending++] = {piece, h, sum};
    if (pending == kBatch) look_up();
  };
  auto on_added = [&](uint32_t) { ++*sum; };
  auto on_segment_end = [&](bool storage_ends) {
    if (storage_ends) flush();
  };
  if (!ChunksAtLineStarts()) {
    Traverse(text, allow_special, on_piece, on_added, on_segment_end);
    flush();
    return total;
  }
  // Line chunks: one seen before is counted from the line cache. New ones
  // wait (with their sums) until their pieces are counted, in groups, so
  // the piece batches above are not cut short at every line.
  LineCountCache& lines = line_caches.Get(model.serial() * 2 + (allow_special ? 1 : 0));
  const LineCountCache::TextScope scope(&lines, text);
  struct Open {
    std::string_view chunk;
    uint64_t hash;
    size_t sum;
    bool copy;  // seen in an earlier text: kept in the cache's own memory
  };
  constexpr int kOpen = 64;
  constexpr size_t kUncachedStretch = 32 << 10;
  Open open[kOpen];
  int opened = 0;
  auto close_open = [&] {
    flush();
    for (int i = 0; i < opened; ++i) {
      lines.Insert(open[i].chunk, open[i].hash, open[i].sum, open[i].copy);
      total += open[i].sum;
    }
    opened = 0;
  };
  // tiktoken encodings (no normalizer, no special tokens unless allowed):
  // straight to the pre-tokenizer, without Traverse's setup per chunk.
  const bool plain = normalizer.identity() && raw_added.empty(allow_special) &&
                     normalized_added.empty(allow_special);
  // Counts `part` into *into.
  auto count_into = [&](std::string_view part, size_t* into) {
    sum = into;
    if (plain) {
      pre_tokenizer.ForEach(part, on_piece);
    } else {
      Traverse(part, allow_special, on_piece, on_added, on_segment_end);
    }
  };
  auto cacheable = [](std::string_view chunk) {
    return chunk.size() >= LineCountCache::kMinChunk && chunk.size() <= LineCountCache::kMaxChunk;
  };
  auto hash_of = [&](std::string_view chunk) -> uint64_t {
    return cacheable(chunk) ? LineCountCache::Hash(chunk) : 0;
  };
  // The chunk at `start` and the next; the next one's bucket is prefetched
  // while this one is counted.
  size_t start = 0, end = PreTokenizer::NextLineStart(text, 0);
  uint64_t hash = hash_of(text.substr(0, end));
  while (start < text.size()) {
    if (lines.Unrewarding()) {
      // Text whose lines do not repeat: the lookups would cost more than
      // they save, so a stretch is counted without them before they are
      // tried again (the corpus without its repeated lines, o200k,
      // cachegrind: +9.4% instructions with lookups everywhere, +4.2% so).
      const size_t stop =
          PreTokenizer::NextLineStart(text, std::min(text.size(), start + kUncachedStretch));
      count_into(text.substr(start, stop - start), &total);
      start = stop;
      end = PreTokenizer::NextLineStart(text, start);
      hash = hash_of(text.substr(start, end - start));
      continue;
    }
    const std::string_view chunk = text.substr(start, end - start);
    const size_t next_end = PreTokenizer::NextLineStart(text, end);
    const uint64_t next_hash = hash_of(text.substr(end, next_end - end));
    if (next_hash != 0) lines.Prefetch(next_hash);
    if (!cacheable(chunk)) {
      count_into(chunk, &total);
    } else if (const int64_t known = lines.FindAndTally(chunk, hash); known >= 0) {
      total += static_cast<size_t>(known);
    } else {
      if (opened == kOpen) close_open();
      open[opened] = {chunk, hash, 0, known == LineCountCache::kSeenEarlier};
      count_into(chunk, &open[opened++].sum);
    }
    start = end;
    end = next_end;
    hash = next_hash;
  }
  close_open();
  return total;
}

std::bitset<256> Pipeline::CutBytes() const {
  std::bitset<256> none;
  // A replacement holding a newline could match across the cut.
  if (pre_tokenizer.empty() || normalizer.MayJoinAcrossNewlines()) return none;
  std::bitset<256> ascii_letters;
  for (int c = 'A'; c <= 'Z'; ++c) ascii_letters.set(c).set(c + ('a' - 'A'));
  const std::bitset<256> added =
      raw_added.newline_followers() | normalized_added.newline_followers();
  // The scanner ends a piece after a newline before a letter (what
  // NextLineStart allows and more), and no token crosses a piece.
  if (pre_tokenizer.CutsAtLineStarts()) return ascii_letters & ~added;
  if (pre_tokenizer.LiteralHoldsNewline()) return none;
  // Otherwise the pieces are the same but for the one cut in two, and BPE
  // leaves its halves as it would the whole when no token holds the newline
  // and the byte after it. Tested on the normalized text: a byte that
  // starts a replacement's pattern may be another there, and NFC may
  // compose a letter with the marks after it, so with NFC only ASCII
  // letters, and only if no token has any after a newline (the rule
  // before 2026-12-06).
  std::bitset<256> cut = ~(added | token_newline_followers);
  cut.reset('\n');
  for (const Normalizer::Step& step : normalizer.steps()) {
    if (step.kind == Normalizer::Step::kReplace && !step.pattern.empty()) {
      cut.reset(static_cast<unsigned char>(step.pattern[0]));
    } else if (step.kind == Normalizer::Step::kNfc) {
      if ((ascii_letters & ~cut).any()) return none;
      cut &= ascii_letters;
    }
  }
  return cut;
}

}  // namespace tokcost::tokenizer_internal
