// Applying a Price to a workload's token counts.
//
//   CostAccumulator acc(price);
//   TOKCOST_RETURN_IF_ERROR(acc.Add({.input = 225, .output = 525}));
//   StatusOr<CostResult> r = acc.Result();   // r->units == 750 for YandexGPT Lite sync
//
// Sync and async: units per request = input x input multiplier + output x
// output multiplier, rounded up per request (the provider's rule); cost =
// units x price per 1,000 units / 1,000, plus any per-token surcharge.
// Batch: one run; tokens below the run minimum are billed as the minimum;
// units = billed tokens x k, rounded up once. Reasoning tokens are output
// tokens and must already be inside `output`. Value type.
#ifndef TOKCOST_PRICING_COST_H_
#define TOKCOST_PRICING_COST_H_

#include <cstdint>

#include "pricing/decimal.h"
#include "pricing/price_book.h"
#include "tools/base/status.h"

namespace tokcost {

// The most input or output tokens one request may have: a thousand times
// the largest context window offered today, and small enough that the
// totals of any workload tokcost could read stay within int64 (before, a
// limit of 9999999999999999999 came out as -40 output tokens and a cost
// of a cent, exit 0).
inline constexpr int64_t kMaxRequestTokens = 1'000'000'000;

struct RequestTokens {
  int64_t input = 0;
  int64_t output = 0;
};

struct CostResult {
  int64_t requests = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t units = 0;
  Decimal cost;
  bool minimum_applied = false;  // batch run billed at the minimum
};

// The result with `delta_input` more input tokens spread over the
// requests (for the bounds of approximate counts): units grow by
// delta x input multiplier, rounded up once.
CostResult WithInputDelta(const Price& price, const CostResult& base, int64_t delta_input);

// Not to be used after an error.
class CostAccumulator {
 public:
  explicit CostAccumulator(Price price) : price_(std::move(price)) {}
  // Adds `count` requests of `r`'s tokens. InvalidArgument when r has
  // fewer than 0 or more than kMaxRequestTokens tokens, or a total would
  // pass int64.
  Status Add(const RequestTokens& r, int64_t count = 1);
  StatusOr<CostResult> Result() const;
  const Price& price() const { return price_; }

 private:
  Price price_;
  CostResult sum_;  // units summed per request for sync/async
};

}  // namespace tokcost

#endif  // TOKCOST_PRICING_COST_H_
