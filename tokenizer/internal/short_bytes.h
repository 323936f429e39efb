// Comparisons of short byte strings (pieces and vocabulary keys, mostly
// under 16 bytes) without a call into libc: fixed-size, possibly
// overlapping loads, so no byte past either string is read.
#ifndef TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_
#define TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

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

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_SHORT_BYTES_H_
