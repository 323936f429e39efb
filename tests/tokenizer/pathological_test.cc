// Inputs that made older BPE ports quadratic. The limits are generous on
// purpose: they guard complexity (a quadratic pass over 1 MB takes hours),
// not speed, which bench/ measures.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/test_util.h"

namespace tokcost {
namespace {

std::string Repeat(const std::string& unit, size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

TEST_CASE("Pathological 1 MB inputs count in linear time") {
  constexpr size_t kMiB = 1 << 20;
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"a", Repeat("a", kMiB)},
      {"spaces", Repeat(" ", kMiB)},
      {"caret", Repeat("^", kMiB)},
      {"cyrillic+latin word", Repeat("приветworld", kMiB)},
      {"digits", Repeat("7", kMiB)},
      {"newlines and spaces", Repeat(" \n", kMiB)},
  };
  for (const std::string& name : testing::TokenizerNames()) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    for (const auto& [what, text] : inputs) {
      INFO(name << " on 1 MiB of " << what);
      auto start = std::chrono::steady_clock::now();
      StatusOr<size_t> n = tok.Count(text);
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start).count();
      REQUIRE(n.ok());
      CHECK(*n > 0);
      CHECK(*n <= text.size());
      CHECK(seconds < 20.0);
    }
  }
}

}  // namespace
}  // namespace tokcost
