#include "tools/base/shared_library.h"

#include <catch2/catch.hpp>
#include <string>

namespace tokcost {
namespace {

TEST_CASE("A library that is not installed is an error naming it and its package") {
  StatusOr<void*> lib = OpenSharedLibrary("libtokcost-absent.so.9", "tokcost-absent9");
  REQUIRE_FALSE(lib.ok());
  CHECK(lib.status().code() == StatusCode::kFailedPrecondition);
  CHECK(lib.status().message().find("libtokcost-absent.so.9") != std::string::npos);
  CHECK(lib.status().message().find("tokcost-absent9") != std::string::npos);
}

TEST_CASE("Symbols load typed, and a missing one is an error naming it") {
  StatusOr<void*> libc = OpenSharedLibrary("libc.so.6", "libc6");
  REQUIRE(libc.ok());
  size_t (*strlen_fn)(const char*) = nullptr;
  REQUIRE(LoadSymbol(*libc, "strlen", &strlen_fn).ok());
  CHECK(strlen_fn("tokcost") == 7);
  void (*absent)() = nullptr;
  Status s = LoadSymbol(*libc, "tokcost_no_such_symbol", &absent);
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK(s.message().find("tokcost_no_such_symbol") != std::string::npos);
  CHECK(absent == nullptr);
}

}  // namespace
}  // namespace tokcost
