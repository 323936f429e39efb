#include "tokenizer/internal/boundary_model.h"

#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "tokenizer/internal/short_bytes.h"
#include "tokenizer/internal/thread_caches.h"

namespace tokcost::tokenizer_internal {
namespace {

// Code points before and after the one estimated, per level.
constexpr int kLeft[kBoundaryLevels] = {0, 1, 1, 2, 2, 3};
constexpr int kRight[kBoundaryLevels] = {0, 0, 1, 1, 2, 2};
constexpr int kMaxLeft = 3, kMaxRight = 2, kWindow = kMaxLeft + 1 + kMaxRight;
// Beyond the text's ends; above every code point and every invalid byte.
constexpr uint32_t kEdge = 0x3FFFFF;
constexpr char kMagic[8] = {'T', 'K', 'C', 'B', 'N', 'D', '3', '\n'};
// Before the word memory: contexts only, learned from every unit.
constexpr char kMagicV2[8] = {'T', 'K', 'C', 'B', 'N', 'D', '2', '\n'};
// Stored per context or word in 8 bytes: a 48-bit key (low bits pick the
// slot, bits 32-47 the tag), the estimate in 1/4096ths of a token (15 bits:
// up to 8, a character of 8 byte tokens) and a mark: for a context, "wider
// contexts kept"; for a word (keys are hashed apart from contexts'), "known
// from a vocabulary alone" (lexicons before 2026-12-06 never set it).
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

// Final mix (MurmurHash3's) of a context's or word's hash: low bits pick
// the slot, high bits the tag.
inline uint64_t FinishKey(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h & kKeyMask;
}

// `at` points at the unit estimated, inside a window of kMaxLeft units
// before it and kMaxRight after.
inline uint64_t ContextKey(int level, const uint32_t* at) {
  uint64_t h = 0x243F6A8885A308D3ULL * static_cast<uint64_t>(level + 1);
  for (int k = -kLeft[level]; k <= kRight[level]; ++k) {
    h = (h ^ at[k]) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return FinishKey(h);
}

// Words (see the header). The unit before the letters is part of the word,
// as byte-level pre-tokenizers attach it (" the", "/compute"), unless it is
// a newline, a digit or the text's edge, whose token starts depend on what
// precedes them.
constexpr size_t kMaxWordUnits = 24;
// Letters: ASCII, Latin-1 and Latin Extended-A/B (not U+00D7 and U+00F7),
// Greek and Cyrillic, all below U+0530. A bit per code point: asked
// several times per unit, the comparisons were 10% of an estimate.
constexpr uint32_t kWordUnitEnd = 0x530;
constexpr std::array<uint64_t, kWordUnitEnd / 64 + 1> kWordUnitBits = [] {
  std::array<uint64_t, kWordUnitEnd / 64 + 1> bits{};
  for (uint32_t u = 0; u < kWordUnitEnd; ++u) {
    if ((u | 0x20) - 'a' < 26 || (u >= 0xC0 && u <= 0x24F && u != 0xD7 && u != 0xF7) ||
        u >= 0x370) {
      bits[u / 64] |= uint64_t{1} << (u % 64);
    }
  }
  return bits;
}();
inline bool IsWordUnit(uint32_t u) {
  return u < kWordUnitEnd && ((kWordUnitBits[u / 64] >> (u % 64)) & 1) != 0;
}
inline bool OwnsUnitBefore(uint32_t u) {
  return u != kEdge && u != '\n' && u != '\r' && u - '0' >= 10;
}

// The key of the word whose letters are units [s, e), with units[s - 1]
// before them (exact: the word's own entry), or only the kind of unit
// before them (`by_kind`: the entry shared by "/printing" and "(printing",
// tried when the word has no entry of its own).
inline uint32_t KindBefore(uint32_t u) {
  return u == ' ' ? 0 : OwnsUnitBefore(u) ? 1 : 2;
}
inline uint64_t WordKey(const uint32_t* units, size_t s, size_t e, bool by_kind = false) {
  uint64_t h = (by_kind ? 0xA4093822299F31D0ULL : 0x452821E638D01377ULL) ^ (e - s);
  for (size_t k = s - 1; k < e; ++k) {
    h = (h ^ (k == s - 1 && by_kind ? KindBefore(units[k]) : units[k])) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return FinishKey(h);
}

// Splits units [begin, end) (units[end] must be readable) into words and
// single units. `word(first, s, e)` is offered each word: letters [s, e),
// covering [first, e); it returns whether it took the word (else its units
// are offered one by one). `unit(i)` gets every unit not in a taken word.
// Letters whose run starts before `begin` or reaches `end` are single units.
template <typename WordFn, typename UnitFn>
void SplitWords(const uint32_t* units, size_t begin, size_t end, WordFn word, UnitFn unit) {
  for (size_t i = begin; i < end;) {
    size_t s;
    if (IsWordUnit(units[i])) {
      if (units[i - 1] != kEdge) {  // the rest of a run not taken as a word
        while (i < end && IsWordUnit(units[i])) unit(i++);
        continue;
      }
      s = i;
    } else if (units[i] != kEdge && i + 1 < end && IsWordUnit(units[i + 1])) {
      s = i + 1;
    } else {
      unit(i++);
      continue;
    }
    size_t e = s;
    while (e < end && e - s <= kMaxWordUnits && IsWordUnit(units[e])) ++e;
    const size_t first = OwnsUnitBefore(units[s - 1]) ? s - 1 : s;
    if (e - s <= kMaxWordUnits && !IsWordUnit(units[e]) && word(first, s, e)) {
      for (; i < first; ++i) unit(i);  // a newline or digit before the word
      i = e;
    } else {
      unit(i++);
    }
  }
}

// A unit's estimate depends only on its window (kMaxLeft units before it,
// kMaxRight after) and its class, and real text repeats windows: a
// per-thread, direct-mapped memo of window -> estimate skips the hashing
// and probing for most units (on the corpus's first 3 MB, 2^16 slots hold
// 63% of windows when next seen). Keys are the whole window, compared
// exactly, so estimates are the same with or without it.
struct MemoSlot {
  // Units 2 per word, the unit's class above its unit; the first word
  // inverted, so that an all-zero slot (untouched memory) is empty: no
  // window's first word is all ones (units are at most kEdge, 2^22 - 1).
  uint64_t window[3];
  float q;
};
constexpr int kMemoBits = 16;

// Text repeats whole lines (licence boilerplate, code, the system prompt of
// every request in a workload). A line's estimate depends only on its
// bytes, the kMaxLeft units before it and the kMaxRight after it, so a
// per-thread, direct-mapped memo of lines keyed by a 64-bit hash of those
// skips every lookup of a line seen before in the same surroundings (on
// the corpus, 38% of its bytes). Unlike the exact counts' line cache, it
// keeps no bytes to compare: two lines with the same hash (about 2^-64 for
// a pair) would share an estimate, which is an estimate either way. The
// sums are exact (every unit's and word's estimate is a multiple of
// 1/kValueScale), so a line's estimate is the same from the memo as
// estimated afresh.
struct LineMemoSlot {
  uint64_t key;  // 0: empty
  double sum;
  uint32_t letters, kept, in_text;  // the line's WordCoverage
  uint32_t last[kMaxLeft];  // the line's last units: the next line's left context
};
constexpr int kLineMemoBits = 16;
// Shorter lines cost about as much to look up as to estimate.
constexpr size_t kMinMemoLine = 12;

inline uint64_t LineKey(std::string_view text, size_t begin, size_t end, const uint32_t* left) {
  const std::string_view line = text.substr(begin, end - begin);
  uint64_t h = HashBytes(line, HeadBytes(line.data(), line.size()));
  uint32_t right[kMaxRight] = {kEdge, kEdge};
  if (end < text.size()) {
    right[0] = '\n';
    int len, cls;
    if (end + 1 < text.size()) right[1] = NextUnit(text, end + 1, &len, &cls);
  }
  for (uint32_t u : {left[0], left[1], left[2], right[0], right[1]}) {
    h = (h ^ u) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return h | 1;
}

// Straight from the kernel, zero until touched: filling the memos at the
// first estimate touched all of them (small pages, each dear on the VMs
// tokcost runs on) even for one line.
struct Memo {
  AnonymousMemory memory{sizeof(MemoSlot) << kMemoBits, AnonymousMemory::kHugePages};
  MemoSlot* slots = static_cast<MemoSlot*>(memory.data());
  AnonymousMemory line_memory{sizeof(LineMemoSlot) << kLineMemoBits,
                              AnonymousMemory::kHugePages};
  LineMemoSlot* lines = static_cast<LineMemoSlot*>(line_memory.data());
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

BoundaryModel::BoundaryModel(BoundaryDefaults defaults, const char* packed, size_t count,
                             size_t words, std::shared_ptr<const void> owner)
    : defaults_(defaults),
      serial_(next_serial++),
      words_(words),
      packed_(packed),
      item_count_(count),
      packed_owner_(std::move(owner)) {
  // In 1/kValueScale like the entries, so that sums of estimates are exact
  // whatever their order (the memo of lines relies on it).
  for (float& d : defaults_) d = std::round(d * kValueScale) / kValueScale;
  size_t slots = 16;
  while (slots < count * 2) slots *= 2;  // load <= 0.5: short probes
  slots_.assign(slots, Slot{});
  mask_ = slots - 1;
  for (size_t k = 0; k < count; ++k) {
    uint64_t item;
    std::memcpy(&item, packed + k * sizeof(item), sizeof(item));
    const uint64_t key = item & kKeyMask;
    const uint32_t tag = static_cast<uint32_t>(key >> 32) | 1;
    size_t i = key & mask_;
    while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & mask_;
    entries_ += slots_[i].tag == 0;
    slots_[i] = {tag, static_cast<uint16_t>((item >> 48) & 0x7FFF),
                 static_cast<uint16_t>(item >> 63)};
  }
  dense_.assign(kDense, Slot{});
  for (uint32_t cp = 0; cp < kDense; ++cp) {
    const uint32_t window[kWindow] = {kEdge, kEdge, kEdge, cp, kEdge, kEdge};
    if (const Slot* s = Find(ContextKey(0, &window[kMaxLeft]))) dense_[cp] = *s;
  }
}

double BoundaryModel::EstimateUnits(const uint32_t* units, const uint8_t* classes,
                                    const uint32_t* todo, size_t count) const {
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
  auto prepare = [&](size_t j) {
    Ahead& a = ahead[j % kAhead];
    const size_t i = todo[j];
    WindowOf(&units[i], classes[i], a.window);
    a.slot = MemoSlotOf(memo, a.window);
    a.known = a.slot->window[0] == ~a.window[0] && a.slot->window[1] == a.window[1] &&
              a.slot->window[2] == a.window[2];
    if (a.known) {
      a.q = a.slot->q;
      return;
    }
    for (int level = 1; level < kPrefetched; ++level) {
      a.keys[level] = ContextKey(level, &units[i]);
      __builtin_prefetch(&slots_[a.keys[level] & mask_]);
    }
  };
  for (size_t j = 0; j < std::min(count, kAhead); ++j) prepare(j);
  double sum = 0;
  for (size_t j = 0; j < count; ++j) {
    const Ahead& a = ahead[j % kAhead];
    const size_t i = todo[j];
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
      *a.slot = {{~a.window[0], a.window[1], a.window[2]}, q};
    }
    sum += q;
    if (j + kAhead < count) prepare(j + kAhead);
  }
  return sum;
}

double BoundaryModel::Estimate(std::string_view text, WordCoverage* coverage) const {
  WordCoverage unused;
  WordCoverage& cov = coverage != nullptr ? *coverage : unused;
  cov = {};
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
  // Lines, each from its newline (the text's start for the first) to the
  // next: a line that starts with a word then starts with the unit before
  // it, as SplitWords needs. Lines of kMinMemoLine bytes or more go through
  // the memo of lines; shorter ones are gathered and estimated together.
  LineMemoSlot* memo = memos.Get(serial_).lines;
  uint32_t left[kMaxLeft] = {kEdge, kEdge, kEdge};
  double sum = 0;
  size_t pending = 0;  // start of the lines gathered and not yet estimated
  for (size_t pos = 0; pos < text.size();) {
    const void* nl = std::memchr(text.data() + pos + 1, '\n', text.size() - pos - 1);
    const size_t end = nl != nullptr ? static_cast<const char*>(nl) - text.data() : text.size();
    if (end - pos < kMinMemoLine) {
      pos = end;
      continue;
    }
    if (pending < pos) sum += EstimateRange(text, pending, pos, left, &cov);
    const uint64_t key = LineKey(text, pos, end, left);
    LineMemoSlot& slot = memo[(key * 0xD6E8FEB86659FD93ULL) >> (64 - kLineMemoBits)];
    if (slot.key == key) {
      sum += slot.sum;
      cov.letters += slot.letters;
      cov.kept += slot.kept;
      cov.in_text += slot.in_text;
      std::copy_n(slot.last, kMaxLeft, left);
    } else {
      WordCoverage line_cov;
      const double line_sum = EstimateRange(text, pos, end, left, &line_cov);
      slot = {key, line_sum, static_cast<uint32_t>(line_cov.letters),
              static_cast<uint32_t>(line_cov.kept), static_cast<uint32_t>(line_cov.in_text),
              {left[0], left[1], left[2]}};
      if (line_cov.letters > UINT32_MAX) slot.key = 0;  // does not fit: not kept
      sum += line_sum;
      cov.letters += line_cov.letters;
      cov.kept += line_cov.kept;
      cov.in_text += line_cov.in_text;
    }
    pending = pos = end;
  }
  if (pending < text.size()) sum += EstimateRange(text, pending, text.size(), left, &cov);
  return sum;
}

double BoundaryModel::EstimateRange(std::string_view text, size_t begin, size_t end,
                                    uint32_t* left, WordCoverage* cov) const {
  // Blocks of units with kMaxLeft units of left context and kMaxRight of
  // right context (edges at the text's end). A block ends before a word
  // that runs into the next one, so words are seen whole.
  thread_local std::vector<uint32_t> units, todo;
  thread_local std::vector<uint8_t> classes;
  // Grown to the range when it is shorter than a block (a range has no
  // more units than bytes), never shrunk: a short request does not clear
  // 16K units, and a run of short lines does not clear anything again.
  const size_t block = std::min(kBlock, end - begin);
  if (units.size() < kMaxLeft + block + kMaxRight) {
    units.resize(kMaxLeft + block + kMaxRight);
    classes.resize(units.size());
    todo.resize(block);
  }
  std::copy_n(left, kMaxLeft, units.begin());
  double sum = 0;
  for (size_t pos = begin;;) {
    size_t n = kMaxLeft;
    auto decode = [&](size_t* at) {
      int len, cls;
      units[n] = NextUnit(text, *at, &len, &cls);
      classes[n++] = static_cast<uint8_t>(cls);
      *at += len;
    };
    size_t at = pos;
    const size_t limit = kMaxLeft + block;
    while (n < limit && at < end) {
      // ASCII 16 bytes at a time (SSE2): a unit of class 1 per byte.
      if (n + 16 <= limit && at + 16 <= end) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
        const int high = _mm_movemask_epi8(v);
        if (high == 0) {
          const __m128i zero = _mm_setzero_si128();
          const __m128i lo = _mm_unpacklo_epi8(v, zero), hi = _mm_unpackhi_epi8(v, zero);
          auto* u = reinterpret_cast<__m128i*>(&units[n]);
          _mm_storeu_si128(u, _mm_unpacklo_epi16(lo, zero));
          _mm_storeu_si128(u + 1, _mm_unpackhi_epi16(lo, zero));
          _mm_storeu_si128(u + 2, _mm_unpacklo_epi16(hi, zero));
          _mm_storeu_si128(u + 3, _mm_unpackhi_epi16(hi, zero));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(&classes[n]), _mm_set1_epi8(1));
          n += 16;
          at += 16;
          continue;
        }
        for (const size_t ascii = at + std::countr_zero(static_cast<unsigned>(high)); at < ascii;) {
          units[n] = static_cast<uint8_t>(text[at++]);
          classes[n++] = 1;
        }
      }
      decode(&at);
    }
    const size_t block_end = at;
    const bool whole = at == end;  // the block reaches the range's end
    const size_t decoded = n;
    size_t stop = decoded;
    while (n < decoded + kMaxRight) {
      if (at < text.size()) {
        decode(&at);
      } else {
        units[n] = kEdge;
        classes[n++] = 0;
      }
    }
    if (IsWordUnit(units[stop])) {
      size_t s = stop;
      while (s > kMaxLeft + 1 && stop - s <= kMaxWordUnits && IsWordUnit(units[s - 1])) --s;
      if (s > kMaxLeft + 1 && !IsWordUnit(units[s - 1])) stop = s - 1;
    }
    size_t count = 0;
    SplitWords(
        units.data(), kMaxLeft, stop,
        [&](size_t, size_t s, size_t e) {
          const Slot* slot = Find(WordKey(units.data(), s, e));
          if (slot == nullptr && KindBefore(units[s - 1]) != 0) {
            slot = Find(WordKey(units.data(), s, e, true));
          }
          cov->letters += e - s;
          if (slot == nullptr) return false;
          cov->kept += e - s;
          if (!slot->wider) cov->in_text += e - s;
          sum += slot->value * (1 / kValueScale);
          return true;
        },
        [&](size_t i) { todo[count++] = static_cast<uint32_t>(i); });
    sum += EstimateUnits(units.data(), classes.data(), todo.data(), count);
    std::copy(units.begin() + stop - kMaxLeft, units.begin() + stop, units.begin());
    if (whole && stop == decoded) {
      std::copy_n(units.begin(), kMaxLeft, left);
      return sum;
    }
    // The next block starts at unit `stop`: back from the block's end by
    // the bytes of the units after it (a byte that is not UTF-8, class 0,
    // is a unit of one byte).
    pos = block_end;
    for (size_t k = stop; k < decoded; ++k) pos -= std::max<size_t>(classes[k], 1);
  }
}

std::string BoundaryModel::Serialize() const {
  std::string out(kMagic, sizeof(kMagic));
  Put(&out, static_cast<uint32_t>(item_count_));
  Put(&out, static_cast<uint32_t>(words_));
  for (float d : defaults_) Put(&out, d);
  out.append(packed_, item_count_ * sizeof(uint64_t));
  return out;
}

StatusOr<BoundaryModel> BoundaryModel::Parse(std::string_view bytes,
                                             std::shared_ptr<const void> keep_alive) {
  constexpr size_t kItem = sizeof(uint64_t);
  const bool v2 = bytes.size() >= sizeof(kMagicV2) &&
                  std::memcmp(bytes.data(), kMagicV2, sizeof(kMagicV2)) == 0;
  if (!v2 && (bytes.size() < sizeof(kMagic) ||
              std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)) {
    return InvalidArgumentError("not a tokcost lexicon (bad magic; rebuild it with tokcost calibrate)");
  }
  // v2: magic, count, defaults; v3 adds the number of words after count.
  const size_t counts = v2 ? 4 : 8;
  const size_t header = sizeof(kMagic) + counts + sizeof(BoundaryDefaults);
  if (bytes.size() < header) return InvalidArgumentError("lexicon is truncated (no header)");
  uint32_t count, words = 0;
  std::memcpy(&count, bytes.data() + sizeof(kMagic), 4);
  if (!v2) std::memcpy(&words, bytes.data() + sizeof(kMagic) + 4, 4);
  if (bytes.size() != header + static_cast<size_t>(count) * kItem) {
    return InvalidArgumentError("lexicon is truncated or has trailing bytes (" +
                                std::to_string(bytes.size()) + " bytes for " +
                                std::to_string(count) + " entries)");
  }
  if (words > count) return InvalidArgumentError("lexicon has more words than entries");
  BoundaryDefaults defaults;
  std::memcpy(defaults.data(), bytes.data() + sizeof(kMagic) + counts, sizeof(defaults));
  for (float d : defaults) {
    if (!std::isfinite(d) || d < 0 || d > 16) {
      return InvalidArgumentError("lexicon has a default out of range");
    }
  }
  std::string_view packed = bytes.substr(header);
  if (keep_alive == nullptr) {
    auto copy = std::make_shared<const std::string>(packed);
    packed = *copy;
    keep_alive = std::move(copy);
  }
  return BoundaryModel(defaults, packed.data(), count, words, std::move(keep_alive));
}

Status BoundaryModelBuilder::Add(std::string_view text, const std::vector<uint32_t>& token_lengths,
                                 bool lexicon_text) {
  return AddFrom(text, token_lengths, lexicon_text ? kLexiconText : kCalibration);
}

Status BoundaryModelBuilder::AddVocabulary(std::string_view text,
                                           const std::vector<uint32_t>& token_lengths) {
  return AddFrom(text, token_lengths, kVocabulary);
}

Status BoundaryModelBuilder::AddFrom(std::string_view text,
                                     const std::vector<uint32_t>& token_lengths, Source source) {
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
    source_.assign(kMaxLeft, kCalibration);
  }
  size_t token = 0, token_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    int len, cls;
    units_.push_back(NextUnit(text, pos, &len, &cls));
    lengths_.push_back(static_cast<uint8_t>(cls));
    source_.push_back(source);
    // Token starts inside [pos, pos + len).
    float starts = 0;
    while (token < token_lengths.size() && token_start < pos + len) {
      if (token_start >= pos) starts += 1;
      token_start += token_lengths[token++];
    }
    starts_.push_back(starts);
    pos += len;
  }
  // kMaxLeft edges after each text: the right context of its last units and
  // the left context of the next text's first ones.
  units_.insert(units_.end(), kMaxLeft, kEdge);
  lengths_.insert(lengths_.end(), kMaxLeft, 0);
  starts_.insert(starts_.end(), kMaxLeft, 0);
  source_.insert(source_.end(), kMaxLeft, kCalibration);
  return OkStatus();
}

std::string BoundaryModelBuilder::VocabularyWordsText(const std::vector<std::string>& token_texts,
                                                      size_t* words) {
  std::string out;
  size_t taken = 0;
  for (const std::string& t : token_texts) {
    const bool space = !t.empty() && t[0] == ' ';
    size_t letters = 0;
    size_t pos = space ? 1 : 0;
    while (pos < t.size()) {
      int len, cls;
      if (!IsWordUnit(NextUnit(t, pos, &len, &cls))) break;
      pos += len;
      ++letters;
    }
    if (letters == 0 || letters > kMaxWordUnits || pos != t.size()) continue;
    out += space ? "." + t + t + "\n" : t + "\n" + t + "\n";
    ++taken;
  }
  if (words != nullptr) *words = taken;
  return out;
}

BoundaryModel BoundaryModelBuilder::Build() const {
  // Words are kept with their mean number of token starts: every word of
  // the lexicon text, and the words calibration documents have at least
  // kCommonWordCount times. A calibration document's word seen only there,
  // once, is not kept: the coefficients are fitted on those documents, and
  // a lexicon that knew all their words would be trusted more than it
  // deserves on text it has not seen (Russian held-out aggregates of up to
  // 1.2% instead of at most 0.4%, when such words were kept).
  //
  // The contexts are learned from what lies between words and from the
  // words seen fewer than kCommonWordCount times: they will estimate words
  // never seen, which behave like the rarest ones (Good and Turing's
  // reasoning), splitting into more tokens than common words of the same
  // letters.
  struct WordStat {
    double starts = 0;
    uint32_t seen = 0;
    uint32_t in_lexicon_text = 0;  // a vocabulary's words included
    uint32_t in_text = 0;          // not a vocabulary's
    bool fits() const { return starts / seen <= kMaxValue; }  // in a stored value
    bool common() const { return seen >= kCommonWordCount && fits(); }
    bool kept() const { return (seen >= kCommonWordCount || in_lexicon_text > 0) && fits(); }
  };
  struct Span {
    size_t first, end;
    uint64_t key, by_kind_key;
    bool has_by_kind;  // false after a space: the word's own entry is that entry
  };
  std::unordered_map<uint64_t, WordStat> word_stats;
  std::vector<Span> spans;
  const uint32_t* units = units_.data();
  // units_ starts and ends with kMaxLeft edges, so units[end] is readable.
  const size_t begin = units_.empty() ? 0 : kMaxLeft;
  const size_t end = units_.empty() ? 0 : units_.size() - 1;
  SplitWords(
      units, begin, end,
      [&](size_t first, size_t s, size_t e) {
        double starts = 0;
        for (size_t k = first; k < e; ++k) starts += starts_[k];
        const bool has_by_kind = KindBefore(units[s - 1]) != 0;
        const Span span{first, e, WordKey(units, s, e),
                        has_by_kind ? WordKey(units, s, e, true) : 0, has_by_kind};
        for (int k = 0; k < 1 + has_by_kind; ++k) {
          WordStat& w = word_stats[k == 0 ? span.key : span.by_kind_key];
          w.starts += starts;
          w.seen += 1;
          w.in_lexicon_text += source_[s] != kCalibration;
          w.in_text += source_[s] != kVocabulary;
        }
        spans.push_back(span);
        return false;
      },
      [](size_t) {});
  // Units of common words (by their own entry or the by-kind one) are left
  // out of the contexts.
  std::vector<uint8_t> covered(units_.size(), 0);
  for (const Span& span : spans) {
    if (word_stats.at(span.key).common() ||
        (span.has_by_kind && word_stats.at(span.by_kind_key).common())) {
      std::fill(covered.begin() + span.first, covered.begin() + span.end, 1);
    }
  }
  struct Item {
    uint64_t key;
    float value;
    bool wider;
  };
  std::vector<Item> items;
  for (const auto& [key, w] : word_stats) {
    // A word's mark: known from a vocabulary alone (WordCoverage::in_text).
    if (w.kept()) items.push_back({key, static_cast<float>(w.starts / w.seen), w.in_text == 0});
  }
  const size_t words = items.size();

  struct Stat {
    double starts = 0;
    uint32_t seen = 0;
  };
  std::array<std::unordered_map<uint64_t, Stat>, kBoundaryLevels> stats;
  for (size_t i = 0; i < units_.size(); ++i) {
    if (units_[i] == kEdge || covered[i]) continue;
    for (int level = 0; level < kBoundaryLevels; ++level) {
      Stat& s = stats[level][ContextKey(level, &units_[i])];
      s.starts += starts_[i];
      s.seen += 1;
    }
  }
  // Defaults: the mean per UTF-8 class where seen.
  BoundaryDefaults defaults = {1.0f, 0.3f, 0.5f, 1.0f, 2.0f};
  std::array<double, 5> sum{}, seen{};
  for (size_t i = 0; i < units_.size(); ++i) {
    if (units_[i] == kEdge || covered[i]) continue;
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
    if (units_[i] == kEdge || covered[i]) continue;
    std::array<uint64_t, kBoundaryLevels> keys;
    std::array<float, kBoundaryLevels> values;
    int widest = 0;
    double q = defaults[lengths_[i]];
    for (int level = 0; level < kBoundaryLevels; ++level) {
      keys[level] = ContextKey(level, &units_[i]);
      const Stat& s = stats[level].at(keys[level]);
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
  items.reserve(items.size() + kept.size());
  for (const auto& [key, k] : kept) items.push_back({key, k.value, k.wider});
  // A stable order, so the same text gives the same file.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
  // Packed as the file stores them: the estimate in 1/kValueScale, rounded
  // half up (values are never negative).
  auto packed = std::make_shared<std::string>(items.size() * sizeof(uint64_t), '\0');
  for (size_t k = 0; k < items.size(); ++k) {
    const auto value = static_cast<uint64_t>(std::min(items[k].value, kMaxValue) * kValueScale + 0.5f);
    const uint64_t item = items[k].key | value << 48 | static_cast<uint64_t>(items[k].wider) << 63;
    std::memcpy(packed->data() + k * sizeof(item), &item, sizeof(item));
  }
  const char* data = packed->data();
  return BoundaryModel(defaults, data, items.size(), words, std::move(packed));
}

}  // namespace tokcost::tokenizer_internal
