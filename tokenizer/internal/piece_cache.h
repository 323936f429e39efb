// Per-thread caches of piece -> token count for the count-only path: real
// text repeats its words, so most pieces skip BPE entirely. Two-way
// set-associative and bounded: each bucket holds two pieces, the newer
// first; a new piece pushes out the older. Direct-mapped (one slot per
// piece), a warm pass over the 10.5 MB corpus merged 21,600 pieces again,
// evicted by pieces sharing their slot; two-way, 4,900 (a first pass:
// 93,700 -> 84,600 merges; bench/count_speed, o200k, counted in MergeWord).
// PieceCountCache holds pieces of up to 30 bytes, a bucket per 64-byte
// cache line; LongPieceCountCache, wider slots, those of 31-126 bytes
// (SentencePiece words: U+2581 and Cyrillic letters take 2-3 bytes each).
// Not thread-safe: one per thread (see Pipeline::Count).
#ifndef TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_
#define TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/internal/anonymous_memory.h"
#include "tokenizer/internal/short_bytes.h"

namespace tokcost::tokenizer_internal {

template <size_t kSlotBytes, size_t kBucketCount>
class BasicPieceCountCache {
 public:
  static constexpr size_t kMaxPiece = kSlotBytes - 2;  // longer pieces are not cached
  static constexpr size_t kBuckets = kBucketCount;

  // An all-zero slot is empty (pieces are never empty). Huge pages: a
  // lookup lands anywhere in megabytes, and with 4 KB pages most lookups
  // also missed the TLB (first pass over the corpus +8-15%, o200k).
  BasicPieceCountCache()
      : memory_(kBytes, AnonymousMemory::kHugePages), slots_(static_cast<Slot*>(memory_.data())) {}

  // Returns the cached count, or -1.
  int Find(std::string_view piece, uint64_t hash) const {
    const Slot* bucket = BucketOf(hash);
    for (int way = 0; way < 2; ++way) {
      const Slot& s = bucket[way];
      if (s.length == piece.size() && EqualBytes(s.bytes, piece.data(), piece.size())) {
        return s.count;
      }
    }
    return -1;
  }

  // The new piece goes first in its bucket; the older of the two is dropped.
  void Insert(std::string_view piece, uint64_t hash, int count) {
    if (count > 255) return;  // not from a piece this short
    Slot* bucket = BucketOf(hash);
    bucket[1] = bucket[0];
    bucket[0].length = static_cast<uint8_t>(piece.size());
    bucket[0].count = static_cast<uint8_t>(count);
    std::memcpy(bucket[0].bytes, piece.data(), piece.size());
  }

  // Starts loading the bucket `hash` maps to: Count looks pieces up a batch
  // at a time, so the cache misses of a batch overlap instead of queuing.
  void Prefetch(uint64_t hash) const {
    const char* b = reinterpret_cast<const char*>(BucketOf(hash));
    for (size_t line = 0; line < sizeof(Slot) * 2; line += 64) __builtin_prefetch(b + line);
  }

  // Eight bytes at a time with a multiply-xorshift mix: pieces are short.
  // (Not the vocabulary's HashBytes, whose head the vocabulary compares
  // anyway: here it cost 7% more instructions, cachegrind, o200k.)
  // The last 1-7 bytes are read with fixed-size (overlapping) loads: a
  // variable-length memcpy here cost a fifth of the warm count.
  static uint64_t Hash(std::string_view piece) {
    const char* p = piece.data();
    const size_t n = piece.size();
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      h = (h ^ Load64(p + i)) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    const size_t r = n - i;
    uint64_t tail;
    if (r >= 4) {
      tail = (static_cast<uint64_t>(Load32(p + i)) << 32) | Load32(p + n - 4);
    } else if (r > 0) {
      tail = (static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << 16) |
             (static_cast<uint64_t>(static_cast<unsigned char>(p[i + r / 2])) << 8) |
             static_cast<unsigned char>(p[n - 1]);
    } else {
      tail = 0;
    }
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    return h ^ (h >> 29);
  }

 private:
  struct Slot {
    uint8_t length;  // 0: empty (pieces are never empty)
    uint8_t count;
    char bytes[kMaxPiece];
  };
  static_assert(sizeof(Slot) == kSlotBytes && kSlotBytes % 32 == 0,
                "a bucket fills whole cache lines (mmap aligns the first)");
  const Slot* BucketOf(uint64_t hash) const { return &slots_[(hash & (kBuckets - 1)) * 2]; }
  Slot* BucketOf(uint64_t hash) { return &slots_[(hash & (kBuckets - 1)) * 2]; }
  static constexpr size_t kBytes = kBuckets * 2 * sizeof(Slot);
  AnonymousMemory memory_;
  Slot* slots_;  // memory_, typed
};

// 8 MB and 2 MB (16 and 8 until 2026-12-05): a first pass touches nearly
// every page of them, and fresh memory is dear on the VMs these run on. A
// process's first count of the corpus spent a median 28 ms in the kernel
// with the larger ones, 4 ms with these (o200k, eight processes of each,
// alternated; wall 157 -> 125 ms). Line chunks (line_cache.h) took over
// most of the repeats a larger cache caught.
using PieceCountCache = BasicPieceCountCache<32, size_t{1} << 17>;
using LongPieceCountCache = BasicPieceCountCache<128, size_t{1} << 13>;

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_
