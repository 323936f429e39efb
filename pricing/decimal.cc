#include "pricing/decimal.h"

#include <algorithm>

namespace tokcost {
namespace {

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : v;
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// Renders mantissa / 10^scale with exactly `scale` decimals.
std::string Render(__int128 mantissa, int scale) {
  bool neg = mantissa < 0;
  std::string digits = Int128ToString(neg ? -mantissa : mantissa);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) {
      digits.insert(0, scale + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, ".");
  }
  return neg ? "-" + digits : digits;
}

}  // namespace

__int128 Decimal::Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  __int128 m = 0;
  int scale = 0, digits = 0;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9' || digits >= 30) {
      return InvalidArgumentError("not a decimal number: \"" + std::string(text) + "\"");
    }
    m = m * 10 + (c - '0');
    ++digits;
    if (dot) ++scale;
  }
  if (digits == 0) {
    return InvalidArgumentError("not a decimal number: \"" + std::string(text) + "\"");
  }
  return Decimal(neg ? -m : m, scale);
}

Decimal Decimal::operator+(const Decimal& o) const {
  int s = std::max(scale_, o.scale_);
  return Decimal(At(s) + o.At(s), s);
}

Decimal Decimal::operator-(const Decimal& o) const {
  int s = std::max(scale_, o.scale_);
  return Decimal(At(s) - o.At(s), s);
}

Decimal Decimal::operator*(const Decimal& o) const {
  Decimal r(mantissa_ * o.mantissa_, scale_ + o.scale_);
  // Keep scales small so that long sums cannot overflow.
  while (r.scale_ > 0 && r.mantissa_ % 10 == 0) {
    r.mantissa_ /= 10;
    --r.scale_;
  }
  return r;
}

int64_t Decimal::Ceil() const {
  __int128 p = Pow10(scale_);
  __int128 q = mantissa_ / p;
  if (mantissa_ % p != 0 && mantissa_ > 0) ++q;
  return static_cast<int64_t>(q);
}

int Decimal::Compare(const Decimal& o) const {
  int s = std::max(scale_, o.scale_);
  __int128 a = At(s), b = o.At(s);
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::string Decimal::ToString() const {
  __int128 m = mantissa_;
  int s = scale_;
  while (s > 0 && m % 10 == 0) {
    m /= 10;
    --s;
  }
  return Render(m, s);
}

std::string Decimal::ToFixed(int digits) const {
  if (scale_ <= digits) return Render(At(digits), digits);
  __int128 p = Pow10(scale_ - digits);
  __int128 m = mantissa_ < 0 ? -mantissa_ : mantissa_;
  __int128 q = m / p + (m % p * 2 >= p ? 1 : 0);
  return Render(mantissa_ < 0 ? -q : q, digits);
}

double Decimal::ToDouble() const {
  return static_cast<double>(mantissa_) / static_cast<double>(Pow10(scale_));
}

}  // namespace tokcost
