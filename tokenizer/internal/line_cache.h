// A per-thread cache of line chunk -> token count for the count-only path.
// Text repeats whole lines (licence boilerplate, code, the system prompt of
// every request in a workload); a chunk seen before skips pre-tokenization
// and the piece cache. A chunk is the text between two cuts that
// PreTokenizer::NextLineStart finds. Its bytes are kept and compared on a
// hit, so a count is never taken from a hash match alone.
//
//   LineCountCache cache;
//   const uint64_t h = LineCountCache::Hash(chunk);
//   int64_t n = cache.Find(chunk, h);
//   if (n < 0) cache.Insert(chunk, h, n = CountSomehow(chunk));
//
// Bounded: 4 MB of entries in 4-way buckets (a new chunk pushes out the
// oldest of its bucket) and a 16 MB arena of chunk bytes; when the arena is
// full, everything is dropped and filling starts again.
// Not thread-safe: one per thread (see Pipeline::Count).
#ifndef TOKCOST_TOKENIZER_INTERNAL_LINE_CACHE_H_
#define TOKCOST_TOKENIZER_INTERNAL_LINE_CACHE_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "tokenizer/internal/anonymous_memory.h"
#include "tokenizer/internal/short_bytes.h"

namespace tokcost::tokenizer_internal {

class LineCountCache {
 public:
  // Shorter chunks cost about as much to look up as to count; longer ones
  // rarely repeat and would fill the arena.
  static constexpr size_t kMinChunk = 8;
  static constexpr size_t kMaxChunk = 16 << 10;
  static constexpr size_t kTallyWindow = 256;

  LineCountCache() { Reset(); }

  // HashBytes mixes a key's last word into the low bits weakly, and
  // buckets are picked by the low bits: 2,000 lines "line 000000\n" to
  // "line 001999\n" fell into 200 buckets and pushed one another out. A
  // final xor-shift-multiply spreads them.
  static uint64_t Hash(std::string_view chunk) {
    uint64_t h = HashBytes(chunk, HeadBytes(chunk.data(), chunk.size()));
    h = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ULL;
    return h ^ (h >> 32);
  }

  // Returns the cached count, or -1.
  int64_t Find(std::string_view chunk, uint64_t hash) const {
    const Entry* bucket = BucketOf(hash);
    const uint32_t tag = static_cast<uint32_t>(hash >> 32);
    for (size_t way = 0; way < kWays; ++way) {
      const Entry& e = bucket[way];
      if (e.tag == tag && e.length == chunk.size() &&
          std::memcmp(arena_ + e.offset, chunk.data(), chunk.size()) == 0) {
        return e.count;
      }
    }
    return -1;
  }

  // Find, also tallying hits for Unrewarding.
  int64_t FindAndTally(std::string_view chunk, uint64_t hash) {
    const int64_t n = Find(chunk, hash);
    ++lookups_;
    hits_ += n >= 0 ? 1 : 0;
    return n;
  }

  // After every kTallyWindow lookups: whether fewer than 1 in 64 hit. The
  // caller then counts a stretch of text without the cache (inserting
  // nothing), so text whose lines never repeat pays for few lookups.
  bool Unrewarding() {
    if (lookups_ < kTallyWindow) return false;
    const bool poor = hits_ * 64 < lookups_;
    lookups_ = hits_ = 0;
    return poor;
  }

  // Starts loading the bucket of `hash`: Count looks a chunk ahead.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(BucketOf(hash)); }

  // `chunk` is at most kMaxChunk bytes, so its count fits an entry.
  void Insert(std::string_view chunk, uint64_t hash, size_t count) {
    if (used_ + chunk.size() > kArenaBytes) Reset();
    std::memcpy(arena_ + used_, chunk.data(), chunk.size());
    Entry* bucket = BucketOf(hash);
    std::memmove(bucket + 1, bucket, sizeof(Entry) * (kWays - 1));
    bucket[0] = {static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(chunk.size()),
                 static_cast<uint32_t>(used_), static_cast<uint32_t>(count)};
    used_ += chunk.size();
  }

 private:
  // An all-zero entry is empty: no chunk has length 0.
  struct Entry {
    uint32_t tag;  // the hash's high half (its low bits pick the bucket)
    uint32_t length;
    uint32_t offset;  // in the arena
    uint32_t count;
  };
  static constexpr size_t kWays = 4;  // a bucket per 64-byte cache line
  static constexpr size_t kBuckets = size_t{1} << 16;
  static constexpr size_t kArenaBytes = size_t{16} << 20;
  static_assert(kMaxChunk <= kArenaBytes && kArenaBytes <= UINT32_MAX);

  const Entry* BucketOf(uint64_t hash) const { return &entries_[(hash & (kBuckets - 1)) * kWays]; }
  Entry* BucketOf(uint64_t hash) { return &entries_[(hash & (kBuckets - 1)) * kWays]; }

  // Fresh mappings: the kernel zeroes pages as they are touched, so a
  // short input pays only for what it uses.
  void Reset() {
    table_memory_.reset();
    arena_memory_.reset();
    table_memory_ = std::make_unique<AnonymousMemory>(sizeof(Entry) * kWays * kBuckets,
                                                      AnonymousMemory::kHugePages);
    arena_memory_ = std::make_unique<AnonymousMemory>(kArenaBytes, AnonymousMemory::kHugePages);
    entries_ = static_cast<Entry*>(table_memory_->data());
    arena_ = static_cast<char*>(arena_memory_->data());
    used_ = 0;
  }

  std::unique_ptr<AnonymousMemory> table_memory_;
  std::unique_ptr<AnonymousMemory> arena_memory_;
  Entry* entries_ = nullptr;  // table_memory_, typed
  char* arena_ = nullptr;     // arena_memory_
  size_t used_ = 0;           // arena bytes in use
  size_t lookups_ = 0, hits_ = 0;  // since Unrewarding last decided
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_LINE_CACHE_H_
