// Approximate and hybrid counting of chat requests.
//
// Approx: a request is estimated from its rendered text (the model's chat
// template, control tokens counted one each), or, for models counted by
// the endpoint, from its messages plus a per-message overhead.
// Hybrid: a uniform random sample of requests (reservoir sampling, so the
// workload is read once) is counted exactly or by the endpoint; the total is
// the ratio estimator T = (sum exact / sum approx over the sample) x sum
// approx, with its standard error from the sample's residuals and the
// finite-population correction.
#ifndef TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
#define TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_

#include <random>
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
// TokenCeiling's rule, as notes to the user state it.
inline constexpr char kCeilingRule[] = "one token per ASCII byte, three per other byte";

// The sampled side of hybrid counting.
class HybridSample {
 public:
  HybridSample(int64_t size, uint64_t seed) : size_(size), rng_(seed) {}

  // Offers each request once, with its approximate count.
  void Offer(const Request& request, double approx);
  const std::vector<Request>& requests() const { return requests_; }
  int64_t seen() const { return seen_; }

  struct Total {
    double tokens = 0;
    double low = 0, high = 0;
  };
  // `exact` aligns with requests(); `approx_sum` is the whole workload's.
  Total Estimate(const std::vector<int64_t>& exact, double approx_sum) const;

 private:
  int64_t size_;
  std::mt19937_64 rng_;
  int64_t seen_ = 0;
  std::vector<Request> requests_;
  std::vector<double> approx_;
};

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
