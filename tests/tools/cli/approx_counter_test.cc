// Hybrid counting's statistics: the reservoir sample and the ratio
// estimator's total and interval.
#include "tools/cli/approx_counter.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <optional>
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
    sample.Close();
    REQUIRE(sample.certain() == 0);
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

TEST_CASE("Items of 1/size of the total or more are counted whether drawn or not") {
  // 200 items of 10, and two of 2,000 and 800 (sum 4,800, so 1/5 is 960):
  // the first is counted every time, the second only when drawn; exact
  // counts 10% above the approximations, 5% above for the large one.
  int drawn_with_it = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    HybridSample<int> sample(5, seed);
    for (int i = 0; i < 202; ++i) sample.Offer(i, i == 50 ? 2000.0 : i == 150 ? 800.0 : 10.0);
    sample.Close();
    REQUIRE(sample.certain() == 1);
    REQUIRE(sample.items()[0] == 50);
    REQUIRE(sample.approx()[0] == 2000.0);
    // The others are the draw, without the large one.
    REQUIRE(sample.items().size() >= 5);
    REQUIRE(sample.items().size() <= 6);
    REQUIRE(std::count(sample.items().begin(), sample.items().end(), 50) == 1);
    std::vector<std::optional<int64_t>> exact;
    bool has_800 = false;
    for (size_t i = 0; i < sample.items().size(); ++i) {
      has_800 |= sample.items()[i] == 150;
      exact.push_back(std::llround(sample.approx()[i] * (i == 0 ? 1.05 : 1.1)));
    }
    drawn_with_it += has_800;
    const HybridTotal t = sample.Estimate(exact);
    // 2,100 exactly, the rest 10% above its approximation: no doubt left.
    CHECK(t.tokens == Approx(2100 + 1.1 * 2800));
    CHECK(t.high - t.low == Approx(0).margin(1e-6));
    // An item that could not be counted leaves the population.
    exact[0] = std::nullopt;
    CHECK(sample.Estimate(exact).tokens == Approx(1.1 * 2800));
  }
  CHECK(drawn_with_it > 0);
  // Nothing is certain when the largest is under 1/size of the total.
  HybridSample<int> even(5, 1);
  for (int i = 0; i < 50; ++i) even.Offer(i, 100.0 + i);
  even.Close();
  CHECK(even.certain() == 0);
  CHECK(even.items().size() == 5);
  // Everything counted: the exact total.
  HybridSample<int> all(5, 1);
  for (int i = 0; i < 4; ++i) all.Offer(i, 100.0);
  all.Close();
  CHECK(all.Estimate({101, 102, 103, 104}).tokens == 410);
  CHECK(all.Estimate({101, 102, 103, 104}).low == 410);
}

TEST_CASE("Small samples get Student's t, not the normal's 1.96") {
  CHECK(StudentT975(1) == Approx(12.706));
  CHECK(StudentT975(9) == Approx(2.262));
  CHECK(StudentT975(12) == Approx(2.228 + (2.131 - 2.228) * 2 / 5));
  CHECK(StudentT975(60) == Approx(2.0));
  CHECK(StudentT975(1000) == Approx(1.96));
  for (size_t df = 1; df < 200; ++df) CHECK(StudentT975(df + 1) <= StudentT975(df));
}

TEST_CASE("TokenCeiling counts one per ASCII byte and three per other byte") {
  // From the bytes (8 at a time) and from the character features (which
  // see ASCII bytes as classes 0-4), around 8-, 32- and 64-byte blocks, at
  // several alignments; mostly ASCII, and all high bytes (invalid UTF-8).
  std::mt19937_64 rng(5);
  for (size_t length : {0, 1, 7, 8, 15, 16, 17, 31, 32, 63, 64, 65, 4095, 10000}) {
    for (int high_share : {10, 100}) {
      std::string text(length + 3, '\0');
      for (char& c : text) {
        const bool high = rng() % 100 < static_cast<uint64_t>(high_share);
        c = static_cast<char>(high ? 0x80 | rng() : rng() & 0x7F);
      }
      for (size_t offset = 0; offset < 3; ++offset) {
        const std::string_view view = std::string_view(text).substr(offset, length);
        double expected = 0;
        for (unsigned char c : view) expected += c < 0x80 ? 1 : 3;
        INFO("length " << length << " offset " << offset);
        CHECK(TokenCeiling(view) == expected);
        CHECK(TokenCeiling(ComputeApproxFeatures(view), view.size()) == expected);
      }
    }
  }
}

}  // namespace
}  // namespace tokcost::cli
