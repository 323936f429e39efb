#include "tokenizer/internal/bpe_model.h"

#include <catch2/catch.hpp>
#include <random>

#include "tests/test_util.h"
#include "tokenizer/internal/loaders.h"

namespace tokcost::tokenizer_internal {
namespace {

// A byte-level model over every byte, plus the given merges.
BpeModel TinyModel(const std::vector<std::tuple<std::string, std::string>>& merges,
                   bool ignore_merges = false) {
  BpeModel model(BpeModel::Options{.byte_level = true, .ignore_merges = ignore_merges});
  uint32_t next = 0;
  for (int b = 0; b < 256; ++b) model.AddToken(std::string(1, static_cast<char>(b)), next++);
  uint32_t rank = 0;
  for (const auto& [l, r] : merges) {
    uint32_t merged = model.Find(l + r);
    if (merged == kNoId) model.AddToken(l + r, merged = next++);
    model.AddMerge(model.Find(l), model.Find(r), rank++, merged);
  }
  std::string error;
  REQUIRE(model.Finish(&error));
  return model;
}

std::vector<uint32_t> Encode(const BpeModel& model, const std::string& word) {
  BpeModel::Scratch scratch;
  model.MergeWord(word, &scratch);
  return scratch.ids();
}

TEST_CASE("Lowest rank merges first; ties go to the leftmost pair") {
  BpeModel model = TinyModel({{"a", "a"}, {"b", "c"}, {"a", "bc"}});
  const uint32_t aa = model.Find("aa"), a = model.Find("a");
  CHECK(Encode(model, "aaa") == std::vector<uint32_t>{aa, a});
  CHECK(Encode(model, "abc") == std::vector<uint32_t>{model.Find("abc")});
  // "bc" (rank 1) forms before "abc" (rank 2) can.
  CHECK(Encode(model, "aabc") == std::vector<uint32_t>{aa, model.Find("bc")});
}

TEST_CASE("ignore_merges takes a whole word found in the vocabulary") {
  // "ab" is in the vocabulary but no merge produces it.
  BpeModel with = TinyModel({{"x", "y"}}, /*ignore_merges=*/true);
  with.AddToken("ab", 9999);
  CHECK(Encode(with, "ab") == std::vector<uint32_t>{9999});
  BpeModel without = TinyModel({{"x", "y"}}, /*ignore_merges=*/false);
  without.AddToken("ab", 9999);
  CHECK(Encode(without, "ab").size() == 2);
}

TEST_CASE("Quadratic and heap merge loops agree on o200k") {
  StatusOr<std::unique_ptr<Pipeline>> p = LoadTiktoken(
      testing::VocabDir() + "/o200k_base/o200k_base.tiktoken", "o200k", {});
  REQUIRE(p.ok());
  const BpeModel& model = (*p)->model;
  std::mt19937 rng(42);
  // Frequent letters (Latin and two Cyrillic ones) make many competing merges.
  const std::vector<std::string> alphabet = {"a", "e", "i", "n", "o", "r", "s",
                                             "t", " ", "l", "\xD0\xBE", "\xD0\xB0"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string word;
    size_t len = 2 + rng() % 150;
    for (size_t i = 0; i < len; ++i) word += alphabet[rng() % alphabet.size()];
    BpeModel::Scratch quadratic, heap;
    model.MergeWord(word, &quadratic, BpeModel::Loop::kQuadratic);
    model.MergeWord(word, &heap, BpeModel::Loop::kHeap);
    INFO(word);
    REQUIRE(quadratic.ids() == heap.ids());
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
