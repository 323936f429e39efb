// A fast local approximation of token counts that reports its own error
// bounds, calibrated against exact or endpoint counts.
//
//   StatusOr<ApproxProfile> p = ApproxProfile::Load("data/approx/o200k_base.json");
//   ApproxEstimate e = p->Estimate(text);   // e.tokens, e.low, e.high
//
// One pass over the bytes counts cheap features (characters per class:
// ASCII letters, digits, spaces, newlines, punctuation, Cyrillic, other
// 2-byte scripts, 3-byte and 4-byte characters, CJK; runs of each class,
// which stand for words and numbers; ASCII and Cyrillic words by length,
// since long words split into more tokens; upper-case letters; digit runs
// in groups of three); a profile's non-negative coefficients combine them
// into a count.
//
// Error model: the residual variance of a text whose estimate is E is
// a*E + b*E^2: a random part that grows with size and a systematic part
// (the text differs from the calibration text) that grows with its square.
// Bounds are E -/+ k*sqrt(var), with k the 95th percentile of standardized
// held-out residuals (so coverage is measured, not assumed). For a total
// over many texts the random parts add (a*sum E) but the systematic part is
// taken as fully correlated (b*(sum E)^2): errors are not assumed to
// cancel. Immutable; thread-safe.
#ifndef TOKCOST_TOKENIZER_APPROX_H_
#define TOKCOST_TOKENIZER_APPROX_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/base/status.h"

namespace tokcost {

// 10 character classes, 10 run kinds, ASCII and Cyrillic words by length
// (1..11, 12+: 12 each), upper-case letters, capitalized words, digit
// groups, constant.
inline constexpr int kApproxFeatures = 48;
using ApproxFeatures = std::array<double, kApproxFeatures>;

// Names of the features, in order (for profiles and reports).
const std::vector<std::string>& ApproxFeatureNames();

// The hot path: one pass, no allocation.
ApproxFeatures ComputeApproxFeatures(std::string_view text);

struct ApproxEstimate {
  int64_t tokens = 0;
  int64_t low = 0;
  int64_t high = 0;
  double variance = 0;  // a*E + b*E^2 (before k)
};

// Sums estimates over many texts with the correlated/independent split
// described above.
class ApproxTotal {
 public:
  ApproxTotal(double a, double b, double k) : a_(a), b_(b), k_(k) {}
  void Add(double estimate) { sum_ += estimate; }
  ApproxEstimate Result() const;

 private:
  double a_, b_, k_;
  double sum_ = 0;
};

struct ApproxProfile {
  std::string name;           // tokenizer or model id
  std::string model_version;  // endpoint models, when known
  std::string created;        // YYYY-MM-DD
  std::string fitted_on;      // the kind of text
  bool provisional = false;   // not fitted on real counts: wide bounds
  int64_t sample_size = 0;
  ApproxFeatures coefficients{};
  double var_a = 0, var_b = 0, k95 = 1.96;
  // Held-out relative errors |E - T| / T.
  double heldout_p50 = 0, heldout_p95 = 0, heldout_coverage = 0;
  double heldout_aggregate_error = 0;
  int64_t heldout_documents = 0;

  ApproxEstimate Estimate(std::string_view text) const;
  ApproxEstimate FromFeatures(const ApproxFeatures& f) const;
  ApproxTotal NewTotal() const { return ApproxTotal(var_a, var_b, k95); }

  static StatusOr<ApproxProfile> Load(const std::string& path);
  std::string ToJson() const;
};

// One calibration document: its features and its exact count.
struct CalibrationSample {
  ApproxFeatures features;
  double tokens;
};

struct FitOptions {
  double holdout_fraction = 0.3;
  uint64_t seed = 1;
};

// Fits coefficients (non-negative least squares) on part of the samples and
// the error model on the rest. Fails with fewer than 10 samples.
StatusOr<ApproxProfile> FitApproxProfile(std::vector<CalibrationSample> samples,
                                         const FitOptions& options);

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_APPROX_H_
