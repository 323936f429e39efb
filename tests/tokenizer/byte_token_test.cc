#include "tokenizer/internal/byte_token.h"

#include <catch2/catch.hpp>

namespace tokcost::tokenizer_internal {
namespace {

TEST_CASE("Byte tokens are exactly <0xHH>, in either case") {
  char b = 0;
  CHECK(ParseByteToken("<0x0A>", &b));
  CHECK(b == '\n');
  CHECK(ParseByteToken("<0xd1>", &b));
  CHECK(static_cast<unsigned char>(b) == 0xD1);
  CHECK(ParseByteToken("<0xFF>", &b));
  CHECK(static_cast<unsigned char>(b) == 0xFF);
  CHECK(ParseByteToken("<0x00>", &b));
  CHECK(b == '\0');
  for (const char* not_one : {"<0x0A", "<0x0A>>", "<0x0G>", "<0xA>", "<1x0A>", "(0x0A)", "<0X0A>",
                              "<0x0A]", ""}) {
    INFO(not_one);
    b = 'z';
    CHECK_FALSE(ParseByteToken(not_one, &b));
    CHECK(b == 'z');  // untouched
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
