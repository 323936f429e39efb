#include "tokenizer/internal/flat_map.h"

namespace tokcost::tokenizer_internal {

void BytesToIdMap::Insert(std::string_view key, uint32_t id) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  uint64_t h = Hash(key);
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    uint32_t e = slots_[i];
    if (e == kNoId) {
      slots_[i] = static_cast<uint32_t>(entries_.size());
      entries_.push_back({static_cast<uint32_t>(arena_.size()),
                          static_cast<uint32_t>(key.size()), id,
                          static_cast<uint32_t>(h)});
      arena_.append(key);
      if (key.size() > max_key_length_) max_key_length_ = key.size();
      return;
    }
    Entry& en = entries_[e];
    if (en.hash == static_cast<uint32_t>(h) && KeyOf(en) == key) {
      en.id = id;
      return;
    }
  }
}

void BytesToIdMap::Reserve(size_t n, size_t bytes) {
  arena_.reserve(bytes);
  entries_.reserve(n);
  while (slots_.size() < 2 * n) Grow();
}

void BytesToIdMap::Grow() {
  size_t capacity = slots_.empty() ? 1024 : slots_.size() * 2;
  slots_.assign(capacity, kNoId);
  mask_ = capacity - 1;
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    for (size_t i = entries_[e].hash & mask_;; i = (i + 1) & mask_) {
      // The stored low 32 bits of the hash equal Find's `h & mask_` for any
      // capacity below 2^32.
      if (slots_[i] == kNoId) {
        slots_[i] = e;
        break;
      }
    }
  }
}

void PairMap::Insert(uint32_t left, uint32_t right, Merge merge) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  uint64_t key = (static_cast<uint64_t>(left) << 32) | right;
  for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) {
      s.value = merge;
      return;
    }
    if (s.key == kEmpty) {
      s = {key, merge};
      ++size_;
      return;
    }
  }
}

void PairMap::Grow() {
  size_t capacity = slots_.empty() ? 1024 : slots_.size() * 2;
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  mask_ = capacity - 1;
  for (const Slot& o : old) {
    if (o.key == kEmpty) continue;
    for (size_t i = Hash(o.key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) {
        slots_[i] = o;
        break;
      }
    }
  }
}

}  // namespace tokcost::tokenizer_internal
