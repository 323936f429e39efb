#include "tokenizer/internal/approx_scan.h"

#include <immintrin.h>

#include <array>

namespace tokcost::tokenizer_internal {
namespace {

constexpr uint8_t kCont = 15;  // continuation byte: keeps the class before it

constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    uint8_t c = 4;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) c = 0;
    else if (b >= '0' && b <= '9') c = 1;
    else if (b == ' ' || b == '\t') c = 2;
    else if (b == '\n' || b == '\r') c = 3;
    else if (b < 0x80) c = 4;
    else if (b < 0xC0) c = kCont;
    else if (b >= 0xD0 && b <= 0xD3) c = 5;
    else if (b < 0xE0) c = 6;
    else if (b >= 0xE3 && b <= 0xE9) c = 9;
    else if (b < 0xF0) c = 7;
    else c = 8;
    t[b] = c;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

void CloseRun(uint8_t cls, uint64_t n, ApproxCounts* c) {
  if (n == 0) return;
  const uint64_t bucket = (n < kLengthBuckets ? n : kLengthBuckets) - 1;
  if (cls == 0) ++c->ascii_words[bucket];
  else if (cls == 5) ++c->cyrillic_words[bucket];
  else if (cls == 1) c->digit_groups += (n + 2) / 3;
}

// The scalar loop's state between bytes: the current run's class and its
// length in characters.
struct ScalarState {
  uint8_t prev = 3;
  uint64_t len = 0;
};

void ScanScalar(const unsigned char* p, size_t n, ScalarState* st, ApproxCounts* c) {
  uint8_t prev = st->prev;
  uint64_t len = st->len;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char b = p[i];
    const uint8_t raw = kClass[b];
    const uint8_t cls = raw == kCont ? prev : raw;
    const uint32_t is_upper = static_cast<unsigned char>(b - 'A') < 26;
    if (cls != prev) {
      CloseRun(prev, len, c);
      len = 0;
      ++c->runs[cls];
      c->capitalized += is_upper;
    }
    const uint32_t starts_char = raw != kCont;
    len += starts_char;
    c->chars[cls] += starts_char;
    c->upper += is_upper;
    prev = cls;
  }
  st->prev = prev;
  st->len = len;
}

}  // namespace

ApproxCounts ScanApproxScalar(std::string_view text) {
  ApproxCounts c;
  ScalarState st;
  ScanScalar(reinterpret_cast<const unsigned char*>(text.data()), text.size(), &st, &c);
  CloseRun(st.prev, st.len, &c);
  return c;
}

namespace {

// Bit i of the result is set when byte i of the 64 bytes is in [lo, hi].
TOKCOST_AVX2 inline uint64_t InRange(__m256i a, __m256i b, uint8_t lo, uint8_t hi) {
  const __m256i l = _mm256_set1_epi8(static_cast<char>(lo));
  const __m256i k = _mm256_set1_epi8(static_cast<char>(hi - lo));
  const __m256i ta = _mm256_sub_epi8(a, l), tb = _mm256_sub_epi8(b, l);
  const uint32_t ma = static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(ta, k), ta)));
  const uint32_t mb = static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(tb, k), tb)));
  return ma | (static_cast<uint64_t>(mb) << 32);
}

TOKCOST_AVX2 inline uint64_t Equal(__m256i a, __m256i b, uint8_t v) {
  const __m256i x = _mm256_set1_epi8(static_cast<char>(v));
  const uint32_t ma = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, x)));
  const uint32_t mb = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, x)));
  return ma | (static_cast<uint64_t>(mb) << 32);
}

// Bits lo..hi (inclusive) set; bzhi keeps all 64 bits when hi is 63.
TOKCOST_AVX2 inline uint64_t Span(unsigned lo, unsigned hi) {
  return _bzhi_u64(~0ULL << lo, hi + 1);
}

// CloseRun for a class known at compile time (every run has a character).
template <int kClassId>
inline void CloseRunOf(uint64_t n, ApproxCounts* c) {
  if constexpr (kClassId == 1) {
    c->digit_groups += (n + 2) / 3;
  } else {
    const uint64_t bucket = (n < kLengthBuckets ? n : kLengthBuckets) - 1;
    ++(kClassId == 0 ? c->ascii_words : c->cyrillic_words)[bucket];
  }
}

// Runs of class 0 or 1 that start at a bit of `starts` and end before bit
// 63, whose bytes are characters, by length: bit i of `reach` is set while
// bytes i..i+len-1 are all of the class, so popcount(starts & reach) counts
// the runs at least `len` long.
template <int kClassId>
TOKCOST_AVX2 inline void CountInteriorRuns(uint64_t starts, uint64_t e, ApproxCounts* c) {
  uint64_t reach = e;
  uint64_t at_least = static_cast<uint64_t>(_mm_popcnt_u64(starts));  // len 1
  if constexpr (kClassId == 1) {
    // ceil(len / 3) groups: one for each len = 1, 4, 7, ... a run reaches.
    for (unsigned len = 1; starts & reach; ++len) {
      if (len % 3 == 1) c->digit_groups += static_cast<uint64_t>(_mm_popcnt_u64(starts & reach));
      reach &= e >> len;
    }
  } else {
    for (unsigned len = 1; len < kLengthBuckets && at_least != 0; ++len) {
      reach &= e >> len;
      const uint64_t longer = static_cast<uint64_t>(_mm_popcnt_u64(starts & reach));
      c->ascii_words[len - 1] += at_least - longer;
      at_least = longer;
    }
    c->ascii_words[kLengthBuckets - 1] += at_least;
  }
}

// What one 64-byte block hands to the next.
struct BlockCarry {
  uint8_t last;       // class of the block's last byte
  uint64_t open_len;  // characters so far of the run open at its end (classes 0, 1, 5)
};

// Counts class k's characters, runs and (for 0, 1, 5) run lengths in one
// block. `own`: the block's bytes of class k; `cont`: its continuation bytes.
template <int k>
TOKCOST_AVX2 inline void CountClass(uint64_t own, uint64_t cont, const BlockCarry& in,
                                    BlockCarry* out, uint64_t* all_starts, ApproxCounts* c) {
  // Most blocks hold only a few classes: nothing to count for the rest.
  if (own == 0 && in.last != k) return;
  const uint64_t carry = in.last == k;
  // Continuation bytes reached from a class-k byte (or from the block
  // before) through a run of continuation bytes: adding the run's first
  // bit carries through the run and clears it.
  const uint64_t t = ((own << 1) | carry) & cont;
  const uint64_t e = own | (cont & ~(cont + t));
  const uint64_t starts = e & ~((e << 1) | carry);
  *all_starts |= starts;
  c->chars[k] += static_cast<uint64_t>(_mm_popcnt_u64(own));
  c->runs[k] += static_cast<uint64_t>(_mm_popcnt_u64(starts));
  if (e >> 63) out->last = k;
  if constexpr (k == 0 || k == 1 || k == 5) {
    const uint64_t char_starts = ~cont;
    // A run ends where the next byte is of another class; one reaching
    // the block's end stays open.
    uint64_t ends = e & ~(e >> 1) & ~(1ULL << 63);
    if (carry) {  // the open run carries on into this block...
      if (e & 1) {
        if (ends) {
          const unsigned end = static_cast<unsigned>(_tzcnt_u64(ends));
          CloseRunOf<k>(in.open_len + _mm_popcnt_u64(char_starts & Span(0, end)), c);
          ends = _blsr_u64(ends);
        } else {  // ...across the whole block
          out->open_len = in.open_len + static_cast<uint64_t>(_mm_popcnt_u64(char_starts));
        }
      } else {  // ...or ended with the block before
        CloseRunOf<k>(in.open_len, c);
      }
    }
    uint64_t s = starts;
    if constexpr (k == 0 || k == 1) {
      // ASCII letters and digits, with no continuation byte among them:
      // a run's length in characters is its length in bytes, so the runs
      // that start and end inside the block are counted by length with
      // masks instead of one by one (they are most of the runs).
      if ((e & cont) == 0 && s != 0) {
        if (e >> 63) {  // the last run stays open: its own path, below
          const unsigned last = 63 - static_cast<unsigned>(_lzcnt_u64(s));
          out->open_len = 64 - last;
          s &= ~(1ULL << last);
        }
        CountInteriorRuns<k>(s, e, c);
        s = 0;
      }
    }
    for (; s; s = _blsr_u64(s)) {
      const unsigned start = static_cast<unsigned>(_tzcnt_u64(s));
      if (ends) {
        const unsigned end = static_cast<unsigned>(_tzcnt_u64(ends));
        ends = _blsr_u64(ends);
        CloseRunOf<k>(_mm_popcnt_u64(char_starts & Span(start, end)), c);
      } else {
        out->open_len = static_cast<uint64_t>(_mm_popcnt_u64(char_starts & Span(start, 63)));
      }
    }
  }
}

}  // namespace

TOKCOST_AVX2 ApproxCounts ScanApproxAvx2(std::string_view text) {
  ApproxCounts c;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  BlockCarry carry{3, 0};  // the text starts as if after a newline
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32));
    const uint64_t upper = InRange(a, b, 'A', 'Z');
    const uint64_t letter = upper | InRange(a, b, 'a', 'z');
    const uint64_t digit = InRange(a, b, '0', '9');
    const uint64_t space = Equal(a, b, ' ') | Equal(a, b, '\t');
    const uint64_t newline = Equal(a, b, '\n') | Equal(a, b, '\r');
    const uint64_t high = static_cast<uint32_t>(_mm256_movemask_epi8(a)) |
                          (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(b))) << 32);
    const uint64_t other = ~high & ~letter & ~digit & ~space & ~newline;
    // Blocks of ASCII text skip the multi-byte classes' masks (all zero).
    uint64_t cont = 0, cyrillic = 0, lead2 = 0, lead3 = 0, lead4 = 0, cjk = 0;
    if (high != 0) {
      cont = InRange(a, b, 0x80, 0xBF);
      cyrillic = InRange(a, b, 0xD0, 0xD3);
      cjk = InRange(a, b, 0xE3, 0xE9);
      lead4 = InRange(a, b, 0xF0, 0xFF);
      lead3 = InRange(a, b, 0xE0, 0xEF) & ~cjk;
      lead2 = high & ~cont & ~cyrillic & ~cjk & ~lead3 & ~lead4;
    }
    BlockCarry next{carry.last, 0};
    uint64_t all_starts = 0;
    CountClass<0>(letter, cont, carry, &next, &all_starts, &c);
    CountClass<1>(digit, cont, carry, &next, &all_starts, &c);
    CountClass<2>(space, cont, carry, &next, &all_starts, &c);
    CountClass<3>(newline, cont, carry, &next, &all_starts, &c);
    CountClass<4>(other, cont, carry, &next, &all_starts, &c);
    CountClass<5>(cyrillic, cont, carry, &next, &all_starts, &c);
    CountClass<6>(lead2, cont, carry, &next, &all_starts, &c);
    CountClass<7>(lead3, cont, carry, &next, &all_starts, &c);
    CountClass<8>(lead4, cont, carry, &next, &all_starts, &c);
    CountClass<9>(cjk, cont, carry, &next, &all_starts, &c);
    c.upper += static_cast<uint64_t>(_mm_popcnt_u64(upper));
    c.capitalized += static_cast<uint64_t>(_mm_popcnt_u64(upper & all_starts));
    carry = next;
  }
  // The tail, and the final run, by the scalar loop from the same state.
  ScalarState st{carry.last, carry.open_len};
  ScanScalar(p + i, n - i, &st, &c);
  CloseRun(st.prev, st.len, &c);
  return c;
}

}  // namespace tokcost::tokenizer_internal
