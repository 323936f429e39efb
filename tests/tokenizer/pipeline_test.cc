// Pipeline::SplittableAtLines on small SentencePiece-style tokenizer.json
// files: whether CountParallel may cut the text after a newline; and
// Pipeline::IsCut on two real ones: where it may.
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
  CHECK(Load("plain", {{"a", "a"}, {"\n", "\n"}})->SplittableAtLines());
  // "\nB" could be merged across a cut between "\n" and "B".
  CHECK_FALSE(Load("crossing", {{"a", "a"}, {"\n", "B"}})->SplittableAtLines());
  // "B\n" ends at the newline: no cut goes through it.
  CHECK(Load("ending", {{"B", "\n"}})->SplittableAtLines());
  // A replacement of newlines could match across the cut.
  CHECK_FALSE(Load("replacing", {}, "\n")->SplittableAtLines());
}

TEST_CASE("Byte-level pipelines may be cut before most line starts, Gemma 3 before letters") {
  StatusOr<std::unique_ptr<Pipeline>> qwen =
      LoadHuggingFace(testing::VocabDir() + "/qwen3/tokenizer.json");
  StatusOr<std::unique_ptr<Pipeline>> gemma =
      LoadHuggingFace(testing::VocabDir() + "/gemma3/tokenizer.json");
  REQUIRE(qwen.ok());
  REQUIRE(gemma.ok());
  REQUIRE((*qwen)->SplittableAtLines());
  REQUIRE((*gemma)->SplittableAtLines());
  // A JSONL record, Russian, indented code, a numbered line: `count` read
  // files made of these whole before, with no cut between their lines.
  for (const char* text : {"x\n{\"a\": 1}", "x\n\xD1\x81\xD0\xBB\xD0\xBE\xD0\xB2\xD0\xBE",
                           "x\n    code", "x\n7 items"}) {
    INFO(text);
    CHECK((*qwen)->IsCut(text, 2));
    CHECK_FALSE((*gemma)->IsCut(text, 2));
  }
  for (const auto* p : {qwen->get(), gemma->get()}) {
    CHECK(p->IsCut("x\nword", 2));
    CHECK_FALSE(p->IsCut("x\n/path", 2));
    CHECK_FALSE(p->IsCut("x\n 7", 2));
    CHECK_FALSE(p->IsCut("xyword", 2));
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
