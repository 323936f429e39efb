// Pricing rules: the pricing page's worked examples, rounding, batch
// minimum, date and currency selection, missing prices, malformed sheets.
#include "pricing/price_book.h"

#include <catch2/catch.hpp>
#include <climits>

#include "pricing/cost.h"
#include "tests/test_util.h"

namespace tokcost {
namespace {

const PriceBook& Shipped() {
  static const PriceBook* book = [] {
    StatusOr<PriceBook> b = PriceBook::LoadDirectory(testing::RunfilePath("data/prices"));
    REQUIRE(b.ok());
    return new PriceBook(std::move(*b));
  }();
  return *book;
}

CostResult Cost(const std::string& model, Mode mode, const std::string& currency,
                std::vector<RequestTokens> requests, const std::string& date = "2026-01-01") {
  StatusOr<Price> p = Shipped().Lookup(model, mode, currency, date);
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  CostAccumulator acc(*p);
  for (const RequestTokens& r : requests) REQUIRE(acc.Add(r).ok());
  StatusOr<CostResult> result = acc.Result();
  REQUIRE(result.ok());
  return *result;
}

TEST_CASE("The pricing page's worked examples reproduce") {
  CHECK(Cost("yandexgpt-lite", Mode::kSync, "RUB", {{225, 525}}).units == 750);
  CHECK(Cost("yandexgpt-pro-5", Mode::kAsync, "RUB", {{115, 1500}}).units == 4845);
  CHECK(Cost("yandexgpt-pro-5", Mode::kSync, "RUB", {{1020, 30}}).units == 6300);
  // The page quotes $0.008077 for the 4,845-unit example.
  CHECK(Cost("yandexgpt-pro-5", Mode::kAsync, "USD", {{115, 1500}}).cost.ToFixed(6) == "0.008077");
  CHECK(Cost("yandexgpt-lite", Mode::kSync, "RUB", {{225, 525}}).cost.ToString() == "0.15");
}

TEST_CASE("Units are rounded up per request, not per workload") {
  // Lite async: 0.5 units per token; 3 tokens -> 1.5 -> 2 units, twice.
  CostResult r = Cost("yandexgpt-lite", Mode::kAsync, "RUB", {{1, 2}, {2, 1}});
  CHECK(r.units == 4);
  CHECK(r.requests == 2);
  CHECK(r.input_tokens == 3);
  CHECK(r.output_tokens == 3);
}

TEST_CASE("Repeated requests are rounded per request, as the same requests one by one") {
  StatusOr<Price> p = Shipped().Lookup("yandexgpt-lite", Mode::kAsync, "RUB", "2026-01-01");
  REQUIRE(p.ok());
  CostAccumulator acc(*p);
  REQUIRE(acc.Add({1, 2}, 3).ok());
  StatusOr<CostResult> r = acc.Result();
  REQUIRE(r.ok());
  CostResult one_by_one = Cost("yandexgpt-lite", Mode::kAsync, "RUB", {{1, 2}, {1, 2}, {1, 2}});
  CHECK(r->units == one_by_one.units);  // 1.5 -> 2, three times
  CHECK(r->units == 6);
  CHECK(r->requests == 3);
}

TEST_CASE("Requests beyond the token limit and totals beyond int64 are errors, not wrapped") {
  StatusOr<Price> sync = Shipped().Lookup("yandexgpt-pro-5", Mode::kSync, "RUB", "2026-01-01");
  StatusOr<Price> batch = Shipped().Lookup("qwen3-8b", Mode::kBatch, "RUB", "2026-01-01");
  REQUIRE(sync.ok());
  REQUIRE(batch.ok());
  {
    CostAccumulator acc(*sync);
    CHECK(acc.Add({kMaxRequestTokens + 1, 0}).code() == StatusCode::kInvalidArgument);
  }
  {
    CostAccumulator acc(*sync);
    CHECK(acc.Add({0, -1}).code() == StatusCode::kInvalidArgument);
  }
  {
    // 6 units per token: 1.2e19 units, past int64 (it wrapped before).
    CostAccumulator acc(*sync);
    CHECK(acc.Add({kMaxRequestTokens, kMaxRequestTokens}, 1'000'000'000).code() ==
          StatusCode::kInvalidArgument);
  }
  {
    // 9.2e18 tokens fit; their sum with as many more does not.
    CostAccumulator acc(*batch);
    REQUIRE(acc.Add({kMaxRequestTokens, 0}, INT64_MAX / kMaxRequestTokens).ok());
    CHECK(acc.Add({kMaxRequestTokens, 0}, INT64_MAX / kMaxRequestTokens).code() ==
          StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Input and output multipliers differ where the table says so") {
  // Alice AI sync: 2.5x input, 10x output.
  CHECK(Cost("aliceai-llm", Mode::kSync, "RUB", {{100, 10}}).units == 350);
}

TEST_CASE("A batch run below the minimum is billed as the minimum") {
  CostResult small = Cost("qwen3-8b", Mode::kBatch, "RUB", {{1000, 1000}});
  CHECK(small.minimum_applied);
  CHECK(small.units == 100000);  // 200,000 tokens x 0.5
  CHECK(small.cost.ToString() == "20");
  CostResult big = Cost("qwen3-8b", Mode::kBatch, "RUB", {{150000, 150001}});
  CHECK_FALSE(big.minimum_applied);
  CHECK(big.units == 150001);  // 300,001 x 0.5 = 150,000.5, rounded up once
}

TEST_CASE("The sheet in effect on the date is used") {
  StatusOr<Price> old = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "USD", "2024-06-01");
  StatusOr<Price> now = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "USD", "2026-06-01");
  REQUIRE(old.ok());
  REQUIRE(now.ok());
  CHECK(old->price_per_1000_units.ToString() == "0.0016");
  CHECK(now->price_per_1000_units.ToString() == "0.001667");
  StatusOr<Price> before = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "USD", "2020-01-01");
  REQUIRE_FALSE(before.ok());
  CHECK_THAT(before.status().message(), Catch::Contains("in effect on 2020-01-01"));
}

TEST_CASE("Currencies are separate sheets; VAT is recorded") {
  StatusOr<Price> rub = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "RUB", "2026-01-01");
  StatusOr<Price> usd = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "USD", "2026-01-01");
  REQUIRE(rub.ok());
  REQUIRE(usd.ok());
  CHECK(rub->sheet.vat_included);
  CHECK_FALSE(usd->sheet.vat_included);
  StatusOr<Price> kzt = Shipped().Lookup("yandexgpt-lite", Mode::kSync, "KZT", "2026-01-01");
  REQUIRE_FALSE(kzt.ok());
  CHECK(kzt.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(kzt.status().message(), Catch::Contains("no price sheet in KZT"));
}

TEST_CASE("A model or mode without a price is an error, never zero") {
  StatusOr<Price> p = Shipped().Lookup("gpt-oss-120b", Mode::kBatch, "RUB", "2026-01-01");
  REQUIRE_FALSE(p.ok());
  CHECK_THAT(p.status().message(), Catch::Contains("gpt-oss-120b") && Catch::Contains("batch"));
  CHECK_FALSE(Shipped().Lookup("no-such-model", Mode::kSync, "RUB", "2026-01-01").ok());
}

TEST_CASE("A user sheet overrides single rows and falls back for the rest") {
  StatusOr<PriceBook> user = PriceBook::LoadFile(testing::RunfilePath("tests/pricing/testdata/override.json"));
  INFO(user.status().ToString());
  REQUIRE(user.ok());
  PriceBook book = Shipped();
  book.Merge(std::move(*user));
  StatusOr<Price> lite = book.Lookup("yandexgpt-lite", Mode::kSync, "RUB", "2026-06-01");
  REQUIRE(lite.ok());
  CHECK(lite->price_per_1000_units.ToString() == "0.4");
  StatusOr<Price> pro = book.Lookup("yandexgpt-pro-5", Mode::kSync, "RUB", "2026-06-01");
  REQUIRE(pro.ok());
  CHECK(pro->price_per_1000_units.ToString() == "0.2");
  // Before the override takes effect, the shipped price holds.
  StatusOr<Price> earlier = book.Lookup("yandexgpt-lite", Mode::kSync, "RUB", "2025-06-01");
  REQUIRE(earlier.ok());
  CHECK(earlier->price_per_1000_units.ToString() == "0.2");
}

TEST_CASE("Malformed sheets name the file and JSON path") {
  struct Case {
    const char* file;
    const char* expected;
  };
  for (Case c : {Case{"bad_decimal.json", "$.models.yandexgpt-lite.sync.input_units_per_token"},
                 Case{"bad_date.json", "$.effective_from"},
                 Case{"bad_sku.json", "has no price in $.skus"},
                 // 2^64 - 1: read back as -1 before it was refused.
                 Case{"bad_batch_minimum.json", "$.batch.minimum_tokens_per_run: expected a whole number"},
                 // Aborted the run (an uncaught invalid_iterator) before.
                 Case{"bad_model_entry.json", "$.models.yandexgpt-lite: expected an object of modes"}}) {
    std::string path = testing::RunfilePath(std::string("tests/pricing/testdata/") + c.file);
    StatusOr<PriceBook> book = PriceBook::LoadFile(path);
    INFO(c.file);
    REQUIRE_FALSE(book.ok());
    CHECK_THAT(book.status().message(), Catch::Contains(c.expected) && Catch::Contains(c.file));
  }
}

}  // namespace
}  // namespace tokcost
