// A per-thread cache of line chunk -> token count for the count-only path.
// Text repeats whole lines (licence boilerplate, code, the system prompt of
// every request in a workload); a chunk seen before skips pre-tokenization
// and the piece cache. A chunk is the text between two cuts that
// PreTokenizer::NextLineStart finds. Its bytes are compared on a hit, so a
// count is never taken from a hash match alone.
//
//   LineCountCache cache;
//   LineCountCache::TextScope scope(&cache, text);  // chunks below are of `text`
//   const uint64_t h = LineCountCache::Hash(chunk);
//   int64_t n = cache.Find(chunk, h);
//   if (n < 0) {
//     const bool copy = n == LineCountCache::kSeenEarlier;
//     cache.Insert(chunk, h, n = CountSomehow(chunk), copy);
//   }
//
// A chunk of a large text being counted (a TextScope's) is kept as its
// place in that text, not copied: a first pass over 10.5 MB copied 6.1 MB of
// lines, memory new to the process, which is dear on the VMs tokcost runs
// on. Such an entry is compared against the bytes at the same place in
// whatever text is counted later, so it only hits within its own text
// (or the same bytes counted again); a chunk whose entry is of the text
// before, or lies past the end of this one (Find: kSeenEarlier), is copied
// when counted again, so repeats across texts (the blocks of a stream)
// hit from their third time on. A small text's chunks are always copied.
//
// Bounded: 2 MB of entries, 262,144 of 8 bytes in 8-way buckets (a new
// chunk pushes out the oldest of its bucket), and a 16 MB arena of copied
// bytes; when the arena is full, everything is dropped and filling starts
// again.
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
  // Find: not cached, but an entry of an earlier text had the chunk's hash
  // and length (most likely the same chunk).
  static constexpr int64_t kSeenEarlier = -2;

  LineCountCache() { Reset(); }

  // Texts shorter than this are copied all the same: their chunks take
  // little memory, and the documents of a workload, counted one at a time,
  // repeat one another's lines (the 4 KB documents of the corpus: their
  // cold pass 7% slower, 107.7 -> 100.5 MB/s, when each repeat across
  // documents was counted twice).
  static constexpr size_t kKeepInPlaceFrom = size_t{1} << 20;

  // The text (of kKeepInPlaceFrom bytes or more) whose chunks are inserted
  // without copying while the scope lives. Scopes do not nest.
  class TextScope {
   public:
    TextScope(LineCountCache* cache, std::string_view text) : cache_(cache) {
      if (text.size() < kKeepInPlaceFrom) return;
      cache_->text_ = text.data();
      cache_->text_size_ = text.size();
      cache_->scope_parity_ ^= kScopeParity;
    }
    ~TextScope() {
      cache_->text_ = nullptr;
      cache_->text_size_ = 0;
    }
    TextScope(const TextScope&) = delete;
    TextScope& operator=(const TextScope&) = delete;

   private:
    LineCountCache* cache_;
  };

  // HashBytes mixes a key's last word into the low bits weakly, and
  // buckets are picked by the low bits: 2,000 lines "line 000000\n" to
  // "line 001999\n" fell into 200 buckets and pushed one another out. A
  // final xor-shift-multiply spreads them.
  static uint64_t Hash(std::string_view chunk) {
    uint64_t h = HashBytes(chunk, HeadBytes(chunk.data(), chunk.size()));
    h = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ULL;
    return h ^ (h >> 32);
  }

  // Returns the cached count, -1, or kSeenEarlier.
  int64_t Find(std::string_view chunk, uint64_t hash) const {
    const Entry* bucket = BucketOf(hash);
    const Entry key = Tag(hash) | chunk.size();  // chunk.size() <= kMaxChunk
    int64_t result = -1;
    for (size_t way = 0; way < kWays; ++way) {
      const Entry e = bucket[way];
      if ((e & kKeyMask) != key) continue;
      const uint64_t offset = (e >> kOffsetShift) & kOffsetMask;
      const bool copied = (e & kCopied) != 0;
      const char* bytes;
      if (copied) {
        bytes = arena_ + offset;
      } else if (offset + chunk.size() <= text_size_) {
        // Whatever text is counted now: a hit only if its bytes there are
        // the chunk's, which makes the count right whichever text it was.
        bytes = text_ + offset;
      } else {
        result = kSeenEarlier;
        continue;
      }
      if (std::memcmp(bytes, chunk.data(), chunk.size()) == 0) {
        return static_cast<int64_t>((e >> kCountShift) & kMaxCount);
      }
      // Other bytes at the place an entry of the scope before left: most
      // likely that text's chunk. Of this scope's (or two before), the tag
      // matched by chance, and copying the chunk would touch the arena's
      // memory for nothing.
      if (!copied && (e & kScopeParity) != scope_parity_) result = kSeenEarlier;
    }
    return result;
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

  // A chunk of 1 to kMaxChunk bytes, its count at most kMaxCount (others
  // are not kept: they would not fit an entry). Kept as its place in the
  // scope's text unless `copy` or it lies elsewhere.
  void Insert(std::string_view chunk, uint64_t hash, size_t count, bool copy = false) {
    if (chunk.empty() || chunk.size() > kMaxChunk || count > kMaxCount) return;
    // Where the chunk starts in the text, if it lies inside it (compared
    // as integers: the chunk need not point into the text at all).
    const uintptr_t at = reinterpret_cast<uintptr_t>(chunk.data());
    const uintptr_t base = reinterpret_cast<uintptr_t>(text_);
    uint64_t offset = at - base;
    Entry copied = 0;
    if (copy || text_ == nullptr || at < base || offset + chunk.size() > text_size_ ||
        offset > kOffsetMask) {
      if (used_ + chunk.size() > kArenaBytes) Reset();
      std::memcpy(arena_ + used_, chunk.data(), chunk.size());
      offset = used_;
      used_ += chunk.size();
      copied = kCopied;
    }
    Entry* bucket = BucketOf(hash);
    std::memmove(bucket + 1, bucket, sizeof(Entry) * (kWays - 1));
    bucket[0] = Tag(hash) | chunk.size() | copied | (copied ? 0 : scope_parity_) |
                static_cast<Entry>(count) << kCountShift | offset << kOffsetShift;
  }

  static constexpr size_t kWays = 8;  // a bucket per 64-byte cache line

 private:
  // An entry in one word, 0 when empty (no chunk has length 0), from bit 0:
  // the chunk's length (15 bits), whether its bytes are in the arena (1),
  // the parity of the TextScope it was kept in place in (1), its count
  // (12), its offset in the arena or the text (28), and 7 bits of its hash
  // (the low bits pick the bucket). 16 bytes in 4-way buckets until
  // 2026-12-06: the same 262,144 entries now take 2 MB, which a first pass
  // fills and which is new to the process (halving the entries instead had
  // halved the speed of the same text again).
  using Entry = uint64_t;
  static constexpr int kCountShift = 17, kOffsetShift = 29, kTagShift = 57;
  static constexpr Entry kCopied = Entry{1} << 15;
  static constexpr Entry kScopeParity = Entry{1} << 16;
  static constexpr Entry kMaxCount = (Entry{1} << 12) - 1;
  static constexpr Entry kOffsetMask = (Entry{1} << 28) - 1;  // texts up to 256 MB kept in place
  static constexpr Entry kKeyMask = ~Entry{0} << kTagShift | (kCopied - 1);  // tag and length
  static Entry Tag(uint64_t hash) { return hash & (~Entry{0} << kTagShift); }
  static constexpr size_t kBuckets = size_t{1} << 15;
  static constexpr size_t kArenaBytes = size_t{16} << 20;
  static_assert(kMaxChunk < kCopied && kArenaBytes - 1 <= kOffsetMask);

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
  const char* text_ = nullptr;  // the TextScope's, or none
  size_t text_size_ = 0;
  Entry scope_parity_ = 0;  // kScopeParity or 0, flipped by each TextScope
  size_t lookups_ = 0, hits_ = 0;  // since Unrewarding last decided
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_LINE_CACHE_H_
