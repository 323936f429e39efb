// Approximate and hybrid counting of chat requests (and of count's inputs).
//
// Approx: a request is estimated from its rendered text (the model's chat
// template, control tokens counted one each), or, for models counted by
// the endpoint, from its messages plus a per-message overhead.
// Hybrid: a uniform random sample of requests or inputs (reservoir
// sampling, so the workload is read once) is counted exactly or by the
// endpoint; the total is the ratio estimator T = (sum exact / sum approx
// over the sample) x sum approx, with its standard error from the sample's
// residuals and the finite-population correction.
//
//   HybridSample<Request> sample(200, /*seed=*/1);
//   for (const Request& r : workload) sample.Offer(r, approx_of(r));
//   HybridTotal t = sample.Estimate(exact_counts_of(sample.items()), approx_sum);
#ifndef TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
#define TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_

#include <random>
#include <utility>
#include <vector>

#include "pricing/workload.h"
#include "tokenizer/approx.h"
#include "tokenizer/chat_template.h"

namespace tokcost::cli {

// Tokens added per message for endpoint models in approx mode (role and
// control tokens); hybrid mode corrects it with the sample.
inline constexpr int kApproxMessageOverhead = 4;

// One request's approximate count.
struct RequestEstimate {
  double tokens = 0;
  // False when a text of it is unlike the profile's calibration text
  // (ApproxProfile::Familiar): the profile's bounds may not hold for it.
  bool familiar = true;
  // A count the request cannot exceed, whatever its text, or -1 when none is
  // known: with a chat template (models whose tokenizer is public), one per
  // control token plus TokenCeiling of the rendered text. For endpoint
  // models the template's overhead is not public: no ceiling.
  double ceiling = -1;
};

RequestEstimate ApproxRequest(const ApproxProfile& profile, const ChatTemplate* chat_template,
                              const Request& request);

// The most tokens any public tokenizer of tokcost's can give `text`: each
// token spans at least one byte of the normalized text, and normalization
// (NFC, for qwen3) can triple a non-ASCII character's bytes (U+1D160, 4
// bytes, becomes 12) but leaves ASCII alone. So: one per ASCII byte, three
// per other byte (tests/tokenizer/tokenizer_test.cc holds all seven to it).
double TokenCeiling(std::string_view text);
// The same from a text's character features (ComputeApproxFeatures, or
// ApproxStream::Features) and size, with no pass over its bytes.
double TokenCeiling(const ApproxFeatures& features, uint64_t bytes);
// TokenCeiling's rule, as notes to the user state it.
inline constexpr char kCeilingRule[] = "one token per ASCII byte, three per other byte";

// A hybrid total: the ratio estimator over `population` items whose
// approximations add up to `approx_sum`, from a uniform sample's exact
// counts and approximations (aligned), with its 95% interval. Exact when the
// sample is the whole population.
struct HybridTotal {
  double tokens = 0;
  double low = 0, high = 0;
};
HybridTotal RatioTotal(const std::vector<int64_t>& exact, const std::vector<double>& approx,
                       int64_t population, double approx_sum);
// The 97.5th percentile of Student's t with `df` degrees of freedom: the
// interval's half-width in standard errors.
double StudentT975(size_t df);

// The sampled side of hybrid counting: a uniform random sample of the items
// offered (reservoir sampling, so they are read once). T is what the exact
// count needs later: a request, or an input's text. Not thread-safe.
template <typename T>
class HybridSample {
 public:
  HybridSample(int64_t size, uint64_t seed) : size_(size), rng_(seed) {}

  // Offers each item once, with its approximate count.
  void Offer(T item, double approx) {
    ++seen_;
    if (static_cast<int64_t>(items_.size()) < size_) {
      items_.push_back(std::move(item));
      approx_.push_back(approx);
      return;
    }
    // Every item ends up in the sample with equal odds.
    const int64_t j = std::uniform_int_distribution<int64_t>(0, seen_ - 1)(rng_);
    if (j < size_) {
      items_[j] = std::move(item);
      approx_[j] = approx;
    }
  }
  const std::vector<T>& items() const { return items_; }
  const std::vector<double>& approx() const { return approx_; }
  int64_t seen() const { return seen_; }

  // `exact` aligns with items(); `approx_sum` is every item's.
  HybridTotal Estimate(const std::vector<int64_t>& exact, double approx_sum) const {
    return RatioTotal(exact, approx_, seen_, approx_sum);
  }

 private:
  int64_t size_;
  std::mt19937_64 rng_;
  int64_t seen_ = 0;
  std::vector<T> items_;
  std::vector<double> approx_;
};

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
