// The lexicon's model of where tokens start: what it learns, its file form,
// and damaged files.
#include "tokenizer/internal/boundary_model.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tokcost::tokenizer_internal {
namespace {

// A toy tokenizer: words of the form (consonant vowel)+ split into
// syllables; a space starts a token of its own.
std::vector<uint32_t> Syllables(const std::string& text) {
  std::vector<uint32_t> lengths;
  for (size_t i = 0; i < text.size();) {
    size_t n = text[i] == ' ' ? 1 : 2;
    lengths.push_back(static_cast<uint32_t>(n));
    i += n;
  }
  return lengths;
}

std::string RandomWords(std::mt19937_64& rng, int words) {
  static const char kConsonants[] = "bdgklmnprst";
  static const char kVowels[] = "aeiou";
  std::string s;
  for (int w = 0; w < words; ++w) {
    if (w) s += ' ';
    for (int k = 1 + rng() % 4; k > 0; --k) {
      s += kConsonants[rng() % 11];
      s += kVowels[rng() % 5];
    }
  }
  return s;
}

TEST_CASE("Learns where a tokenizer starts tokens and predicts unseen text") {
  std::mt19937_64 rng(5);
  BoundaryModelBuilder builder;
  for (int i = 0; i < 200; ++i) {
    std::string t = RandomWords(rng, 50);
    REQUIRE(builder.Add(t, Syllables(t)).ok());
  }
  BoundaryModel m = builder.Build();
  REQUIRE_FALSE(m.empty());
  // Held-out text: the rule is local, so the count is nearly exact (vowels
  // never start a token; a consonant after a space or a vowel always does).
  for (int i = 0; i < 20; ++i) {
    std::string t = RandomWords(rng, 40);
    const double truth = static_cast<double>(Syllables(t).size());
    CHECK(m.Estimate(t) == Approx(truth).epsilon(0.01));
  }
  CHECK(m.Estimate("") == 0);
}

TEST_CASE("Characters split into byte tokens count as several starts") {
  // Each CJK character (3 bytes) is three byte tokens; ASCII letters one each.
  BoundaryModelBuilder builder;
  for (int i = 0; i < 50; ++i) {
    std::string t = "ab\xE6\x97\xA5" "cd\xE6\x9C\xAC";
    REQUIRE(builder.Add(t, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}).ok());
  }
  BoundaryModel m = builder.Build();
  CHECK(m.Estimate("ab\xE6\x97\xA5") == Approx(5).epsilon(0.05));
}

TEST_CASE("Token lengths that do not cover the text are rejected") {
  BoundaryModelBuilder builder;
  Status st = builder.Add("hello", {2, 2});
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.message(), Catch::Contains("4 bytes") && Catch::Contains("5"));
  CHECK(builder.units() == 0);
}

TEST_CASE("Invalid UTF-8 is estimated, not rejected") {
  std::mt19937_64 rng(1);
  BoundaryModelBuilder builder;
  std::string t = RandomWords(rng, 100);
  REQUIRE(builder.Add(t, Syllables(t)).ok());
  BoundaryModel m = builder.Build();
  // Unknown units fall back to the per-length defaults.
  CHECK(m.Estimate("\xFF\xFE\xC3") > 0);
  CHECK(m.Estimate(std::string("\xE6\x97", 2)) > 0);
}

TEST_CASE("The file form round-trips exactly and damage is an error") {
  std::mt19937_64 rng(2);
  BoundaryModelBuilder builder;
  for (int i = 0; i < 50; ++i) {
    std::string t = RandomWords(rng, 30) + " \xD0\xBC\xD0\xB8\xD1\x80";
    std::vector<uint32_t> lengths = Syllables(t.substr(0, t.size() - 6));
    lengths.push_back(6);
    REQUIRE(builder.Add(t, lengths).ok());
  }
  BoundaryModel m = builder.Build();
  const std::string bytes = m.Serialize();
  StatusOr<BoundaryModel> back = BoundaryModel::Parse(bytes);
  REQUIRE(back.ok());
  CHECK(back->entries() == m.entries());
  // Texts longer than Estimate's block of units, too.
  std::string probe = RandomWords(rng, 20000) + " \xD0\xBC\xD0\xB8\xD1\x80";
  CHECK(back->Estimate(probe) == m.Estimate(probe));
  CHECK(back->Serialize() == bytes);

  CHECK_THAT(BoundaryModel::Parse("nonsense").status().message(), Catch::Contains("magic"));
  CHECK_THAT(BoundaryModel::Parse(bytes.substr(0, bytes.size() - 3)).status().message(),
             Catch::Contains("truncated"));
  std::string bad_default = bytes;
  const float inf = 1e30f;
  std::memcpy(bad_default.data() + 12, &inf, sizeof(inf));
  CHECK_THAT(BoundaryModel::Parse(bad_default).status().message(), Catch::Contains("default"));
}

TEST_CASE("Estimates do not depend on where blocks are cut") {
  // Runs of "a" tokenized as "aa" pieces: a unit starts a token half the
  // time inside a run and always at its start, so the estimate grows by the
  // same amount per unit however long the run (and however many of
  // Estimate's 16,384-unit blocks it spans); a block that lost its left
  // context would count another run start at each cut.
  BoundaryModelBuilder builder;
  for (int n = 2; n <= 400; n += 2) {
    REQUIRE(builder.Add(std::string(n, 'a'), std::vector<uint32_t>(n / 2, 2)).ok());
  }
  BoundaryModel m = builder.Build();
  const double e1 = m.Estimate(std::string(40000, 'a'));
  const double e2 = m.Estimate(std::string(80000, 'a'));
  const double e4 = m.Estimate(std::string(160000, 'a'));
  CHECK(e4 - e2 == Approx(2 * (e2 - e1)).epsilon(1e-9));
  CHECK((e2 - e1) / 40000 == Approx(0.5).epsilon(0.05));
}

// Estimate keeps a per-thread memo of unit windows; it must never change an
// estimate: on a thread that has seen other text and another model, every
// estimate equals one made on a fresh thread.
TEST_CASE("The memo of windows never changes an estimate") {
  std::mt19937_64 rng(3);
  BoundaryModelBuilder b1, b2;
  std::string t = RandomWords(rng, 300);
  REQUIRE(b1.Add(t, Syllables(t)).ok());
  REQUIRE(b2.Add(t, std::vector<uint32_t>(t.size(), 1)).ok());  // one token per byte
  const BoundaryModel m1 = b1.Build(), m2 = b2.Build();
  // A NUL byte and an overlong NUL (E0 80 80) decode to the same unit with
  // different classes, so different defaults.
  const std::vector<std::string> texts = {std::string("ba\0ba", 5), "ba\xE0\x80\x80" "ba",
                                          RandomWords(rng, 200), t.substr(0, 500)};
  std::vector<double> fresh1, fresh2;
  for (const std::string& text : texts) {
    std::thread([&] {
      fresh1.push_back(m1.Estimate(text));
      fresh2.push_back(m2.Estimate(text));
    }).join();
  }
  REQUIRE(fresh1[0] != fresh1[1]);
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < texts.size(); ++i) {
      INFO("round " << round << ", text " << i);
      CHECK(m1.Estimate(texts[i]) == fresh1[i]);
      CHECK(m2.Estimate(texts[i]) == fresh2[i]);
    }
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
