// Pipeline::SplittableAtLines on small SentencePiece-style tokenizer.json
// files: whether CountParallel may cut the text after a newline.
#include "tokenizer/internal/pipeline.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace
}  // namespace tokcost::tokenizer_internal
