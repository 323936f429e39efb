// Approximate and hybrid counting of chat requests (and of count's inputs).
//
// Approx: a request is estimated from its rendered text (the model's chat
// template, control tokens counted one each), or, for models counted by
// the endpoint, from its messages plus a per-message overhead.
// Hybrid: a uniform random sample of requests or inputs (reservoir
// sampling, so the workload is read once), and every one too large to be
// left to the sample, are counted exactly or by the endpoint; the total is
// the large ones' counts plus the ratio estimator T = (sum exact / sum
// approx over the sample) x sum approx over the others, with its standard
// error from the sample's residuals and the finite-population correction.
//
//   HybridSample<Request> sample(200, /*seed=*/1);
//   for (const Request& r : workload) sample.Offer(r, approx_of(r));
//   sample.Close();
//   HybridTotal t = sample.Estimate(exact_counts_of(sample.items()));
#ifndef TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
#define TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_

#include <algorithm>
#include <optional>
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

// The sampled side of hybrid counting, drawn as the items are offered
// (read once): a uniform random sample of `size` of them (reservoir
// sampling), and besides, every item whose approximation is at least
// 1/size of all of theirs together, counted whether drawn or not. Such an
// item would otherwise decide the total while the sample's spread says
// nothing of it: a 315 MB file among 30 files of 3-60 KB, --sample 5, got
// an interval of +/-830 tokens 172,000 below the exact total (the file's
// own estimate was 0.07% off). The large ones are kept among the `size`
// largest as they come; the total is their exact sum plus the ratio
// estimator over the others (RatioTotal). T is what the exact count needs
// later: a request, or an input's name or text. Not thread-safe.
template <typename T>
class HybridSample {
 public:
  HybridSample(int64_t size, uint64_t seed) : size_(size), rng_(seed) {}

  // Offers each item once, with its approximate count.
  void Offer(T item, double approx) {
    const int64_t index = seen_++;
    sum_ += approx;
    const bool full = static_cast<int64_t>(largest_.size()) >= size_;
    if (!full || (!largest_.empty() && approx > largest_.front().approx)) {
      if (full) {
        std::pop_heap(largest_.begin(), largest_.end(), Larger);
        largest_.pop_back();
      }
      largest_.push_back({index, item, approx});
      std::push_heap(largest_.begin(), largest_.end(), Larger);
    }
    if (static_cast<int64_t>(drawn_.size()) < size_) {
      drawn_.push_back({index, std::move(item), approx});
      return;
    }
    // Every item ends up in the sample with equal odds.
    const int64_t j = std::uniform_int_distribution<int64_t>(0, seen_ - 1)(rng_);
    if (j < size_) drawn_[j] = {index, std::move(item), approx};
  }

  // After the last Offer: settles items(), the large ones first.
  void Close() {
    items_.clear();
    approx_.clear();
    certain_ = 0;
    std::vector<int64_t> large;
    for (const Entry& e : largest_) {
      if (e.approx > 0 && e.approx * static_cast<double>(size_) >= sum_) {
        large.push_back(e.index);
        items_.push_back(e.item);
        approx_.push_back(e.approx);
        ++certain_;
      }
    }
    for (const Entry& e : drawn_) {
      if (std::find(large.begin(), large.end(), e.index) != large.end()) continue;
      items_.push_back(e.item);
      approx_.push_back(e.approx);
    }
  }
  // The items to count (after Close): the first certain() of them large,
  // the others drawn.
  const std::vector<T>& items() const { return items_; }
  const std::vector<double>& approx() const { return approx_; }
  size_t certain() const { return certain_; }
  int64_t seen() const { return seen_; }

  // `exact` aligns with items(); an item not counted (nullopt) is left out
  // of the population, as if never offered.
  HybridTotal Estimate(const std::vector<std::optional<int64_t>>& exact) const {
    double certain_sum = 0, rest_sum = sum_;
    int64_t rest_population = seen_;
    std::vector<int64_t> counts;
    std::vector<double> approx;
    for (size_t i = 0; i < items_.size(); ++i) {
      const bool large = i < certain_;
      if (large || !exact[i]) {
        rest_sum -= approx_[i];
        --rest_population;
      }
      if (!exact[i]) continue;
      if (large) {
        certain_sum += static_cast<double>(*exact[i]);
      } else {
        counts.push_back(*exact[i]);
        approx.push_back(approx_[i]);
      }
    }
    HybridTotal t = {rest_sum, rest_sum, rest_sum};  // none drawn: only items estimated at 0
    if (!counts.empty()) t = RatioTotal(counts, approx, rest_population, rest_sum);
    if (rest_population == 0) t = {};
    return {certain_sum + t.tokens, certain_sum + t.low, certain_sum + t.high};
  }

 private:
  struct Entry {
    int64_t index;  // order of offering
    T item;
    double approx;
  };
  // A min-heap: the smallest of the largest first.
  static bool Larger(const Entry& a, const Entry& b) { return a.approx > b.approx; }

  int64_t size_;
  std::mt19937_64 rng_;
  int64_t seen_ = 0;
  double sum_ = 0;
  std::vector<Entry> drawn_;    // the reservoir
  std::vector<Entry> largest_;  // the `size` largest so far
  std::vector<T> items_;
  std::vector<double> approx_;
  size_t certain_ = 0;
};

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_APPROX_COUNTER_H_
