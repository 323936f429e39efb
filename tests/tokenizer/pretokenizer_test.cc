// Scanner behaviour on hand-checked cases; the golden test covers the rest
// through whole-pipeline ids.
#include "tokenizer/internal/pretokenizer.h"

#include <catch2/catch.hpp>

namespace tokcost::tokenizer_internal {
namespace {

std::vector<std::string> Split(const std::string& scanner_name, const std::string& text) {
  StatusOr<MatchFn> match = FindScanner(scanner_name);
  REQUIRE(match.ok());
  PreTokenizer p({PreTokenizer::Stage{*match, ""}});
  std::vector<std::string_view> pieces;
  p.Split(text, &pieces);
  return std::vector<std::string>(pieces.begin(), pieces.end());
}

using V = std::vector<std::string>;

TEST_CASE("o200k splits words, newline runs and a space before a word") {
  CHECK(Split("o200k", "Hello world") == V{"Hello", " world"});
  CHECK(Split("o200k", "HELLOworld") == V{"HELLOworld"});
  CHECK(Split("o200k", "  \n\n  x") == V{"  \n\n", " ", " x"});
  CHECK(Split("o200k", "I'M") == V{"I'M"});
  CHECK(Split("o200k", "a/b//\n") == V{"a", "/b", "//\n"});
  CHECK(Split("o200k", "1234567") == V{"123", "456", "7"});
}

TEST_CASE("cl100k takes trailing whitespace whole; llama3 splits it") {
  CHECK(Split("cl100k", "a \n ") == V{"a", " \n "});
  CHECK(Split("llama3", "a \n ") == V{"a", " \n", " "});
  CHECK(Split("cl100k", "I'M") == V{"I", "'M"});
  CHECK(Split("cl100k", "it'ſ") == V{"it", "'ſ"});
}

TEST_CASE("qwen2 isolates single digits") {
  CHECK(Split("qwen2", "12345") == V{"1", "2", "3", "4", "5"});
  CHECK(Split("llama3", "12345") == V{"123", "45"});
}

TEST_CASE("Isolated splits keep the gaps between matches") {
  StatusOr<MatchFn> digits = FindScanner("deepseek_digits");
  StatusOr<MatchFn> words = FindScanner("deepseek_words");
  REQUIRE(digits.ok());
  REQUIRE(words.ok());
  PreTokenizer p({{*digits, ""}, {*words, ""}});
  std::vector<std::string_view> pieces;
  p.Split("abc  1234", &pieces);
  CHECK(std::vector<std::string>(pieces.begin(), pieces.end()) ==
        V{"abc", "  ", "123", "4"});
}

TEST_CASE("Unknown regexes are refused by name") {
  StatusOr<MatchFn> match = FindScanner("\\w+");
  REQUIRE_FALSE(match.ok());
  CHECK_THAT(match.status().message(), Catch::Contains("\\w+"));
}

TEST_CASE("Literal splits merge the delimiter with the previous piece") {
  PreTokenizer p({PreTokenizer::Stage{nullptr, " "}});
  std::vector<std::string_view> pieces;
  p.Split("a b  c", &pieces);
  CHECK(std::vector<std::string>(pieces.begin(), pieces.end()) == V{"a ", "b ", " ", "c"});
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
