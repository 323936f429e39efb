#include "pricing/cost.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

namespace tokcost {

namespace {

// `what`: "tokens" or "units".
Status TooLarge(const std::string& what) {
  return InvalidArgumentError("the workload's total " + what +
                              " are beyond 2^63 - 1, the largest whole number tokcost keeps");
}

// `d` rounded up, when that fits int64.
bool CeilFits(const Decimal& d, int64_t* out) {
  if (d.Compare(Decimal::FromInt(INT64_MAX)) > 0 || d.Compare(Decimal::FromInt(INT64_MIN)) < 0) {
    return false;
  }
  *out = d.Ceil();
  return true;
}

}  // namespace

Status CostAccumulator::Add(const RequestTokens& r, int64_t count) {
  for (const int64_t n : {r.input, r.output}) {
    if (n < 0 || n > kMaxRequestTokens) {
      return InvalidArgumentError("a request of " + std::to_string(n) +
                                  " tokens: tokcost prices requests of 0 to " +
                                  std::to_string(kMaxRequestTokens) + " input and output tokens");
    }
  }
  if (count < 0) return InvalidArgumentError("a negative number of requests");
  int64_t in = 0, out = 0, units = 0;
  if (__builtin_mul_overflow(r.input, count, &in) || __builtin_mul_overflow(r.output, count, &out) ||
      __builtin_add_overflow(sum_.requests, count, &sum_.requests) ||
      __builtin_add_overflow(sum_.input_tokens, in, &sum_.input_tokens) ||
      __builtin_add_overflow(sum_.output_tokens, out, &sum_.output_tokens)) {
    return TooLarge("tokens");
  }
  if (price_.mode != Mode::kBatch) {
    // Rounded up per request, then times the requests.
    const Decimal per_request = price_.input_units_per_token.MulInt(r.input) +
                                price_.output_units_per_token.MulInt(r.output);
    int64_t each = 0;
    if (!CeilFits(per_request, &each) || __builtin_mul_overflow(each, count, &units) ||
        __builtin_add_overflow(sum_.units, units, &sum_.units)) {
      return TooLarge("units");
    }
  }
  return OkStatus();
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

StatusOr<CostResult> CostAccumulator::Result() const {
  CostResult r = sum_;
  int64_t tokens = 0;
  if (__builtin_add_overflow(r.input_tokens, r.output_tokens, &tokens)) {
    return TooLarge("tokens");
  }
  if (price_.mode == Mode::kBatch) {
    int64_t billed = tokens;
    if (r.requests > 0 && billed < price_.minimum_tokens_per_run) {
      billed = price_.minimum_tokens_per_run;
      r.minimum_applied = true;
    }
    if (!CeilFits(price_.input_units_per_token.MulInt(billed), &r.units)) {
      return TooLarge("units");
    }
  }
  r.cost = price_.price_per_1000_units.MulInt(r.units).ShiftRight(3) +
           price_.surcharge_per_1000_tokens.MulInt(tokens).ShiftRight(3);
  return r;
}

}  // namespace tokcost
