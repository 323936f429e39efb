// Hybrid counting's statistics: the reservoir sample and the ratio
// estimator's total and interval.
#include "tools/cli/approx_counter.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

namespace tokcost::cli {
namespace {

TEST_CASE("The reservoir gives every item the same odds") {
  // 20 items, samples of 5, 20,000 seeds: each item is drawn a quarter of
  // the time (binomial sd 61, so +/-300 is five of them).
  std::vector<int> drawn(20);
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    HybridSample<int> sample(5, seed);
    for (int i = 0; i < 20; ++i) sample.Offer(i, 1.0);
    REQUIRE(sample.items().size() == 5);
    REQUIRE(sample.seen() == 20);
    for (int item : sample.items()) ++drawn[item];
  }
  for (int i = 0; i < 20; ++i) {
    INFO("item " << i);
    CHECK(std::abs(drawn[i] - 5000) < 300);
  }
}

TEST_CASE("The ratio estimator scales the approximation by the sample") {
  // Exact counts 10% above the approximation, give or take.
  const std::vector<int64_t> exact = {110, 221, 329, 440};
  const std::vector<double> approx = {100, 200, 300, 400};
  const HybridTotal t = RatioTotal(exact, approx, 100, 25000);
  CHECK(t.tokens == Approx(1100.0 / 1000.0 * 25000));
  CHECK(t.low < t.tokens);
  CHECK(t.tokens < t.high);
  // Everything sampled: the exact total, no interval.
  const HybridTotal all = RatioTotal(exact, approx, 4, 1000);
  CHECK(all.tokens == 1100);
  CHECK(all.low == 1100);
  CHECK(all.high == 1100);
  // Exact counts that are a multiple of the approximation leave no doubt.
  const HybridTotal proportional = RatioTotal({120, 240}, {100, 200}, 10, 1500);
  CHECK(proportional.tokens == Approx(1800));
  CHECK(proportional.high - proportional.low == Approx(0).margin(1e-9));
}

TEST_CASE("Small samples get Student's t, not the normal's 1.96") {
  CHECK(StudentT975(1) == Approx(12.706));
  CHECK(StudentT975(9) == Approx(2.262));
  CHECK(StudentT975(12) == Approx(2.228 + (2.131 - 2.228) * 2 / 5));
  CHECK(StudentT975(60) == Approx(2.0));
  CHECK(StudentT975(1000) == Approx(1.96));
  for (size_t df = 1; df < 200; ++df) CHECK(StudentT975(df + 1) <= StudentT975(df));
}

}  // namespace
}  // namespace tokcost::cli
