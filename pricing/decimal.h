// Exact decimal numbers for money and multipliers: no binary floating point
// ever touches an amount.
//
//   StatusOr<Decimal> price = Decimal::Parse("0.0016");   // per 1,000 units
//   Decimal cost = price->MulInt(4845).ShiftRight(3);     // x units / 1000
//   cost.ToString();                                      // "0.007752"
//
// A value is an integer mantissa and a power-of-ten scale (value =
// mantissa / 10^scale). Arithmetic is exact within 128 bits (about 38
// significant digits), far beyond any bill. Value type; thread-compatible.
#ifndef TOKCOST_PRICING_DECIMAL_H_
#define TOKCOST_PRICING_DECIMAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/base/status.h"

namespace tokcost {

class Decimal {
 public:
  Decimal() = default;
  static Decimal FromInt(int64_t v) { return Decimal(v, 0); }
  // Accepts "12", "-0.5", "0.0016" (no exponent, no thousands separators).
  static StatusOr<Decimal> Parse(std::string_view text);

  Decimal operator+(const Decimal& o) const;
  Decimal operator-(const Decimal& o) const;
  Decimal operator*(const Decimal& o) const;
  Decimal MulInt(int64_t k) const { return *this * FromInt(k); }
  // Divides by 10^n exactly.
  Decimal ShiftRight(int n) const { return Decimal(mantissa_, scale_ + n); }
  // Smallest integer >= value.
  int64_t Ceil() const;
  int Compare(const Decimal& o) const;
  bool operator<(const Decimal& o) const { return Compare(o) < 0; }
  bool operator<=(const Decimal& o) const { return Compare(o) <= 0; }
  bool operator==(const Decimal& o) const { return Compare(o) == 0; }
  bool is_zero() const { return mantissa_ == 0; }
  bool is_negative() const { return mantissa_ < 0; }

  // Exact, without trailing zeros ("0.008076615", "750", "0").
  std::string ToString() const;
  // Rounded half up to `digits` decimals, zero-padded ("0.01").
  std::string ToFixed(int digits) const;
  // For ratios and charts only, never for amounts.
  double ToDouble() const;

 private:
  Decimal(__int128 mantissa, int scale) : mantissa_(mantissa), scale_(scale) {}
  static __int128 Pow10(int n);
  // Returns mantissa rescaled to `scale` (>= scale_).
  __int128 At(int scale) const { return mantissa_ * Pow10(scale - scale_); }

  __int128 mantissa_ = 0;
  int scale_ = 0;
};

}  // namespace tokcost

#endif  // TOKCOST_PRICING_DECIMAL_H_
