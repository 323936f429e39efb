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

CostResult WithInputDelta(const Price& price, const CostResult& base, int64_t delta_input) {
  CostResult r = base;
  r.input_tokens = std::max<int64_t>(0, base.input_tokens + delta_input);
  const int64_t tokens = r.input_tokens + r.output_tokens;
  if (price.mode == Mode::kBatch) {
    int64_t billed = std::max(tokens, r.requests > 0 ? price.minimum_tokens_per_run : 0);
    r.minimum_applied = billed > tokens;
    r.units = price.input_units_per_token.MulInt(billed).Ceil();
  } else {
    Decimal delta = price.input_units_per_token.MulInt(r.input_tokens - base.input_tokens);
    r.units = std::max<int64_t>(0, base.units + (delta.is_negative() ? -(Decimal() - delta).Ceil()
                                                                     : delta.Ceil()));
  }
  r.cost = price.price_per_1000_units.MulInt(r.units).ShiftRight(3) +
           price.surcharge_per_1000_tokens.MulInt(tokens).ShiftRight(3);
  return r;
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
