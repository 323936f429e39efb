// Pipeline::Cuts on small SentencePiece-style tokenizer.json files and on
// two real ones: whether and where CountParallel and CountStream may cut a
// text after a newline.
#include "tokenizer/internal/pipeline.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_util.h"
#include "tokenizer/internal/loaders.h"

namespace tokcost::tokenizer_internal {
namespace {

// A tokenizer.json whose words run across lines (no pre-tokenizer; the
// loader cuts before U+2581 marks only), with `extra` tokens made by
// merging their two halves.
std::unique_ptr<Pipeline> Load(const std::string& name,
                               const std::vector<std::pair<std::string, std::string>>& extra,
                               const std::string& replace = " ") {
  nlohmann::json vocab = {{"\xE2\x96\x81", 0}, {"a", 1}, {"B", 2}, {"\n", 3}, {"<unk>", 4}};
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& [left, right] : extra) {
    vocab[left + right] = vocab.size();
    merges.push_back(left + " " + right);
  }
  const nlohmann::json j = {
      {"model",
       {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", vocab}, {"merges", merges},
        {"unk_token", "<unk>"}}},
      {"normalizer",
       {{"type", "Replace"}, {"pattern", {{"String", replace}}}, {"content", "\xE2\x96\x81"}}},
      {"pre_tokenizer", nullptr},
      {"added_tokens", nlohmann::json::array()}};
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/" + name + ".json";
  std::ofstream(path) << j.dump();
  StatusOr<std::unique_ptr<Pipeline>> p = LoadHuggingFace(path);
  REQUIRE(p.ok());
  return std::move(*p);
}

TEST_CASE("Text is cut after a newline only where no token could cross the cut") {
  std::unique_ptr<Pipeline> plain = Load("plain", {{"a", "a"}, {"\n", "\n"}});
  CHECK(plain->Cuts().Any());
  CHECK(plain->Cuts().At("a\nB", 2));
  CHECK(plain->Cuts().At("a\n{", 2));
  CHECK_FALSE(plain->Cuts().At("a\n\n", 2));  // "\n\n" is a token
  CHECK_FALSE(plain->Cuts().At("a\n B", 2));  // ' ' becomes U+2581 in the text BPE sees
  CHECK_FALSE(plain->Cuts().At("aaB", 2));    // not after a newline
  // "\nB" could be merged across a cut between "\n" and "B"; before 'a', no.
  std::unique_ptr<Pipeline> crossing = Load("crossing", {{"a", "a"}, {"\n", "B"}});
  CHECK(crossing->Cuts().Any());
  CHECK_FALSE(crossing->Cuts().At("a\nB", 2));
  CHECK(crossing->Cuts().At("a\na", 2));
  // "B\n" ends at the newline: no cut goes through it.
  CHECK(Load("ending", {{"B", "\n"}})->Cuts().At("a\nB", 2));
  // A replacement of newlines could match across the cut.
  std::unique_ptr<Pipeline> replacing = Load("replacing", {}, "\n");
  CHECK_FALSE(replacing->Cuts().Any());
  CHECK_FALSE(replacing->Cuts().At("a\nB", 2));
}

TEST_CASE("Pipelines may be cut before most line starts, Gemma 3 where no token crosses") {
  StatusOr<std::unique_ptr<Pipeline>> qwen =
      LoadHuggingFace(testing::VocabDir() + "/qwen3/tokenizer.json");
  StatusOr<std::unique_ptr<Pipeline>> gemma =
      LoadHuggingFace(testing::VocabDir() + "/gemma3/tokenizer.json");
  REQUIRE(qwen.ok());
  REQUIRE(gemma.ok());
  REQUIRE((*qwen)->Cuts().Any());
  REQUIRE((*gemma)->Cuts().Any());
  // A JSONL record, Russian, a numbered line: `count` read files made of
  // these whole before, with no cut between their lines.
  for (const char* text : {"x\n{\"a\": 1}", "x\n\xD1\x81\xD0\xBB\xD0\xBE\xD0\xB2\xD0\xBE",
                           "x\n7 items"}) {
    INFO(text);
    CHECK((*qwen)->Cuts().At(text, 2));
    CHECK((*gemma)->Cuts().At(text, 2));
  }
  // Indentation: the scanner ends a piece before it, Gemma 3 has tokens
  // of a newline and spaces.
  CHECK((*qwen)->Cuts().At("x\n    code", 2));
  CHECK_FALSE((*gemma)->Cuts().At("x\n    code", 2));
  // '/': the scanner's punctuation pieces take "\n/" after punctuation
  // (Gemma 3 has no such token).
  CHECK((*qwen)->Cuts().At("x\n/path", 2));
  CHECK_FALSE((*qwen)->Cuts().At(".\n/path", 2));
  CHECK((*gemma)->Cuts().At(".\n/path", 2));
  // A digit after indentation: qwen3's scanner stands alone, so it may be
  // cut there (PreTokenizer::CutsBeforeIndentedDigits); Gemma 3 has tokens
  // of a newline and spaces.
  CHECK((*qwen)->Cuts().At("x\n 7", 2));
  CHECK((*qwen)->Cuts().At("x\n\t\t42", 2));
  CHECK_FALSE((*gemma)->Cuts().At("x\n 7", 2));
  for (const auto* p : {qwen->get(), gemma->get()}) {
    CHECK(p->Cuts().At("x\nword", 2));
    CHECK_FALSE(p->Cuts().At("x\n \n7", 2));
    CHECK_FALSE(p->Cuts().At("xyword", 2));
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
