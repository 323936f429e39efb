#include "tools/cli/approx_counter.h"

#include <cmath>
#include <cstdint>
#include <cstring>

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

void HybridSample::Offer(const Request& request, double approx) {
  ++seen_;
  if (static_cast<int64_t>(requests_.size()) < size_) {
    requests_.push_back(request);
    approx_.push_back(approx);
    return;
  }
  // Reservoir sampling: every request ends up in the sample with equal odds.
  int64_t j = std::uniform_int_distribution<int64_t>(0, seen_ - 1)(rng_);
  if (j < size_) {
    requests_[j] = request;
    approx_[j] = approx;
  }
}

HybridSample::Total HybridSample::Estimate(const std::vector<int64_t>& exact,
                                           double approx_sum) const {
  Total t;
  const double n = static_cast<double>(requests_.size());
  if (n == 0) return t;
  double sum_y = 0, sum_x = 0;
  for (size_t i = 0; i < requests_.size(); ++i) {
    sum_y += static_cast<double>(exact[i]);
    sum_x += approx_[i];
  }
  if (static_cast<int64_t>(requests_.size()) == seen_) {
    t.tokens = t.low = t.high = sum_y;  // everything was counted exactly
    return t;
  }
  const double r = sum_x > 0 ? sum_y / sum_x : 1.0;
  t.tokens = r * approx_sum;
  double ss = 0;
  for (size_t i = 0; i < requests_.size(); ++i) {
    double d = static_cast<double>(exact[i]) - r * approx_[i];
    ss += d * d;
  }
  const double big_n = static_cast<double>(seen_);
  const double var_mean = (1 - n / big_n) * ss / std::max(1.0, n - 1) / n;
  const double se = big_n * std::sqrt(var_mean);  // of the total
  // 1.96 for 95%; a t quantile would be slightly wider for tiny samples, so
  // use 2.0 below 60 sampled requests.
  const double z = n < 60 ? 2.0 : 1.96;
  t.low = std::max(0.0, t.tokens - z * se);
  t.high = t.tokens + z * se;
  return t;
}

}  // namespace tokcost::cli
