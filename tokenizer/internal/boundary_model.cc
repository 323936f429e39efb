#include "tokenizer/internal/boundary_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "tokenizer/internal/thread_caches.h"

namespace tokcost::tokenizer_internal {
namespace {

// Code points before and after the one estimated, per level.
constexpr int kLeft[kBoundaryLevels] = {0, 1, 1, 2, 2, 3};
constexpr int kRight[kBoundaryLevels] = {0, 0, 1, 1, 2, 2};
constexpr int kMaxLeft = 3, kMaxRight = 2, kWindow = kMaxLeft + 1 + kMaxRight;
// Beyond the text's ends; above every code point and every invalid byte.
constexpr uint32_t kEdge = 0x3FFFFF;
constexpr char kMagic[8] = {'T', 'K', 'C', 'B', 'N', 'D', '2', '\n'};
// Stored per context in 8 bytes: a 48-bit key (low bits pick the slot,
// bits 32-47 the tag), the estimate in 1/4096ths of a token (15 bits: up to
// 8, a character of 8 byte tokens) and the "wider contexts kept" mark.
constexpr uint64_t kKeyMask = (uint64_t{1} << 48) - 1;
constexpr float kValueScale = 4096;
constexpr float kMaxValue = 32767 / kValueScale;
// Units decoded at a time by Estimate.
constexpr size_t kBlock = 16384;

// The unit at `pos`: a code point, or (for a byte that does not start a
// valid UTF-8 sequence) 0x200000 + the byte. `cls` is the UTF-8 length, 0
// for such a byte.
inline uint32_t NextUnit(std::string_view s, size_t pos, int* len, int* cls) {
  const uint8_t b = static_cast<uint8_t>(s[pos]);
  if (b < 0x80) {
    *len = *cls = 1;
    return b;
  }
  const int n = b >= 0xF8 ? 0 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
  if (n != 0 && pos + n <= s.size()) {
    uint32_t cp = b & (0x7F >> n);
    int k = 1;
    for (; k < n; ++k) {
      const uint8_t c = static_cast<uint8_t>(s[pos + k]);
      if ((c & 0xC0) != 0x80) break;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (k == n) {
      *len = *cls = n;
      return cp;
    }
  }
  *len = 1;
  *cls = 0;
  return 0x200000 | b;
}

// `at` points at the unit estimated, inside a window of kMaxLeft units
// before it and kMaxRight after.
inline uint64_t ContextKey(int level, const uint32_t* at) {
  uint64_t h = 0x243F6A8885A308D3ULL * static_cast<uint64_t>(level + 1);
  for (int k = -kLeft[level]; k <= kRight[level]; ++k) {
    h = (h ^ at[k]) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  // Final mix (MurmurHash3's): low bits pick the slot, high bits the tag.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h & kKeyMask;
}

// A unit's estimate depends only on its window (kMaxLeft units before it,
// kMaxRight after) and its class, and real text repeats windows: a
// per-thread, direct-mapped memo of window -> estimate skips the hashing
// and probing for most units (on the corpus's first 3 MB, 2^16 slots hold
// 63% of windows when next seen). Keys are the whole window, compared
// exactly, so estimates are the same with or without it.
struct MemoSlot {
  uint64_t window[3];  // units 2 per word; the unit's class above its unit
  float q;
};
constexpr int kMemoBits = 16;
constexpr uint64_t kEmptyWindow = ~uint64_t{0};  // above any unit
struct Memo {
  Memo() : slots(size_t{1} << kMemoBits, MemoSlot{{kEmptyWindow, 0, 0}, 0}) {}
  std::vector<MemoSlot> slots;
};
thread_local ThreadCaches<Memo> memos;  // by model serial
std::atomic<uint64_t> next_serial{1};

inline void WindowOf(const uint32_t* at, uint8_t cls, uint64_t w[3]) {
  static_assert(kMaxLeft == 3 && kMaxRight == 2, "the window is packed in three words");
  w[0] = at[-3] | static_cast<uint64_t>(at[-2]) << 32;
  w[1] = at[-1] | static_cast<uint64_t>(at[0] | static_cast<uint32_t>(cls) << 24) << 32;
  w[2] = at[1] | static_cast<uint64_t>(at[2]) << 32;
}

inline MemoSlot* MemoSlotOf(Memo& memo, const uint64_t w[3]) {
  uint64_t h = (w[0] * 0x9E3779B97F4A7C15ULL) ^ (w[1] * 0xBF58476D1CE4E5B9ULL) ^
               (w[2] * 0x94D049BB133111EBULL);
  h ^= h >> 29;
  return &memo.slots[(h * 0xD6E8FEB86659FD93ULL) >> (64 - kMemoBits)];
}

template <typename T>
void Put(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

}  // namespace

BoundaryModel::BoundaryModel(BoundaryDefaults defaults, std::vector<Item> items)
    : defaults_(defaults), serial_(next_serial++), items_(std::move(items)) {
  size_t slots = 16;
  while (slots < items_.size() * 2) slots *= 2;  // load <= 0.5: short probes
  slots_.assign(slots, Slot{});
  mask_ = slots - 1;
  for (Item& item : items_) {
    // As stored, so a model estimates the same before and after a round trip.
    const auto value = static_cast<uint16_t>(std::lround(std::min(item.value, kMaxValue) * kValueScale));
    item.value = value / kValueScale;
    const uint32_t tag = static_cast<uint32_t>(item.key >> 32) | 1;
    size_t i = item.key & mask_;
    while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & mask_;
    entries_ += slots_[i].tag == 0;
    slots_[i] = {tag, value, static_cast<uint16_t>(item.wider)};
  }
  dense_.assign(kDense, Slot{});
  for (uint32_t cp = 0; cp < kDense; ++cp) {
    const uint32_t window[kWindow] = {kEdge, kEdge, kEdge, cp, kEdge, kEdge};
    if (const Slot* s = Find(ContextKey(0, &window[kMaxLeft]))) dense_[cp] = *s;
  }
}

double BoundaryModel::EstimateUnits(const uint32_t* units, const uint8_t* classes, size_t begin,
                                    size_t end) const {
  // The table is larger than L2: the keys of levels 1 and 2 (which almost
  // every unit and about a third of them reach) are hashed kAhead units on
  // and their slots prefetched, so the misses overlap. Wider levels are
  // reached by few units and hashed when needed.
  constexpr size_t kAhead = 8;
  constexpr int kPrefetched = 3;
  Memo& memo = memos.Get(serial_);
  struct Ahead {
    uint64_t window[3];
    MemoSlot* slot;
    bool known;  // found in the memo: q holds it
    float q;
    uint64_t keys[kPrefetched];
  } ahead[kAhead];
  auto prepare = [&](size_t i) {
    Ahead& a = ahead[i % kAhead];
    WindowOf(&units[i], classes[i], a.window);
    a.slot = MemoSlotOf(memo, a.window);
    a.known = std::memcmp(a.slot->window, a.window, sizeof(a.window)) == 0;
    if (a.known) {
      a.q = a.slot->q;
      return;
    }
    for (int level = 1; level < kPrefetched; ++level) {
      a.keys[level] = ContextKey(level, &units[i]);
      __builtin_prefetch(&slots_[a.keys[level] & mask_]);
    }
  };
  for (size_t i = begin; i < std::min(end, begin + kAhead); ++i) prepare(i);
  double sum = 0;
  for (size_t i = begin; i < end; ++i) {
    const Ahead& a = ahead[i % kAhead];
    float q = a.q;
    if (!a.known) {
      q = defaults_[classes[i]];
      const Slot* dense =
          units[i] < kDense && dense_[units[i]].tag != 0 ? &dense_[units[i]] : nullptr;
      for (int level = 0; level < kBoundaryLevels; ++level) {
        const Slot* s = level >= kPrefetched ? Find(ContextKey(level, &units[i]))
                        : level != 0         ? Find(a.keys[level])
                        : units[i] < kDense  ? dense
                                             : Find(ContextKey(0, &units[i]));
        if (s == nullptr) break;
        q = s->value * (1 / kValueScale);
        if (!s->wider) break;
      }
      *a.slot = {{a.window[0], a.window[1], a.window[2]}, q};
    }
    sum += q;
    if (i + kAhead < end) prepare(i + kAhead);
  }
  return sum;
}

double BoundaryModel::Estimate(std::string_view text) const {
  if (text.empty()) return 0;
  if (slots_.empty()) {
    double sum = 0;
    for (size_t pos = 0; pos < text.size();) {
      int len, cls;
      NextUnit(text, pos, &len, &cls);
      sum += defaults_[cls];
      pos += len;
    }
    return sum;
  }
  // Blocks of units with kMaxLeft units of left context (edges at the start)
  // and kMaxRight of right context (edges at the end).
  thread_local std::vector<uint32_t> units;
  thread_local std::vector<uint8_t> classes;
  units.assign(kMaxLeft + kBlock + kMaxRight, kEdge);
  classes.assign(units.size(), 0);
  double sum = 0;
  for (size_t pos = 0;;) {
    size_t n = kMaxLeft;
    auto decode = [&](size_t* at) {
      int len, cls;
      units[n] = NextUnit(text, *at, &len, &cls);
      classes[n++] = static_cast<uint8_t>(cls);
      *at += len;
    };
    while (n < kMaxLeft + kBlock && pos < text.size()) decode(&pos);
    const size_t end = n;
    size_t ahead = pos;  // decoded again as the next block's first units
    while (n < end + kMaxRight) {
      if (ahead < text.size()) {
        decode(&ahead);
      } else {
        units[n] = kEdge;
        classes[n++] = 0;
      }
    }
    sum += EstimateUnits(units.data(), classes.data(), kMaxLeft, end);
    if (pos >= text.size()) return sum;
    std::copy(units.begin() + end - kMaxLeft, units.begin() + end, units.begin());
    std::copy(classes.begin() + end - kMaxLeft, classes.begin() + end, classes.begin());
  }
}

std::string BoundaryModel::Serialize() const {
  std::string out(kMagic, sizeof(kMagic));
  Put(&out, static_cast<uint32_t>(items_.size()));
  for (float d : defaults_) Put(&out, d);
  for (const Item& item : items_) {
    const uint64_t packed = item.key |
                            static_cast<uint64_t>(std::lround(item.value * kValueScale)) << 48 |
                            static_cast<uint64_t>(item.wider) << 63;
    Put(&out, packed);
  }
  return out;
}

StatusOr<BoundaryModel> BoundaryModel::Parse(std::string_view bytes) {
  constexpr size_t kHeader = sizeof(kMagic) + 4 + sizeof(BoundaryDefaults);
  constexpr size_t kItem = sizeof(uint64_t);
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgumentError("not a tokcost lexicon (bad magic; rebuild it with tokcost calibrate)");
  }
  if (bytes.size() < kHeader) return InvalidArgumentError("lexicon is truncated (no header)");
  uint32_t count;
  std::memcpy(&count, bytes.data() + sizeof(kMagic), 4);
  if (bytes.size() != kHeader + static_cast<size_t>(count) * kItem) {
    return InvalidArgumentError("lexicon is truncated or has trailing bytes (" +
                                std::to_string(bytes.size()) + " bytes for " +
                                std::to_string(count) + " contexts)");
  }
  BoundaryDefaults defaults;
  std::memcpy(defaults.data(), bytes.data() + sizeof(kMagic) + 4, sizeof(defaults));
  std::vector<Item> items(count);
  const char* p = bytes.data() + kHeader;
  for (Item& item : items) {
    uint64_t packed;
    std::memcpy(&packed, p, sizeof(packed));
    item.key = packed & kKeyMask;
    item.value = static_cast<float>((packed >> 48) & 0x7FFF) / kValueScale;
    item.wider = (packed >> 63) != 0;
    p += kItem;
  }
  for (float d : defaults) {
    if (!std::isfinite(d) || d < 0 || d > 16) {
      return InvalidArgumentError("lexicon has a default out of range");
    }
  }
  return BoundaryModel(defaults, std::move(items));
}

Status BoundaryModelBuilder::Add(std::string_view text, const std::vector<uint32_t>& token_lengths) {
  size_t total = 0;
  for (uint32_t n : token_lengths) total += n;
  if (total != text.size()) {
    return InvalidArgumentError("token lengths add up to " + std::to_string(total) +
                                " bytes, the text has " + std::to_string(text.size()));
  }
  if (units_.empty()) {  // the first text's left context
    units_.assign(kMaxLeft, kEdge);
    lengths_.assign(kMaxLeft, 0);
    starts_.assign(kMaxLeft, 0);
  }
  const size_t first = units_.size();
  size_t token = 0, token_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    int len, cls;
    units_.push_back(NextUnit(text, pos, &len, &cls));
    lengths_.push_back(static_cast<uint8_t>(cls));
    // Token starts inside [pos, pos + len).
    float starts = 0;
    while (token < token_lengths.size() && token_start < pos + len) {
      if (token_start >= pos) starts += 1;
      token_start += token_lengths[token++];
    }
    starts_.push_back(starts);
    pos += len;
  }
  const size_t end = units_.size();
  // kMaxLeft edges after each text: the right context of its last units and
  // the left context of the next text's first ones.
  units_.insert(units_.end(), kMaxLeft, kEdge);
  lengths_.insert(lengths_.end(), kMaxLeft, 0);
  starts_.insert(starts_.end(), kMaxLeft, 0);
  for (size_t i = first; i < end; ++i) {
    for (int level = 0; level < kBoundaryLevels; ++level) {
      Stat& s = stats_[level][ContextKey(level, &units_[i])];
      s.starts += starts_[i];
      s.seen += 1;
    }
  }
  return OkStatus();
}

BoundaryModel BoundaryModelBuilder::Build() const {
  // Defaults: the mean per UTF-8 class where seen.
  BoundaryDefaults defaults = {1.0f, 0.3f, 0.5f, 1.0f, 2.0f};
  std::array<double, 5> sum{}, seen{};
  for (size_t i = 0; i < units_.size(); ++i) {
    if (units_[i] == kEdge) continue;
    sum[lengths_[i]] += starts_[i];
    seen[lengths_[i]] += 1;
  }
  for (int c = 0; c < 5; ++c) {
    if (seen[c] > 0) defaults[c] = static_cast<float>(sum[c] / seen[c]);
  }
  // Which contexts to keep, and whether wider ones extending each are kept.
  struct Kept {
    float value;
    bool wider;
  };
  std::unordered_map<uint64_t, bool> decided;  // key -> keep on its own merit
  std::unordered_map<uint64_t, Kept> kept;
  for (size_t i = 0; i < units_.size(); ++i) {
    if (units_[i] == kEdge) continue;
    std::array<uint64_t, kBoundaryLevels> keys;
    std::array<float, kBoundaryLevels> values;
    int widest = 0;
    double q = defaults[lengths_[i]];
    for (int level = 0; level < kBoundaryLevels; ++level) {
      keys[level] = ContextKey(level, &units_[i]);
      const Stat& s = stats_[level].at(keys[level]);
      const double smoothing = level == 0 ? 1 : 2;
      const double narrower = q;
      q = (s.starts + smoothing * narrower) / (s.seen + smoothing);
      values[level] = static_cast<float>(q);
      auto [it, fresh] = decided.emplace(keys[level], false);
      if (fresh) it->second = s.seen >= kMinCount && std::abs(q - narrower) > kPrune;
      if (it->second) widest = level;
    }
    for (int level = 0; level <= widest; ++level) {
      Kept& k = kept.emplace(keys[level], Kept{values[level], false}).first->second;
      k.wider |= level < widest;
    }
  }
  std::vector<BoundaryModel::Item> items;
  items.reserve(kept.size());
  for (const auto& [key, k] : kept) items.push_back({key, k.value, k.wider});
  // A stable order, so the same text gives the same file.
  std::sort(items.begin(), items.end(),
            [](const BoundaryModel::Item& a, const BoundaryModel::Item& b) { return a.key < b.key; });
  return BoundaryModel(defaults, std::move(items));
}

}  // namespace tokcost::tokenizer_internal
