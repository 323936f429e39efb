// Comparisons of short byte strings (pieces and vocabulary keys, mostly
// under 16 bytes) without a call into libc: fixed-size, possibly
// overlapping loads, so no byte past either string is read.
#ifndef TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_
#define TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <bit>
#include <cstring>
#include <string_view>

namespace tokcost::tokenizer_internal {

inline uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline uint32_t Load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// Whether the n bytes at a and b are equal.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (Load64(a + i) != Load64(b + i)) return false;
    }
    return Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  if (n == 0) return true;
  return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

// The first min(n, 8) bytes at p as a little-endian word, zero above: equal
// for two strings of one length exactly when those bytes are.
inline uint64_t HeadBytes(const char* p, size_t n) {
  static_assert(std::endian::native == std::endian::little, "overlapping loads assume it");
  if (n >= 8) return Load64(p);
  if (n >= 4) {
    const uint64_t low = Load32(p), high = Load32(p + n - 4);
    return low | high << (8 * (n - 4));
  }
  if (n == 0) return 0;
  auto byte = [p](size_t i) {
    return static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

// A multiply-xorshift hash of `key`, whose HeadBytes are `head`: keys are
// short, so the head does most of the work.
inline uint64_t HashBytes(std::string_view key, uint64_t head) {
  const char* p = key.data();
  const size_t n = key.size();
  uint64_t h = (head ^ (n * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 31;
  if (n > 8) {
    for (size_t i = 8; i + 8 < n; i += 8) {
      h = (h ^ Load64(p + i)) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    h = (h ^ Load64(p + n - 8)) * 0xBF58476D1CE4E5B9ULL;  // overlaps the loop's last word
  }
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_
