// Applying a Price to a workload's token counts.
//
//   CostAccumulator acc(price);
//   acc.Add({.input = 225, .output = 525});
//   CostResult r = acc.Result();   // r.units == 750 for YandexGPT Lite sync
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

namespace tokcost {

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

class CostAccumulator {
 public:
  explicit CostAccumulator(Price price) : price_(std::move(price)) {}
  void Add(const RequestTokens& r);
  CostResult Result() const;
  const Price& price() const { return price_; }

 private:
  Price price_;
  CostResult sum_;  // units summed per request for sync/async
};

}  // namespace tokcost

#endif  // TOKCOST_PRICING_COST_H_
