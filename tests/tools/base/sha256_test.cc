#include "tools/base/sha256.h"

#include <catch2/catch.hpp>
#include <string>

namespace tokcost {
namespace {

// FIPS 180-2's examples (Appendix B), and the empty string.
TEST_CASE("SHA-256 digests match the published examples") {
  CHECK(Sha256Hex("abc").value() ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").value() ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256Hex(std::string(1000000, 'a')).value() ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(Sha256Hex("").value() ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Bytes, not C strings: a NUL in the middle counts.
  CHECK(Sha256Hex(std::string("a\0b", 3)).value() != Sha256Hex("a").value());
}

}  // namespace
}  // namespace tokcost
