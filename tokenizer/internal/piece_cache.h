// Caches of piece -> token count for the count-only path: real text
// repeats its words, so most pieces skip BPE entirely. Two-way
// set-associative and bounded: each bucket holds two pieces, the newer
// first; a new piece pushes out the older. Direct-mapped (one slot per
// piece), a warm pass over the 10.5 MB corpus merged 21,600 pieces again,
// evicted by pieces sharing their slot; two-way, 4,900 (a first pass:
// 93,700 -> 84,600 merges; bench/count_speed, o200k, counted in MergeWord).
//
// PieceCountCache (SharedPieceCountCache), pieces of up to 28 bytes, a
// bucket per 64-byte cache line: one per model, shared by all threads,
// thread-safe. LongPieceCountCache, wider slots, pieces of up to 126 bytes
// (SentencePiece words: U+2581 and Cyrillic letters take 2-3 bytes each):
// rarer, one per thread, not thread-safe (see Pipeline::Count).
#ifndef TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_
#define TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/internal/anonymous_memory.h"
#include "tokenizer/internal/short_bytes.h"

namespace tokcost::tokenizer_internal {

// Eight bytes at a time with a multiply-xorshift mix: pieces are short.
// (Not the vocabulary's HashBytes, whose head the vocabulary compares
// anyway: here it cost 7% more instructions, cachegrind, o200k.)
// The last 1-7 bytes are read with fixed-size (overlapping) loads: a
// variable-length memcpy here cost a fifth of the warm count.
inline uint64_t HashPiece(std::string_view piece) {
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

  static uint64_t Hash(std::string_view piece) { return HashPiece(piece); }

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

// The main piece cache, one per model, shared by every thread that counts
// with it: threads counting parts of one text (CountParallel) merge many of
// the same pieces, and each thread's own cache made both merge them and
// both fault in 8 MB of fresh memory (`count -j 2`, one cold pass: 1.5
// times the CPU time of `-j 1`).
//
// A bucket is one cache line: a head word (a lock bit, a version, and each
// slot's length and count) and two slots' bytes. A reader copies the bytes
// and takes them only if the head was unlocked and unchanged around the
// copy (a sequence lock); a writer that finds the bucket locked skips its
// insert (it is a cache). Pieces of up to 28 bytes. Thread-safe.
class SharedPieceCountCache {
 public:
  static constexpr size_t kMaxPiece = 28;
  static constexpr size_t kBuckets = size_t{1} << 16;  // 4 MB

  SharedPieceCountCache()
      : memory_(kBuckets * sizeof(Bucket), AnonymousMemory::kHugePages),
        buckets_(static_cast<Bucket*>(memory_.data())),
        two_memory_(kTwoByteEntries, AnonymousMemory::kSmallPages),
        two_(static_cast<std::atomic<uint8_t>*>(two_memory_.data())) {}

  // Pieces of two bytes (9% of the corpus's pieces) have a table of their
  // own, indexed by the bytes: no hash, no compare, and no bucket of the
  // main table (Insert puts them there). Returns the cached count, or -1.
  int FindTwoBytes(std::string_view piece) const {
    const uint8_t n = two_[TwoByteIndex(piece)].load(std::memory_order_relaxed);
    return n == 0 ? -1 : n;
  }

  // Returns the cached count, or -1. Two-byte pieces are never found here
  // (see FindTwoBytes): a check for them on every lookup cost 0.7% more
  // instructions, and Count asks FindTwoBytes first.
  int Find(std::string_view piece, uint64_t hash) const {
    const Bucket& b = buckets_[hash & (kBuckets - 1)];
    const uint64_t head = b.head.load(std::memory_order_acquire);
    if ((head & kLocked) != 0) return -1;
    int way = -1;
    if (Length(head, 0) == piece.size() && SlotEquals(b, 0, piece)) {
      way = 0;
    } else if (Length(head, 1) == piece.size() && SlotEquals(b, kSlot1, piece)) {
      way = 1;
    }
    if (way < 0) return -1;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (b.head.load(std::memory_order_relaxed) != head) return -1;  // written meanwhile
    return Count(head, way);
  }

  // The new piece goes first in its bucket; the older one moves second if
  // it fits there (up to 24 bytes), and the one second before is dropped.
  void Insert(std::string_view piece, uint64_t hash, int count) {
    if (count > 255 || piece.size() > kMaxPiece) return;
    if (piece.size() == 2) {
      two_[TwoByteIndex(piece)].store(static_cast<uint8_t>(count), std::memory_order_relaxed);
      return;
    }
    Bucket& b = buckets_[hash & (kBuckets - 1)];
    uint64_t head = b.head.load(std::memory_order_relaxed);
    if ((head & kLocked) != 0 ||
        !b.head.compare_exchange_strong(head, head | kLocked, std::memory_order_relaxed)) {
      return;  // another thread is writing this bucket
    }
    std::atomic_thread_fence(std::memory_order_release);  // the lock before the bytes
    const bool keep = Length(head, 0) <= kMaxSecond;
    const uint64_t mask = keep ? ~uint64_t{0} : 0;
    const uint64_t old0 = b.bytes[0].load(std::memory_order_relaxed);
    const uint64_t old1 = b.bytes[1].load(std::memory_order_relaxed);
    const uint64_t old2 = b.bytes[2].load(std::memory_order_relaxed);
    b.bytes[4].store(old0 & mask, std::memory_order_relaxed);
    b.bytes[5].store(old1 & mask, std::memory_order_relaxed);
    b.bytes[6].store(old2 & mask, std::memory_order_relaxed);
    uint64_t words[kSlot1] = {0, 0, 0, 0};
    const size_t n = piece.size(), full = n / 8;  // full <= 3: n <= 28
    for (size_t k = 0; k < full; ++k) words[k] = Load64(piece.data() + 8 * k);
    words[full] = Tail(piece);
    for (size_t k = 0; k < kSlot1; ++k) b.bytes[k].store(words[k], std::memory_order_relaxed);
    const uint64_t version = (head + 2) & kVersionMask;  // bit 0 (the lock) stays clear
    const uint64_t second = keep ? Slot(1, Length(head, 0), Count(head, 0)) : 0;
    b.head.store(version | Slot(0, n, count) | second, std::memory_order_release);
  }

  // Starts loading the bucket `hash` maps to (Count looks pieces up a
  // batch at a time, so the misses of a batch overlap).
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&buckets_[hash & (kBuckets - 1)]); }

  // Empties the cache (benchmarks; no thread may be using it): its pages
  // go back to the kernel and come back zeroed, as at the first pass.
  void Clear() {
    madvise(memory_.data(), kBuckets * sizeof(Bucket), MADV_DONTNEED);
    madvise(two_memory_.data(), kTwoByteEntries, MADV_DONTNEED);
  }

  static uint64_t Hash(std::string_view piece) { return HashPiece(piece); }

 private:
  // Slot 0 is words 0-3 (28 bytes; the last 4 stay zero), slot 1 words
  // 4-6 (24 bytes): each starts on a word, so pieces compare a word at a
  // time, straight from the atomics. Bytes past a piece are zero.
  static constexpr size_t kWords = 7;
  static constexpr size_t kSlot1 = 4;
  static constexpr size_t kMaxSecond = 8 * (kWords - kSlot1);
  struct alignas(64) Bucket {
    std::atomic<uint64_t> head;
    std::atomic<uint64_t> bytes[kWords];
  };
  // The piece's last n % 8 bytes as a word, zero above (0 when none),
  // read without touching a byte past it.
  static uint64_t Tail(std::string_view piece) {
    const size_t n = piece.size(), r = n % 8;
    if (r == 0) return 0;
    return n >= 8 ? Load64(piece.data() + n - 8) >> (64 - 8 * r) : HeadBytes(piece.data(), n);
  }
  // Whether the slot starting at word `base` holds `piece`, given that its
  // length is piece's.
  static bool SlotEquals(const Bucket& b, size_t base, std::string_view piece) {
    const size_t full = piece.size() / 8;
    for (size_t k = 0; k < full; ++k) {
      if (b.bytes[base + k].load(std::memory_order_relaxed) != Load64(piece.data() + 8 * k)) {
        return false;
      }
    }
    return piece.size() % 8 == 0 ||
           b.bytes[base + full].load(std::memory_order_relaxed) == Tail(piece);
  }
  // head: bit 0 locked, bits 1-31 a version; from bit 32 + 16 * way, the
  // slot's length, and 8 bits above it its count. All zero: empty.
  static constexpr uint64_t kLocked = 1;
  static constexpr uint64_t kVersionMask = 0xFFFFFFFEu;
  static size_t Length(uint64_t head, int way) { return (head >> (32 + 16 * way)) & 0xFF; }
  static int Count(uint64_t head, int way) { return static_cast<int>((head >> (40 + 16 * way)) & 0xFF); }
  static uint64_t Slot(int way, size_t length, int count) {
    return (static_cast<uint64_t>(length) | static_cast<uint64_t>(count) << 8) << (32 + 16 * way);
  }
  static_assert(sizeof(Bucket) == 64 && std::atomic<uint64_t>::is_always_lock_free);
  static constexpr size_t kTwoByteEntries = size_t{1} << 16;  // a count per byte pair; 0: none
  static size_t TwoByteIndex(std::string_view piece) {
    return static_cast<size_t>(static_cast<unsigned char>(piece[0])) << 8 |
           static_cast<unsigned char>(piece[1]);
  }
  static_assert(sizeof(std::atomic<uint8_t>) == 1 && std::atomic<uint8_t>::is_always_lock_free);
  static_assert(kMaxPiece < 8 * kSlot1, "Insert writes the tail word at index n / 8");
  AnonymousMemory memory_;
  Bucket* buckets_;  // memory_, typed; zero pages are empty buckets
  AnonymousMemory two_memory_;
  std::atomic<uint8_t>* two_;  // two_memory_, typed
};

// 4 MB (PieceCountCache) and 512 KB (16 MB and 8 MB until the tenth
// session, 8 MB and 2 MB until the thirteenth): a first pass touches nearly
// every page of them, and fresh memory is dear on the VMs these run on. A
// process's first count of the corpus spent a median 28 ms in the kernel
// with the largest, 4 ms with the next (o200k, eight processes of each,
// alternated; wall 157 -> 125 ms). Line chunks (line_cache.h) took over
// most of the repeats a larger cache caught, and two-byte symbols made a
// miss cheaper: halving both again cost 0.6% more instructions (one cold
// Count of the corpus, cachegrind, o200k) and 4 MB less memory new to the
// process; `count` of the 19.8 MB mix and of 6.5 MB of random multi-script
// words took as long or less (perf stat -r 5, two alternations).
//
// SentencePiece-style models have 8 MB for long pieces instead: they split
// only before a space mark, so their pieces often pass 28 bytes (a Russian
// word with its mark, or punctuation, a line break and the next line's
// first word), and they have no line cache. With 2 MB, Gemma 3 missed
// 54,400 long pieces in a first pass over the corpus and 50,000 again in
// each warm pass (36.7-37.0 MB/s warm; 50.8-52.9 with 8 MB, for 6 MB more
// fresh memory: 12.8 MB in all).
using PieceCountCache = SharedPieceCountCache;
using LongPieceCountCache = BasicPieceCountCache<128, size_t{1} << 11>;
using WideLongPieceCountCache = BasicPieceCountCache<128, size_t{1} << 15>;

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_PIECE_CACHE_H_
