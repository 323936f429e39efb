#include "tokenizer/internal/flat_map.h"

#include <cstring>

namespace tokcost::tokenizer_internal {

// The slot table may be up to 80% full (half until 2026-12-06): o200k's
// 200,000 tokens then fit 2^18 slots, 4 MB, where they had 8 MB. Find was
// 14-20% of a first pass's samples (perf), most of them waiting for the
// slot, and the Bloom filter keeps absent keys, whose probe runs grow
// most, off the table.
// Same corpus, six processes alternated, medians, o200k first pass
// 98.8 -> 104.0 MB/s, later cold passes 116.4 -> 117.3 (bench/count_speed,
// AMD EPYC VM).
bool BytesToIdMap::TooFull(size_t entries, size_t slots) { return entries * 5 > slots * 4; }

void BytesToIdMap::Insert(std::string_view key, uint32_t id) {
  if (!filter_.empty()) {  // stale now; BuildFilter makes it again
    filter_.clear();
    RefreshView();
  }
  if (TooFull(entries_.size() + 1, slots_.size())) Grow();
  const uint64_t head = HeadBytes(key.data(), key.size());
  for (size_t i = Hash(key, head) & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.id == kNoId) {
      const auto e = static_cast<uint32_t>(entries_.size());
      s = {head, id, LengthField(key.size()) << kEntryBits | e};
      entries_.push_back(
          {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(key.size()), id});
      arena_.append(key);
      RefreshView();
      return;
    }
    const Entry& en = entries_[s.meta & kEntryMask];
    if (std::string_view(arena_.data() + en.offset, en.length) == key) {
      s.id = id;
      entries_[s.meta & kEntryMask].id = id;
      return;
    }
  }
}

std::vector<uint64_t> BytesToIdMap::MakeFilter() const {
  std::vector<uint64_t> filter(kFilterWords, 0);
  for (size_t e = 0; e < view_.entry_count; ++e) {
    const std::string_view key = KeyOf(view_.entries[e]);
    const auto [a, b] = FilterBits(Hash(key, HeadBytes(key.data(), key.size())));
    filter[a >> 6] |= uint64_t{1} << (a & 63);
    filter[b >> 6] |= uint64_t{1} << (b & 63);
  }
  return filter;
}

void BytesToIdMap::BuildFilter() {
  if (view_.filter != nullptr) return;  // built, or read with the table
  filter_ = MakeFilter();
  RefreshView();
}

void BytesToIdMap::Reserve(size_t n, size_t bytes) {
  arena_.reserve(bytes);
  entries_.reserve(n);
  while (TooFull(n, slots_.size())) Grow();
  RefreshView();
}

namespace {

struct Header {
  char magic[8];  // "TKCVOC7\0" (7: tables up to 80% full)
  uint64_t entry_count;
  uint64_t slot_count;
  uint64_t arena_bytes;
  uint64_t hash_check;  // HashCheck() of the build that wrote the file
  uint64_t byte_ids_hash;  // of the one-byte table: the probes never read it
};
// A new magic also when only the fill changes, so that files written
// before are built again and get the smaller table.
constexpr char kVocabMagic[8] = {'T', 'K', 'C', 'V', 'O', 'C', '7', 0};
constexpr size_t kByteIds = 256;

uint64_t HashOfByteIds(const uint32_t* ids) {
  const std::string_view bytes(reinterpret_cast<const char*>(ids), kByteIds * sizeof(uint32_t));
  return HashBytes(bytes, HeadBytes(bytes.data(), bytes.size()));
}

// Reads a table's header; false when `data` is shorter or the magic differs.
template <typename H>
bool ReadHeader(const char* data, size_t size, const char* magic, H* h) {
  if (size < sizeof(H)) return false;
  std::memcpy(h, data, sizeof(H));
  return std::memcmp(h->magic, magic, sizeof(h->magic)) == 0;
}

}  // namespace

// A file written by a build whose Hash differs (another compiler or
// standard library) would look fine and find nothing. Deserialize probed
// 64 entries to tell: 2.1-3.3 ms of a one-line count on the VMs tokcost
// runs on, each probe touching pages of the mapped table for the first
// time. The hashes of fixed keys of every length class tell without that.
uint64_t BytesToIdMap::HashCheck() {
  uint64_t check = 0;
  for (std::string_view key :
       {"", "a", "tok", "tokcost!", "tokenizer", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2, world"}) {
    check = check * 0x9E3779B97F4A7C15ULL + Hash(key, HeadBytes(key.data(), key.size()));
  }
  return check;
}

std::string BytesToIdMap::Serialize() const {
  uint32_t byte_ids[kByteIds];
  for (size_t b = 0; b < kByteIds; ++b) byte_ids[b] = FindByte(static_cast<unsigned char>(b));
  Header h{{}, entries_.size(), slots_.size(), arena_.size(), HashCheck(), HashOfByteIds(byte_ids)};
  std::memcpy(h.magic, kVocabMagic, sizeof(h.magic));
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  out.append(reinterpret_cast<const char*>(byte_ids), sizeof(byte_ids));
  const std::vector<uint64_t> filter = filter_.empty() ? MakeFilter() : filter_;
  out.append(reinterpret_cast<const char*>(filter.data()), filter.size() * sizeof(uint64_t));
  out.append(reinterpret_cast<const char*>(slots_.data()), slots_.size() * sizeof(Slot));
  out.append(reinterpret_cast<const char*>(entries_.data()), entries_.size() * sizeof(Entry));
  out.append(arena_);
  return out;
}

bool BytesToIdMap::Deserialize(const char* data, size_t size, std::shared_ptr<const void> keep_alive,
                               BytesToIdMap* out) {
  Header h;
  if (!ReadHeader(data, size, kVocabMagic, &h) || h.hash_check != HashCheck()) return false;
  const size_t need = sizeof(Header) + kByteIds * sizeof(uint32_t) +
                      kFilterWords * sizeof(uint64_t) + h.slot_count * sizeof(Slot) +
                      h.entry_count * sizeof(Entry) + h.arena_bytes;
  // The slot count must be a power of two for the probe mask.
  if (size != need || h.slot_count == 0 || (h.slot_count & (h.slot_count - 1)) != 0 ||
      h.entry_count > kMaxEntries) {
    return false;
  }
  const char* p = data + sizeof(Header);
  const auto* byte_ids = reinterpret_cast<const uint32_t*>(p);
  if (HashOfByteIds(byte_ids) != h.byte_ids_hash) return false;
  p += kByteIds * sizeof(uint32_t);
  const auto* filter = reinterpret_cast<const uint64_t*>(p);
  p += kFilterWords * sizeof(uint64_t);
  out->view_.slots = reinterpret_cast<const Slot*>(p);
  p += h.slot_count * sizeof(Slot);
  out->view_.entries = reinterpret_cast<const Entry*>(p);
  p += h.entry_count * sizeof(Entry);
  out->view_.arena = p;
  out->view_.entry_count = h.entry_count;
  out->view_.slot_count = h.slot_count;
  out->mask_ = h.slot_count - 1;
  out->mapping_ = std::move(keep_alive);
  out->view_.filter = filter;  // so the probes below check it too
  out->view_.byte_ids = byte_ids;
  // A table damaged in place (a cleared filter hides every key) must not
  // be used: a spread of entries must be found. Eight, not the 64 of
  // before: each touches pages of the mapping for the first time.
  const size_t step = h.entry_count / 8 + 1;
  for (size_t i = 0; i < h.entry_count; i += step) {
    const Entry& e = out->view_.entries[i];
    if (e.offset + static_cast<uint64_t>(e.length) > h.arena_bytes ||
        out->Find(out->KeyOf(e)) != e.id) {
      *out = BytesToIdMap();
      return false;
    }
  }
  return true;
}

void BytesToIdMap::Grow() {
  size_t capacity = slots_.empty() ? 1024 : slots_.size() * 2;
  slots_.assign(capacity, Slot{0, kNoId, 0});
  mask_ = capacity - 1;
  RefreshView();
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    const std::string_view key = KeyOf(entries_[e]);
    const uint64_t head = HeadBytes(key.data(), key.size());
    for (size_t i = Hash(key, head) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].id == kNoId) {
        slots_[i] = {head, entries_[e].id, LengthField(key.size()) << kEntryBits | e};
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

namespace {

struct PairHeader {
  char magic[8];  // "TKCPAIR1"
  uint64_t slot_count;
  uint64_t size;
};

}  // namespace

std::string PairMap::Serialize() const {
  PairHeader h{{'T', 'K', 'C', 'P', 'A', 'I', 'R', '1'}, slots_.size(), size_};
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  out.append(reinterpret_cast<const char*>(slots_.data()), slots_.size() * sizeof(Slot));
  return out;
}

bool PairMap::Deserialize(const char* data, size_t size, std::shared_ptr<const void> keep_alive,
                          PairMap* out) {
  PairHeader h;
  if (!ReadHeader(data, size, "TKCPAIR1", &h)) return false;
  // A power of two (the probe mask), and at most half full (probes end).
  if (size != sizeof(PairHeader) + h.slot_count * sizeof(Slot) ||
      (h.slot_count & (h.slot_count - 1)) != 0 || h.size * 2 > h.slot_count) {
    return false;
  }
  *out = PairMap();
  if (h.slot_count == 0) return true;  // no merges
  out->mapped_ = reinterpret_cast<const Slot*>(data + sizeof(PairHeader));
  out->mask_ = h.slot_count - 1;
  out->size_ = h.size;
  out->mapping_ = std::move(keep_alive);
  return true;
}

}  // namespace tokcost::tokenizer_internal
