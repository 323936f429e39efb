// TwoByteSymbols: a two-byte character starts as one symbol only where the
// merges from its bytes would be the same, and CountWords (which uses it)
// counts as MergeWord (which never does) on real vocabularies and on tiny
// ones built so that each
// check is the only thing between a right and a wrong count.
#include "tokenizer/internal/two_byte_symbols.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/test_util.h"
#include "tokenizer/internal/bpe_model.h"
#include "tokenizer/internal/loaders.h"

namespace tokcost::tokenizer_internal {
namespace {

// A tiktoken-style model: every byte (ids 0-255), then `tokens` with their
// ranks as ids.
BpeModel TiktokenModel(const std::vector<std::pair<std::string, uint32_t>>& tokens) {
  BpeModel model(BpeModel::Options{
      .byte_level = true, .ignore_merges = true, .rank_is_concatenation_id = true});
  for (int b = 0; b < 256; ++b) model.AddToken(std::string(1, static_cast<char>(b)), b);
  for (const auto& [bytes, rank] : tokens) model.AddToken(bytes, rank);
  std::string error;
  REQUIRE(model.Finish(&error));
  return model;
}

size_t MergeCount(const BpeModel& model, const std::string& word) {
  BpeModel::Scratch scratch;
  model.MergeWord(word, &scratch);
  return scratch.ids().size();
}

size_t CountWordsCount(const BpeModel& model, const std::string& word) {
  BpeModel::Scratch scratch;
  std::string_view w = word;
  uint32_t n = 0;
  model.CountWords(&w, 1, &n, &scratch);
  return n;
}

const std::string kE = "\xC3\xA9";  // é: C3 A9

TEST_CASE("A character whose lead byte ends a token after the byte before it stays bytes") {
  // "a\xC3" (256) forms before é (257): bytes give [a\xC3, \xA9, b]; é as
  // one symbol would give [a, éb].
  BpeModel model = TiktokenModel({{"a\xC3", 256}, {kE, 257}, {kE + "b", 258}});
  const std::string word = "a" + kE + "b";
  REQUIRE(MergeCount(model, word) == 3);
  CHECK(CountWordsCount(model, word) == 3);
  CHECK(CountWordsCount(model, kE + "b") == 1);  // nothing before it: one symbol is fine
}

TEST_CASE("A character whose second byte starts a token before the next byte stays bytes") {
  // "\xA9" "b" (256) forms before é (257): bytes give [a, \xC3, \xA9b]; é
  // as one symbol would give [aé, b].
  BpeModel model = TiktokenModel({{"\xA9" "b", 256}, {kE, 257}, {"a" + kE, 258}});
  const std::string word = "a" + kE + "b";
  REQUIRE(MergeCount(model, word) == 3);
  CHECK(CountWordsCount(model, word) == 3);
}

TEST_CASE("A character held by a token ranked before it stays bytes beside that token's bytes") {
  // "aé" (256) ranks before é (258): from bytes, "xa" (257) merges before é
  // forms, giving [xa, éz]; é as one symbol would let "aé" go first,
  // giving [x, aé, z].
  BpeModel model = TiktokenModel({{"a" + kE, 256}, {"xa", 257}, {kE, 258}, {kE + "z", 259}});
  const std::string word = "xa" + kE + "z";
  REQUIRE(MergeCount(model, word) == 2);
  CHECK(CountWordsCount(model, word) == 2);
}

TEST_CASE("The same on the character's right") {
  // "éa" (256) ranks before é (258): from bytes, "ax" (257) merges before é
  // forms, giving [zé, ax]; é as one symbol would let "éa" go first,
  // giving [z, éa, x].
  BpeModel model = TiktokenModel({{kE + "a", 256}, {"ax", 257}, {kE, 258}, {"z" + kE, 259}});
  const std::string word = "z" + kE + "ax";
  REQUIRE(MergeCount(model, word) == 2);
  CHECK(CountWordsCount(model, word) == 2);
}

// A byte-level model with a merge table: every byte (ids 0-255), every
// merge's operands and result as tokens, then the merges ranked in order (a
// merge may rank before the one that makes its operand, as in the third
// case below).
BpeModel MergeModel(const std::vector<std::pair<std::string, std::string>>& merges) {
  BpeModel model(BpeModel::Options{.byte_level = true, .ignore_merges = false});
  uint32_t next = 0;
  for (int b = 0; b < 256; ++b) model.AddToken(std::string(1, static_cast<char>(b)), next++);
  for (const auto& [l, r] : merges) {
    for (const std::string& t : {l, r, l + r}) {
      if (model.Find(t) == kNoId) model.AddToken(t, next++);
    }
  }
  uint32_t rank = 0;
  for (const auto& [l, r] : merges) {
    model.AddMerge(model.Find(l), model.Find(r), rank++, model.Find(l + r));
  }
  std::string error;
  REQUIRE(model.Finish(&error));
  return model;
}

TEST_CASE("Merge tables: each condition is the only thing between a right and a wrong count") {
  const std::string word = "a" + kE + "b";
  SECTION("a merge joins a symbol ending with the byte before to the lead byte") {
    // [a\xC3, \xA9, b] from bytes; [a, éb] if é started whole.
    BpeModel model = MergeModel({{"a", "\xC3"}, {"\xC3", "\xA9"}, {kE, "b"}});
    REQUIRE(MergeCount(model, word) == 3);
    CHECK(CountWordsCount(model, word) == 3);
  }
  SECTION("a merge joins the second byte to a symbol starting with the byte after") {
    // [a, \xC3, \xA9b] from bytes; [aé, b] if é started whole.
    BpeModel model = MergeModel({{"\xA9", "b"}, {"\xC3", "\xA9"}, {"a", kE}});
    REQUIRE(MergeCount(model, word) == 3);
    CHECK(CountWordsCount(model, word) == 3);
  }
  SECTION("a merge ranked before the character's makes a symbol holding it") {
    // [xa, éz] from bytes; [x, aé, z] if é started whole.
    BpeModel model =
        MergeModel({{"a", kE}, {"x", "a"}, {"\xC3", "\xA9"}, {kE, "z"}});
    const std::string xaez = "xa" + kE + "z";
    REQUIRE(MergeCount(model, xaez) == 2);
    CHECK(CountWordsCount(model, xaez) == 2);
  }
  SECTION("none of them: é starts whole and counts the same") {
    BpeModel model = MergeModel({{"\xC3", "\xA9"}, {kE, "b"}, {"a", kE + "b"}});
    REQUIRE(MergeCount(model, word) == 1);
    CHECK(CountWordsCount(model, word) == 1);
  }
}

TEST_CASE("At: where a character may start as one symbol") {
  BytesToIdMap vocab;
  for (int b = 0; b < 256; ++b) vocab.Insert(std::string(1, static_cast<char>(b)), b);
  vocab.Insert("a\xC3", 256);
  vocab.Insert(kE, 257);
  vocab.Insert("\xA9" "c", 258);
  vocab.BuildFilter();
  const TwoByteSymbols symbols = TwoByteSymbols::Build(vocab);
  CHECK(symbols.usable() == 1);  // é is the only two-byte character that is a token
  auto at = [&](const std::string& word, size_t k) {
    return symbols.At(reinterpret_cast<const unsigned char*>(word.data()), k, word.size());
  };
  CHECK(at(kE, 0) == 257);
  CHECK(at("b" + kE + "b", 1) == 257);
  CHECK(at("a" + kE, 1) == kNoId);       // "a\xC3" is a token
  CHECK(at(kE + "c", 0) == kNoId);       // "\xA9c" is a token
  CHECK(at(kE + "\x80", 0) == kNoId);    // invalid UTF-8 after it
  CHECK(at("\xC3\xA8", 0) == kNoId);     // è is no token here
  CHECK(at("b" + kE.substr(0, 1), 1) == kNoId);  // a lead byte at the end
}

// Letters of several two-byte scripts, ASCII, spaces and a three-byte
// apostrophe.
const std::vector<std::string> kMixedLetters = {
    " ", "a", "e", "s", "t", "n", ".", "1",
    "\xD0\xBE", "\xD0\xB0", "\xD0\xB5", "\xD0\xB8", "\xD1\x82", "\xD1\x81", "\xD1\x8C", "\xD0\x9F",
    "\xD0\xA0", "\xD1\x8F", "\xC3\xA9", "\xC3\xBC", "\xC3\x9F", "\xCE\xB1", "\xCE\xBB", "\xD7\x90",
    "\xD8\xA7", "\xC2\xA0", "\xE2\x80\x99"};

TEST_CASE("The table comes back whole from its bytes; damaged bytes are refused") {
  StatusOr<std::unique_ptr<Pipeline>> p = LoadTiktoken(
      testing::VocabDir() + "/o200k_base/o200k_base.tiktoken", "o200k", {});
  REQUIRE(p.ok());
  const std::string bytes = (*p)->model.SerializeTwoByteSymbols();
  REQUIRE(!bytes.empty());
  TwoByteSymbols back;
  REQUIRE(TwoByteSymbols::Deserialize(bytes, &back));
  CHECK(back.Serialize() == bytes);
  CHECK(back.usable() > 500);  // 644 of the 1,920 two-byte characters are o200k tokens
  CHECK_FALSE(TwoByteSymbols::Deserialize(bytes.substr(0, bytes.size() - 1), &back));
  CHECK_FALSE(TwoByteSymbols::Deserialize(bytes + "x", &back));
  std::string bad = bytes;
  bad[0] = '\xFF';  // more contexts than the bytes hold
  CHECK_FALSE(TwoByteSymbols::Deserialize(bad, &back));
}

TEST_CASE("CountWords with two-byte symbols counts as MergeWord on real vocabularies") {
  struct Vocabulary {
    const char* name;
    const char* scanner;  // tiktoken files; "" for tokenizer.json
  };
  for (const Vocabulary& v :
       {Vocabulary{"o200k_base", "o200k"}, Vocabulary{"cl100k_base", "cl100k"},
        Vocabulary{"qwen3", ""}, Vocabulary{"llama3", ""}}) {
    const std::string name = v.name, dir = testing::VocabDir() + "/" + name + "/";
    StatusOr<std::unique_ptr<Pipeline>> p =
        *v.scanner != '\0' ? LoadTiktoken(dir + name + ".tiktoken", v.scanner, {})
                            : LoadHuggingFace(dir + "tokenizer.json");
    REQUIRE(p.ok());
    const BpeModel& model = (*p)->model;
    std::mt19937 rng(11);
    BpeModel::Scratch scratch;
    for (int batch = 0; batch < 600; ++batch) {
      std::vector<std::string> words(1 + rng() % 40);
      for (std::string& w : words) {
        w = testing::RandomWord(rng, kMixedLetters, rng() % 6 == 0 ? 48 : 24);
      }
      std::vector<std::string_view> views(words.begin(), words.end());
      std::vector<uint32_t> counts(words.size());
      model.CountWords(views.data(), views.size(), counts.data(), &scratch);
      for (size_t i = 0; i < words.size(); ++i) {
        INFO(name << " batch " << batch << ": \"" << words[i] << "\"");
        REQUIRE(counts[i] == MergeCount(model, words[i]));
      }
    }
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
