// Open-addressing hash tables for the vocabulary (bytes -> id) and the merge
// table ((left id, right id) -> (rank, merged id)). Flat arrays instead of
// node-based maps keep lookups to one or two cache lines.
// Not thread-safe while being built; immutable (and thread-safe) afterwards.
#ifndef TOKCOST_TOKENIZER_INTERNAL_FLAT_MAP_H_
#define TOKCOST_TOKENIZER_INTERNAL_FLAT_MAP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/internal/short_bytes.h"

namespace tokcost::tokenizer_internal {

inline constexpr uint32_t kNoId = 0xFFFFFFFFu;

class BytesToIdMap {
 public:
  // Slots index entries in 24 bits; a larger table finds wrong keys, so
  // loaders refuse it (BpeModel::Finish).
  static constexpr size_t kMaxEntries = size_t{1} << 24;

  // Inserts or overwrites.
  void Insert(std::string_view key, uint32_t id);
  // Sizes the table for `n` keys of `bytes` total, so loading never rehashes.
  void Reserve(size_t n, size_t bytes);

  // Returns kNoId when absent. A key of up to 8 bytes (most BPE merge
  // candidates) is decided by its slot alone: one cache line, where the
  // first version read a slot, an entry and the arena, three dependent
  // misses in tables larger than L2 (a quarter of a first pass, o200k).
  uint32_t Find(std::string_view key) const {
    if (view_.slot_count == 0) return kNoId;
    const uint64_t head = HeadBytes(key.data(), key.size());
    const uint64_t h = Hash(key, head);
    if (view_.filter != nullptr && !MayContain(h)) return kNoId;
    const uint32_t meta_length = LengthField(key.size()) << kEntryBits;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = view_.slots[i];
      if (s.id == kNoId) return kNoId;
      if (s.head == head && (s.meta & ~kEntryMask) == meta_length &&
          (key.size() <= 8 || LongKeyEquals(s, key))) {
        return s.id;
      }
    }
  }
  size_t size() const { return view_.entry_count; }

  // Find of the one-byte key `b`: from a table of the 256 read in place
  // with a compiled vocabulary. BpeModel::Finish asks for all 256 at every
  // start, and each Find there touched a page of the mapped slots no count
  // needs: 0.5-1.5 ms of a one-line count's 13-16 (o200k, AMD EPYC VM).
  uint32_t FindByte(unsigned char b) const {
    if (view_.byte_ids != nullptr) return view_.byte_ids[b];
    const char c = static_cast<char>(b);
    return Find(std::string_view(&c, 1));
  }

  // Builds a Bloom filter of the keys (2^22 bits, two per key: 512 KB, so
  // it stays in L2 where the slot table cannot). BPE asks about many byte
  // strings that are not tokens; the filter refuses nearly all of them
  // without a miss in the slot table. Call after the last Insert (an
  // Insert drops it); a table read by Deserialize has it already (it is
  // stored: building it at every start took 5-9 ms).
  void BuildFilter();

  // Calls f(bytes, id) for every entry, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < view_.entry_count; ++i) f(KeyOf(view_.entries[i]), view_.entries[i].id);
  }

  // The table as bytes, for a compiled vocabulary file; and a table that
  // reads such bytes in place (`keep_alive` owns the memory, e.g. an mmap).
  std::string Serialize() const;
  static bool Deserialize(const char* data, size_t size, std::shared_ptr<const void> keep_alive,
                          BytesToIdMap* out);

 private:
  struct Entry {
    uint32_t offset;
    uint32_t length;
    uint32_t id;
  };
  // The key's first 8 bytes; its length (255: 255 or more) and its entry.
  struct Slot {
    uint64_t head;
    uint32_t id;    // kNoId: empty
    uint32_t meta;  // length << kEntryBits | entry index
  };
  static constexpr int kEntryBits = 24;  // kMaxEntries
  static constexpr uint32_t kEntryMask = (uint32_t{1} << kEntryBits) - 1;
  static uint32_t LengthField(size_t length) {
    return static_cast<uint32_t>(length < 255 ? length : 255);
  }
  bool LongKeyEquals(const Slot& s, std::string_view key) const {
    const Entry& e = view_.entries[s.meta & kEntryMask];
    return e.length == key.size() && EqualBytes(view_.arena + e.offset, key.data(), key.size());
  }
  // Where Find reads: the vectors below, or a mapped file.
  struct View {
    const char* arena = nullptr;
    const Entry* entries = nullptr;
    const Slot* slots = nullptr;
    const uint64_t* filter = nullptr;  // kFilterWords, or none
    const uint32_t* byte_ids = nullptr;  // 256, or none (FindByte)
    size_t entry_count = 0;
    size_t slot_count = 0;
  };
  // Stored in compiled vocabularies (<file>.tokcost-idx): changing the hash
  // or the layouts above needs a new magic in flat_map.cc, or old files
  // would be read with the wrong slots.
  static uint64_t Hash(std::string_view key, uint64_t head) { return HashBytes(key, head); }
  // Hash's values for fixed keys, kept in compiled files (see flat_map.cc).
  static uint64_t HashCheck();
  std::string_view KeyOf(const Entry& e) const {
    return std::string_view(view_.arena + e.offset, e.length);
  }
  static bool TooFull(size_t entries, size_t slots);
  void Grow();
  void RefreshView() {
    const uint64_t* filter = filter_.empty() ? nullptr : filter_.data();
    view_ = {arena_.data(), entries_.data(), slots_.data(), filter, nullptr, entries_.size(),
             slots_.size()};
  }

  static constexpr int kFilterBits = 22;
  // The two filter bits of a key's hash: the slot index uses its low bits,
  // the filter two high fields.
  static std::pair<uint64_t, uint64_t> FilterBits(uint64_t h) {
    constexpr uint64_t kMask = (uint64_t{1} << kFilterBits) - 1;
    return {h >> (64 - kFilterBits), (h >> (64 - 2 * kFilterBits)) & kMask};
  }
  bool MayContain(uint64_t h) const {
    const auto [a, b] = FilterBits(h);
    return ((view_.filter[a >> 6] >> (a & 63)) & (view_.filter[b >> 6] >> (b & 63)) & 1) != 0;
  }
  static constexpr size_t kFilterWords = size_t{1} << (kFilterBits - 6);
  std::vector<uint64_t> MakeFilter() const;

  std::vector<uint64_t> filter_;
  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  View view_;
  std::shared_ptr<const void> mapping_;
  size_t mask_ = 0;
};

struct Merge {
  uint32_t rank;
  uint32_t merged;
};

class PairMap {
 public:
  // Inserts or overwrites (later merges win, as in Hugging Face tokenizers).
  // Only into a table built this way, not one read by Deserialize.
  void Insert(uint32_t left, uint32_t right, Merge merge);
  // Returns {kNoId, kNoId} when the pair does not merge.
  Merge Find(uint32_t left, uint32_t right) const {
    const Slot* slots = slots_.empty() ? mapped_ : slots_.data();
    if (slots == nullptr) return {kNoId, kNoId};
    uint64_t key = (static_cast<uint64_t>(left) << 32) | right;
    for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots[i];
      if (s.key == key) return s.value;
      if (s.key == kEmpty) return {kNoId, kNoId};
    }
  }
  size_t size() const { return size_; }

  // Calls f(left, right, merge) for every pair, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    const Slot* slots = slots_.empty() ? mapped_ : slots_.data();
    if (slots == nullptr) return;
    for (size_t i = 0; i <= mask_; ++i) {
      if (slots[i].key != kEmpty) {
        f(static_cast<uint32_t>(slots[i].key >> 32), static_cast<uint32_t>(slots[i].key),
          slots[i].value);
      }
    }
  }

  // The table as bytes, for a compiled vocabulary file, and a table that
  // reads such bytes in place (`keep_alive` owns the memory, e.g. an mmap):
  // building it from 150,000-260,000 merges was a third of a start-up.
  std::string Serialize() const;
  static bool Deserialize(const char* data, size_t size, std::shared_ptr<const void> keep_alive,
                          PairMap* out);

 private:
  static constexpr uint64_t kEmpty = ~0ULL;
  static uint64_t Hash(uint64_t key) {
    return (key * 0x9E3779B97F4A7C15ULL) >> 20;
  }
  void Grow();

  // Key and value side by side: a lookup touches one cache line.
  struct Slot {
    uint64_t key = kEmpty;
    Merge value{kNoId, kNoId};
  };
  std::vector<Slot> slots_;     // built by Insert
  const Slot* mapped_ = nullptr;  // or read in place (Deserialize)
  std::shared_ptr<const void> mapping_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_FLAT_MAP_H_
