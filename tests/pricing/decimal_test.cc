#include "pricing/decimal.h"

#include <catch2/catch.hpp>

namespace tokcost {
namespace {

Decimal D(const char* s) {
  StatusOr<Decimal> d = Decimal::Parse(s);
  REQUIRE(d.ok());
  return *d;
}

TEST_CASE("Parse and print exactly") {
  CHECK(D("0.0016").ToString() == "0.0016");
  CHECK(D("750").ToString() == "750");
  CHECK(D("-1.50").ToString() == "-1.5");
  CHECK(D("000.100").ToString() == "0.1");
  CHECK_FALSE(Decimal::Parse("1e5").ok());
  CHECK_FALSE(Decimal::Parse("").ok());
  CHECK_FALSE(Decimal::Parse("1.2.3").ok());
  CHECK_FALSE(Decimal::Parse("0,5").ok());
}

TEST_CASE("Arithmetic is exact where binary floating point is not") {
  // 0.1 + 0.2 == 0.3 exactly.
  CHECK(D("0.1") + D("0.2") == D("0.3"));
  // 4,845 units at $0.001667 per 1,000 units.
  CHECK(D("0.001667").MulInt(4845).ShiftRight(3).ToString() == "0.008076615");
  CHECK(D("0.001667").MulInt(4845).ShiftRight(3).ToFixed(6) == "0.008077");
  CHECK((D("2.5") * D("0.2")).ToString() == "0.5");
  // A billion requests of a kopeck each.
  CHECK(D("0.01").MulInt(1000000000).ToString() == "10000000");
}

TEST_CASE("Ceil rounds up fractional units only") {
  CHECK(D("750").Ceil() == 750);
  CHECK(D("750.0001").Ceil() == 751);
  CHECK(D("0.5").Ceil() == 1);
  CHECK(D("0").Ceil() == 0);
}

TEST_CASE("ToFixed rounds half up") {
  CHECK(D("1.005").ToFixed(2) == "1.01");
  CHECK(D("1.004").ToFixed(2) == "1.00");
  CHECK(D("2").ToFixed(2) == "2.00");
}

}  // namespace
}  // namespace tokcost
