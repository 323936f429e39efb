#include "tools/cli/approx_counter.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace tokcost::cli {

double TokenCeiling(std::string_view text) {
  size_t non_ascii = 0, i = 0;
  for (; i + 8 <= text.size(); i += 8) {  // high bits, eight bytes at a time
    uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    // The high bits moved to the bytes' low bits and summed by a multiply
    // (at most 8, so no byte carries): without -mpopcnt, __builtin_popcountll
    // is a call into libgcc, 3% of a `count --count approx`.
    non_ascii += static_cast<size_t>((((w >> 7) & 0x0101010101010101ULL) * 0x0101010101010101ULL) >> 56);
  }
  for (; i < text.size(); ++i) non_ascii += static_cast<unsigned char>(text[i]) >> 7;
  return static_cast<double>(text.size() + 2 * non_ascii);
}

double TokenCeiling(const ApproxFeatures& features, uint64_t bytes) {
  // Classes 0-4 are the ASCII bytes, each a character (approx_scan.h).
  double ascii = 0;
  for (int c = 0; c < 5; ++c) ascii += features[c];
  return static_cast<double>(bytes) + 2 * (static_cast<double>(bytes) - ascii);
}

RequestEstimate ApproxRequest(const ApproxProfile& profile, const ChatTemplate* chat_template,
                              const Request& request) {
  RequestEstimate r;
  auto estimate = [&](std::string_view text) {
    ApproxEstimate e = profile.Estimate(text);
    r.familiar = r.familiar && e.familiar;
    return static_cast<double>(e.tokens);
  };
  if (chat_template == nullptr) {
    for (const ChatMessage& m : request.messages) {
      r.tokens += estimate(m.content) + kApproxMessageOverhead;
    }
    return r;
  }
  double control = 0;
  std::string text;
  for (const TemplatePart& part : chat_template->Render(request.messages)) {
    if (part.special) {
      control += 1;
    } else {
      text += part.text;
    }
  }
  r.tokens = control + estimate(text);
  r.ceiling = control + TokenCeiling(text);
  return r;
}

// The 97.5th percentile of Student's t with `df` degrees of freedom (at
// least 1), for a two-sided 95% interval from a small sample: 1.96 (the
// normal's) would be too narrow, 2.26 against 1.96 for 10 sampled inputs.
double StudentT975(size_t df) {
  static constexpr struct {
    size_t df;
    double t;
  } kTable[] = {{1, 12.706}, {2, 4.303},  {3, 3.182},  {4, 2.776},  {5, 2.571},
                {6, 2.447},  {7, 2.365},  {8, 2.306},  {9, 2.262},  {10, 2.228},
                {15, 2.131}, {20, 2.086}, {30, 2.042}, {60, 2.000}, {120, 1.980}};
  if (df <= 1) return kTable[0].t;
  for (size_t i = 1; i < std::size(kTable); ++i) {
    if (df <= kTable[i].df) {  // linear between the table's rows
      const auto& a = kTable[i - 1];
      const auto& b = kTable[i];
      return a.t + (b.t - a.t) * static_cast<double>(df - a.df) / static_cast<double>(b.df - a.df);
    }
  }
  return 1.96;
}

HybridTotal RatioTotal(const std::vector<int64_t>& exact, const std::vector<double>& approx,
                       int64_t population, double approx_sum) {
  HybridTotal t;
  const double n = static_cast<double>(exact.size());
  if (n == 0) return t;
  double sum_y = 0, sum_x = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    sum_y += static_cast<double>(exact[i]);
    sum_x += approx[i];
  }
  if (static_cast<int64_t>(exact.size()) >= population) {
    t.tokens = t.low = t.high = sum_y;  // everything was counted exactly
    return t;
  }
  const double r = sum_x > 0 ? sum_y / sum_x : 1.0;
  t.tokens = r * approx_sum;
  double ss = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    double d = static_cast<double>(exact[i]) - r * approx[i];
    ss += d * d;
  }
  const double big_n = static_cast<double>(population);
  const double var_mean = (1 - n / big_n) * ss / std::max(1.0, n - 1) / n;
  const double se = big_n * std::sqrt(var_mean);  // of the total
  const double z = StudentT975(exact.size() - 1);
  t.low = std::max(0.0, t.tokens - z * se);
  t.high = t.tokens + z * se;
  return t;
}

}  // namespace tokcost::cli
