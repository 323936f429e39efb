#include "tokenizer/internal/bpe_model.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <queue>

#include "tokenizer/internal/anonymous_memory.h"
#include "tokenizer/internal/lowest_rank.h"
#include "tokenizer/internal/thread_caches.h"
#include "tokenizer/internal/unicode.h"

namespace tokcost::tokenizer_internal {
namespace {

std::atomic<uint64_t> next_serial{1};

}  // namespace

BpeModel::BpeModel(Options options) : options_(options), serial_(next_serial++) {}

bool BpeModel::Finish(std::string* error) {
  if (vocab_.size() > BytesToIdMap::kMaxEntries) {
    *error = "vocabulary has " + std::to_string(vocab_.size()) +
             " tokens; tokcost supports up to " + std::to_string(BytesToIdMap::kMaxEntries);
    return false;
  }
  vocab_.BuildFilter();
  for (int b = 0; b < 256; ++b) {
    if (options_.byte_level) {
      byte_ids_[b] = vocab_.FindByte(static_cast<unsigned char>(b));
      if (byte_ids_[b] == kNoId) {
        *error = "vocabulary has no token for byte " + std::to_string(b);
        return false;
      }
    } else {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      byte_ids_[b] = vocab_.Find(name);
      if (options_.byte_fallback && byte_ids_[b] == kNoId) {
        *error = std::string("byte fallback token ") + name + " is missing";
        return false;
      }
    }
  }
  if (!options_.byte_level) {
    char_ids_ = std::make_unique<std::atomic<uint64_t>[]>(size_t{1} << kCharIdBits);
  }
  if (options_.byte_level && !two_byte_) {
    two_byte_ = options_.rank_is_concatenation_id
                    ? TwoByteSymbols::Build(vocab_)
                    : TwoByteSymbols::BuildFromMerges(vocab_, pairs_, byte_ids_);
  }
  return true;
}

// The key is the character's bytes: with every byte after the first a
// continuation byte (never 0) and the first not 0, no two byte strings of
// up to 4 bytes share one. Anything else (ill-formed, NUL) is looked up
// directly.
uint32_t BpeModel::CharId(std::string_view c) const {
  if (char_ids_ == nullptr) return vocab_.Find(c);
  // Byte by byte, not a memcpy of variable length (a call, here).
  const auto* u = reinterpret_cast<const unsigned char*>(c.data());
  uint32_t key = u[0];
  for (size_t i = 1; i < c.size(); ++i) {
    if ((u[i] & 0xC0) != 0x80) return vocab_.Find(c);
    key |= static_cast<uint32_t>(u[i]) << (8 * i);
  }
  if (key == 0) return vocab_.Find(c);
  std::atomic<uint64_t>& slot = char_ids_[(key * 0x9E3779B1u) >> (32 - kCharIdBits)];
  const uint64_t entry = slot.load(std::memory_order_relaxed);
  if ((entry >> 32) == key) return static_cast<uint32_t>(entry);
  const uint32_t id = vocab_.Find(c);
  slot.store(static_cast<uint64_t>(key) << 32 | id, std::memory_order_relaxed);
  return id;
}

void BpeModel::InitialSymbols(std::string_view word,
                              std::vector<uint32_t>* ids) const {
  ids->clear();
  if (options_.byte_level) {
    for (unsigned char b : word) ids->push_back(byte_ids_[b]);
    return;
  }
  for (size_t pos = 0; pos < word.size();) {
    // A character cut short by the word's end is its bytes that are there
    // (the fallback below read past the word before).
    const int len = static_cast<int>(
        std::min<size_t>(Utf8Length(static_cast<unsigned char>(word[pos])), word.size() - pos));
    uint32_t id = CharId(word.substr(pos, len));
    if (id != kNoId) {
      ids->push_back(id);
    } else if (options_.byte_fallback) {
      for (int i = 0; i < len; ++i) {
        ids->push_back(byte_ids_[static_cast<unsigned char>(word[pos + i])]);
      }
    } else if (options_.unk_id != kNoId) {
      ids->push_back(options_.unk_id);
    }
    pos += len;
  }
}

// One word in the quadratic merge loop, in fixed arrays (no allocation, and
// several fit side by side for CountWords).
struct BpeModel::QuadraticWord {
  static constexpr int kMaxSymbols = kMaxQuadraticSymbols;
  static_assert(kMaxSymbols < 128, "prev and next are int8_t, next[i] == n is past the end");
  std::string_view word;
  int32_t n;       // symbols at the start
  int32_t padded;  // n rounded up to 8: the rank scan reads 8 at a time
  int32_t live;    // symbols left
  uint32_t ids[kMaxSymbols];
  uint32_t ranks[kMaxSymbols];   // of the pair (i, next[i]); kNoId: none
  uint32_t merged[kMaxSymbols];  // what that pair becomes
  uint32_t starts[kMaxSymbols + 1];  // byte of symbol i (byte-level); [n]: the end
  int8_t prev[kMaxSymbols];  // -1: none
  int8_t next[kMaxSymbols];  // n: none
};

namespace {

// A zero slot is empty (see PairCacheSlot). 512 KB, mapped as 2 MB in a
// huge page: a first pass looks pairs up all over it, 1.4 million times
// over the corpus (o200k), and in 128 small pages they would miss the TLB
// (the gain below is what that explains; this VM shows no counters).
// Cold counts of the corpus, alternated 30 times in one process with the
// CPU caches flushed: 1.019-1.029x (o200k, three runs), 1.024x (cl100k);
// ten fresh processes of each, alternated (o200k, a slow spell): first
// pass 76.8 -> 79.9 MB/s whole, 89.9 -> 89.4 as 4 KB documents, for 1.5
// MB more memory new to the process (RSS growth 7.2 -> 8.7 MB). A one-line
// count of a Russian line: 11.0-11.2 -> 10.3-10.4 ms (perf stat -r 30).
constexpr size_t kPairCacheBytes = sizeof(BpeModel::PairCacheSlot) << BpeModel::kPairCacheBits;
constexpr size_t kHugePage = size_t{2} << 20;
static_assert(kPairCacheBytes <= kHugePage);
struct PairCache {
  AnonymousMemory memory{kHugePage, AnonymousMemory::kHugePages};
  BpeModel::PairCacheSlot* slots = static_cast<BpeModel::PairCacheSlot*>(memory.data());
};

thread_local ThreadCaches<PairCache> pair_caches;

}  // namespace

// Inlined, with the pair's bytes taken without substr's bounds check: 77
// million fewer instructions over a 3 MB first pass (cachegrind, o200k),
// most of the calls being pair-cache hits.
__attribute__((always_inline)) inline void BpeModel::UpdateQuadratic(
    QuadraticWord* w, int32_t i, PairCacheSlot* cache) const {
  Merge m{kNoId, kNoId};
  if (const int32_t b = w->next[i]; b < w->n) {
    const uint32_t start = w->starts[i], end = w->starts[w->next[b]];
    m = PairOf(w->ids[i], w->ids[b], std::string_view(w->word.data() + start, end - start),
               cache);
  }
  w->ranks[i] = m.rank;
  w->merged[i] = m.merged;
}

void BpeModel::StartQuadratic(std::string_view word, int32_t n, QuadraticWord* w,
                              PairCacheSlot* cache, const uint32_t* starts) const {
  // The links and byte offsets of n untouched symbols, copied whole from
  // tables (fixed-size copies, no loop per symbol).
  struct Initial {
    uint32_t starts[QuadraticWord::kMaxSymbols];
    int8_t prev[QuadraticWord::kMaxSymbols];
    int8_t next[QuadraticWord::kMaxSymbols];
  };
  static constexpr Initial kInitial = [] {
    Initial t{};
    for (int i = 0; i < QuadraticWord::kMaxSymbols; ++i) {
      t.starts[i] = static_cast<uint32_t>(i);  // byte-level only
      t.prev[i] = static_cast<int8_t>(i - 1);
      t.next[i] = static_cast<int8_t>(i + 1);
    }
    return t;
  }();
  w->word = word;
  w->n = n;
  if (starts == nullptr) {
    std::memcpy(w->starts, kInitial.starts, sizeof(kInitial.starts));
  } else {
    std::memcpy(w->starts, starts, sizeof(uint32_t) * n);
  }
  std::memcpy(w->prev, kInitial.prev, sizeof(kInitial.prev));
  std::memcpy(w->next, kInitial.next, sizeof(kInitial.next));
  w->starts[w->n] = static_cast<uint32_t>(word.size());
  w->padded = (w->n + 7) & ~7;
  w->live = w->n;
  for (int32_t i = w->n; i < w->padded; ++i) w->ranks[i] = kNoId;
  for (int32_t i = 0; i < w->n; ++i) UpdateQuadratic(w, i, cache);
}

// Symbols stay where they started; a merge unlinks the right one (its rank
// becomes kNoId), so nothing is shifted and the ranks stay contiguous: the
// lowest is found 8 at a time (AVX2) instead of by walking the list with a
// hard-to-predict branch per symbol.
__attribute__((always_inline)) inline bool BpeModel::StepQuadratic(QuadraticWord* w,
                                                                  PairCacheSlot* cache) const {
  const int32_t best = LowestRank(w->ranks, w->padded);
  if (best < 0) return false;
  const int32_t gone = w->next[best];
  w->ids[best] = w->merged[best];
  w->ranks[gone] = kNoId;
  w->next[best] = w->next[gone];
  if (w->next[gone] < w->n) w->prev[w->next[gone]] = static_cast<int8_t>(best);
  --w->live;
  UpdateQuadratic(w, best, cache);
  if (w->prev[best] >= 0) UpdateQuadratic(w, w->prev[best], cache);
  return true;
}

void BpeModel::MergeWord(std::string_view word, Scratch* scratch,
                         Loop loop) const {
  PairCacheSlot* cache = pair_caches.Get(serial_).slots;
  if (options_.ignore_merges) {
    uint32_t id = vocab_.Find(word);
    if (id != kNoId) {
      scratch->ids_.assign(1, id);
      return;
    }
  }
  InitialSymbols(word, &scratch->ids_);
  const size_t n = scratch->ids_.size();
  if (n < 2) return;
  if (loop == Loop::kAuto || (loop == Loop::kQuadratic && n > QuadraticWord::kMaxSymbols)) {
    loop = n <= QuadraticWord::kMaxSymbols ? Loop::kQuadratic : Loop::kHeap;
  }
  if (loop == Loop::kHeap) {
    MergeSymbolsHeap(word, cache, scratch);
    return;
  }
  QuadraticWord w;
  std::copy(scratch->ids_.begin(), scratch->ids_.end(), w.ids);
  StartQuadratic(word, static_cast<int32_t>(n), &w, cache);
  while (StepQuadratic(&w, cache)) {
  }
  scratch->ids_.clear();
  for (int32_t i = 0; i < w.n; i = w.next[i]) scratch->ids_.push_back(w.ids[i]);
}

void BpeModel::CountWords(const std::string_view* words, size_t count, uint32_t* counts,
                          Scratch* scratch) const {
  PairCacheSlot* cache = pair_caches.Get(serial_).slots;
  const TwoByteSymbols* two_byte = two_byte_ ? &*two_byte_ : nullptr;
  uint32_t starts[QuadraticWord::kMaxSymbols];
  size_t next = 0;
  // Starts the next word that needs the merge loop in *w, counting the
  // words before it that do not; false when none is left.
  auto start = [&](QuadraticWord* w, size_t* index) {
    for (; next < count; ++next) {
      const std::string_view word = words[next];
      // Words the interleaved loop does not take go through MergeWord, which
      // makes the whole-word lookup itself.
      if (!options_.byte_level || word.size() < 2 || word.size() > QuadraticWord::kMaxSymbols) {
        MergeWord(word, scratch);
        counts[next] = static_cast<uint32_t>(scratch->ids_.size());
        continue;
      }
      if (options_.ignore_merges && vocab_.Find(word) != kNoId) {
        counts[next] = 1;
        continue;
      }
      if (two_byte == nullptr) {
        for (size_t k = 0; k < word.size(); ++k) {  // byte-level initial symbols
          w->ids[k] = byte_ids_[static_cast<unsigned char>(word[k])];
        }
        StartQuadratic(word, static_cast<int32_t>(word.size()), w, cache);
      } else {
        // Bytes, and two-byte characters as one symbol where the table
        // allows it (Russian words: half the symbols, half the merges).
        const auto* u = reinterpret_cast<const unsigned char*>(word.data());
        const size_t size = word.size();
        int32_t n = 0;
        for (size_t k = 0; k < size; ++n) {
          starts[n] = static_cast<uint32_t>(k);
          if (const uint32_t id = two_byte->At(u, k, size); id != kNoId) {
            w->ids[n] = id;
            k += 2;
          } else {
            w->ids[n] = byte_ids_[u[k]];
            ++k;
          }
        }
        StartQuadratic(word, n, w, cache, starts);
      }
      *index = next++;
      return true;
    }
    return false;
  };
  // One merge step of each word in turn: a step's lookups do not wait on
  // another word's, so their misses overlap: first passes of
  // bench/count_speed +4-12% (o200k, cl100k). 16 words: 8 and 32 gained
  // less.
  constexpr size_t kInFlight = 16;
  QuadraticWord words_in_flight[kInFlight];
  // The live words first; a finished word's entry is swapped to the end,
  // not copied (a QuadraticWord is nearly 1 KB).
  QuadraticWord* in_flight[kInFlight];
  size_t index_of[kInFlight];  // which of `words` each entry holds
  for (size_t j = 0; j < kInFlight; ++j) in_flight[j] = &words_in_flight[j];
  size_t live = 0;
  while (live < kInFlight && start(in_flight[live], &index_of[live])) ++live;
  while (live > 0) {
    for (size_t j = 0; j < live;) {
      if (StepQuadratic(in_flight[j], cache)) {
        ++j;
        continue;
      }
      counts[index_of[j]] = static_cast<uint32_t>(in_flight[j]->live);
      if (start(in_flight[j], &index_of[j])) {
        ++j;
        continue;
      }
      if (j != --live) {
        std::swap(in_flight[j], in_flight[live]);
        index_of[j] = index_of[live];
      }
    }
  }
}

// Mirrors Hugging Face's Word::merge_all: a min-heap of (rank, position),
// entries re-validated when popped.
void BpeModel::MergeSymbolsHeap(std::string_view word, PairCacheSlot* cache,
                                Scratch* scratch) const {
  std::vector<uint32_t>& ids = scratch->ids_;
  std::vector<int32_t>& prev = scratch->prev_;
  std::vector<int32_t>& next = scratch->next_;
  const int32_t n = static_cast<int32_t>(ids.size());
  prev.resize(n);
  next.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Entry {
    uint32_t rank;
    int32_t pos;
    uint32_t merged;
    bool operator>(const Entry& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  // Byte-level: symbol i started at byte i; the pair (a, b) spans a's start
  // to the start of the symbol after b.
  const bool spans = options_.rank_is_concatenation_id;
  auto pair_of = [&](int32_t a, int32_t b) {
    const size_t end = next[b] >= 0 ? static_cast<size_t>(next[b]) : word.size();
    return PairOf(ids[a], ids[b], spans ? word.substr(a, end - a) : std::string_view(), cache);
  };
  for (int32_t i = 0; i + 1 < n; ++i) {
    Merge m = pair_of(i, i + 1);
    if (m.rank != kNoId) heap.push({m.rank, i, m.merged});
  }
  std::vector<bool> removed(n, false);
  while (!heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    if (removed[top.pos] || next[top.pos] < 0) continue;
    int32_t right = next[top.pos];
    Merge m = pair_of(top.pos, right);
    if (m.merged != top.merged || m.rank == kNoId) continue;  // stale entry
    ids[top.pos] = top.merged;
    removed[right] = true;
    next[top.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = top.pos;
    if (prev[top.pos] >= 0) {
      int32_t p = prev[top.pos];
      Merge pm = pair_of(p, top.pos);
      if (pm.rank != kNoId) heap.push({pm.rank, p, pm.merged});
    }
    if (next[top.pos] >= 0) {
      Merge nm = pair_of(top.pos, next[top.pos]);
      if (nm.rank != kNoId) heap.push({nm.rank, top.pos, nm.merged});
    }
  }
  size_t out = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (!removed[i]) ids[out++] = ids[i];
  }
  ids.resize(out);
}

}  // namespace tokcost::tokenizer_internal
