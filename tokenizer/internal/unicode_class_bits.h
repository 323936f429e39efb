// Bits of the per-code-point class table (one uint16_t per code point).
#ifndef TOKCOST_TOKENIZER_INTERNAL_UNICODE_CLASS_BITS_H_
#define TOKCOST_TOKENIZER_INTERNAL_UNICODE_CLASS_BITS_H_

#include <cstdint>

namespace tokcost::tokenizer_internal {

inline constexpr uint16_t kLu = 1 << 0;
inline constexpr uint16_t kLl = 1 << 1;
inline constexpr uint16_t kLt = 1 << 2;
inline constexpr uint16_t kLm = 1 << 3;
inline constexpr uint16_t kLo = 1 << 4;
inline constexpr uint16_t kM = 1 << 5;           // Mn, Mc, Me
inline constexpr uint16_t kN = 1 << 6;           // Nd, Nl, No
inline constexpr uint16_t kP = 1 << 7;           // all P* categories
inline constexpr uint16_t kS = 1 << 8;           // all S* categories
inline constexpr uint16_t kWhiteSpace = 1 << 9;  // White_Space (regex \s)

inline constexpr uint16_t kL = kLu | kLl | kLt | kLm | kLo;
// o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}].
inline constexpr uint16_t kUpperish = kLu | kLt | kLm | kLo | kM;
inline constexpr uint16_t kLowerish = kLl | kLm | kLo | kM;

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_UNICODE_CLASS_BITS_H_
