// Every tokenizer against the ids that the reference implementations
// (tiktoken@1.0.22, Hugging Face tokenizers@0.23.2) produced for
// tests/golden/corpus.json; see tests/golden/gen/generate.js.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

using nlohmann::json;

json LoadJson(const std::string& rel) {
  StatusOr<std::string> text = ReadFile(testing::RunfilePath(rel));
  REQUIRE(text.ok());
  return json::parse(*text);
}

TEST_CASE("Every tokenizer matches the reference ids on the golden corpus") {
  const json corpus = LoadJson("tests/golden/corpus.json");
  const json golden = LoadJson("tests/golden/golden.json");
  REQUIRE(corpus["cases"].size() == golden["cases"].size());
  const std::vector<std::string> names = testing::TokenizerNames();
  REQUIRE(names.size() == 7);
  for (const std::string& name : names) {
    const Tokenizer& tok = testing::GetTokenizer(name);
    for (size_t i = 0; i < corpus["cases"].size(); ++i) {
      const std::string text = corpus["cases"][i]["text"];
      const json& expected_json = golden["cases"][i]["ids"][name];
      std::vector<uint32_t> expected = expected_json.get<std::vector<uint32_t>>();
      INFO("tokenizer " << name << ", case " << golden["cases"][i]["name"]);
      StatusOr<std::vector<uint32_t>> ids = tok.Encode(text);
      REQUIRE(ids.ok());
      CHECK(*ids == expected);
      StatusOr<size_t> count = tok.Count(text);
      REQUIRE(count.ok());
      CHECK(*count == expected.size());
    }
  }
}

}  // namespace
}  // namespace tokcost
