#include "pricing/cost.h"

#include <algorithm>

namespace tokcost {

void CostAccumulator::Add(const RequestTokens& r) {
  ++sum_.requests;
  sum_.input_tokens += r.input;
  sum_.output_tokens += r.output;
  if (price_.mode != Mode::kBatch) {
    Decimal units = price_.input_units_per_token.MulInt(r.input) +
                    price_.output_units_per_token.MulInt(r.output);
    sum_.units += units.Ceil();
  }
}

CostResult CostAccumulator::Result() const {
  CostResult r = sum_;
  const int64_t tokens = r.input_tokens + r.output_tokens;
  if (price_.mode == Mode::kBatch) {
    int64_t billed = tokens;
    if (r.requests > 0 && billed < price_.minimum_tokens_per_run) {
      billed = price_.minimum_tokens_per_run;
      r.minimum_applied = true;
    }
    r.units = price_.input_units_per_token.MulInt(billed).Ceil();
  }
  r.cost = price_.price_per_1000_units.MulInt(r.units).ShiftRight(3) +
           price_.surcharge_per_1000_tokens.MulInt(tokens).ShiftRight(3);
  return r;
}

}  // namespace tokcost
