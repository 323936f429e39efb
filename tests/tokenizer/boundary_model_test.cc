// The lexicon's model of where tokens start: what it learns, its file form,
// and damaged files.
#include "tokenizer/internal/boundary_model.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
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
  std::memcpy(bad_default.data() + 16, &inf, sizeof(inf));  // magic, entries, words
  CHECK_THAT(BoundaryModel::Parse(bad_default).status().message(), Catch::Contains("default"));
  std::string bad_words = bytes;
  const uint32_t too_many = static_cast<uint32_t>(m.entries() + 1);
  std::memcpy(bad_words.data() + 12, &too_many, sizeof(too_many));
  CHECK_THAT(BoundaryModel::Parse(bad_words).status().message(), Catch::Contains("more words"));
}

TEST_CASE("A lexicon from before the word memory still loads") {
  // TKCBND2: magic, number of contexts, five defaults, contexts (none here).
  std::string v2("TKCBND2\n", 8);
  const uint32_t count = 0;
  v2.append(reinterpret_cast<const char*>(&count), sizeof(count));
  const float defaults[5] = {1.0f, 0.25f, 0.5f, 1.0f, 2.0f};
  v2.append(reinterpret_cast<const char*>(defaults), sizeof(defaults));
  StatusOr<BoundaryModel> m = BoundaryModel::Parse(v2);
  REQUIRE(m.ok());
  CHECK(m->words() == 0);
  CHECK(m->Estimate("ab \xD0\xBC") == Approx(0.25 * 3 + 0.5));
  CHECK_THAT(BoundaryModel::Parse(v2 + "x").status().message(), Catch::Contains("trailing"));
}

// A toy tokenizer that splits words it knows as listed and any other word
// into single letters; the space before a word starts its first token.
std::vector<uint32_t> ByDictionary(const std::string& text,
                                   const std::map<std::string, std::vector<uint32_t>>& dict) {
  std::vector<uint32_t> lengths;
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find(' ', i + 1);
    if (j == std::string::npos) j = text.size();
    auto it = dict.find(text.substr(i, j - i));
    if (it != dict.end()) {
      lengths.insert(lengths.end(), it->second.begin(), it->second.end());
    } else {
      lengths.insert(lengths.end(), j - i, 1);
    }
    i = j;
  }
  return lengths;
}

TEST_CASE("Words seen in the lexicon text are estimated by their own token count") {
  // " zebra" is two tokens and " zebus" one; other words are split into
  // letters, so contexts alone would put several tokens in each.
  const std::map<std::string, std::vector<uint32_t>> dict = {
      {" zebra", {4, 2}}, {" zebus", {6}}, {" zebroid", {3, 5}}};
  auto build = [&](int zebroids) {
    BoundaryModelBuilder builder;
    for (int i = 0; i < 2; ++i) {
      const std::string t = "x zebra zebus zebu zoned";
      REQUIRE(builder.Add(t, ByDictionary(t, dict)).ok());
    }
    for (int i = 0; i < zebroids; ++i) {
      const std::string t = "y zebroid";
      REQUIRE(builder.Add(t, ByDictionary(t, dict)).ok());
    }
    return builder.Build();
  };
  const BoundaryModel m = build(1);
  CHECK(m.words() > 0);
  const double before = m.Estimate("1");
  CHECK(m.Estimate("1 zebra") - before == 2.0);
  CHECK(m.Estimate("1 zebus") - before == 1.0);
  CHECK(m.Estimate("1 zebus zebra zebus") - before == 4.0);
  CHECK(m.Estimate("1 zebu") - before == 5.0);     // 5 one-letter tokens, twice
  CHECK(m.Estimate("1 zebroid") - before == 2.0);  // seen once, kept too

  // A word never seen is left to the contexts, which learn from words seen
  // once ("y zebroid": 3 token starts in 9 units) and not from common ones.
  // Level-0 contexts only (the rest are seen too rarely), each the mean of
  // its starts and the default 1/3: " zebrine" = 2/3 + 1/6 + 1/6 + 2/3 +
  // 1/6 + 1/6 + 1/3 ("n", never seen: the default) + 1/6 = 2.5.
  CHECK(m.Estimate("1 zebrine") - before == Approx(2.5).epsilon(1e-3));
  // Seen twice, "y zebroid" is common too: the contexts learn nothing, and
  // each unit gets the built-in default for ASCII, 0.3.
  const BoundaryModel twice = build(2);
  CHECK(twice.Estimate("1 zebrine") - twice.Estimate("1") == Approx(8 * 0.3).epsilon(1e-3));
}

TEST_CASE("Words known from a vocabulary alone are kept, but not as text's") {
  const std::map<std::string, std::vector<uint32_t>> dict = {{" zebra", {4, 2}}, {" zebus", {6}}};
  BoundaryModelBuilder builder;
  const std::string text = "x zebra";
  REQUIRE(builder.Add(text, ByDictionary(text, dict)).ok());
  const std::string vocabulary =
      BoundaryModelBuilder::VocabularyWordsText({" zebus", " zebra"});
  REQUIRE(vocabulary == ". zebus zebus\n. zebra zebra\n");
  REQUIRE(builder.AddVocabulary(vocabulary, {1, 6, 6, 1, 1, 4, 2, 4, 2, 1}).ok());
  const BoundaryModel m = builder.Build();
  for (const BoundaryModel& model : {m, BoundaryModel::Parse(m.Serialize()).value()}) {
    const double before = model.Estimate("1");
    CHECK(model.Estimate("1 zebus") - before == 1.0);
    BoundaryModel::WordCoverage cov;
    model.Estimate("1 zebus zebra zebu", &cov);
    CHECK(cov.letters == 14);
    CHECK(cov.kept == 10);
    CHECK(cov.in_text == 5);  // " zebra" only: the text has it
  }
}

TEST_CASE("A calibration document's words are kept only when seen twice") {
  // Coefficients are fitted on calibration documents: a lexicon that kept
  // every word they have once would look better on them than on new text.
  auto build = [](int times) {
    BoundaryModelBuilder builder;
    REQUIRE(builder.Add("x zebra", {1, 4, 2}).ok());
    for (int i = 0; i < times; ++i) {
      REQUIRE(builder.Add("y zebroid", {1, 3, 5}, /*lexicon_text=*/false).ok());
    }
    return builder.Build();
  };
  const BoundaryModel once = build(1), twice = build(2);
  CHECK(once.Estimate("1 zebra") - once.Estimate("1") == 2.0);  // lexicon text, once
  CHECK(once.Estimate("1 zebroid") - once.Estimate("1") != Approx(2.0).margin(0.01));
  CHECK(twice.Estimate("1 zebroid") - twice.Estimate("1") == 2.0);
}

TEST_CASE("A word without an entry of its own uses the one of its letters after the same kind of unit") {
  // "(zebra" and "[zebra" share an entry: letters after punctuation.
  BoundaryModelBuilder builder;
  for (int i = 0; i < 2; ++i) {
    REQUIRE(builder.Add("(zebra", {1, 3, 2}).ok());
    REQUIRE(builder.Add("[zebra", {1, 3, 2}).ok());
  }
  // After a digit, the word is its letters alone; the digit is estimated
  // on its own.
  for (int i = 0; i < 2; ++i) REQUIRE(builder.Add("7zebra", {1, 3, 2}).ok());
  const BoundaryModel m = builder.Build();
  CHECK(m.Estimate("/zebra") == Approx(3.0).margin(1e-3));
  CHECK(m.Estimate("{zebra") == Approx(3.0).margin(1e-3));
  REQUIRE(m.Estimate("5") > 0.1);
  CHECK(m.Estimate("5zebra") == Approx(2.0 + m.Estimate("5")).margin(1e-3));
}

TEST_CASE("A vocabulary's word tokens are written twice, and nothing else") {
  size_t words = 0;
  const std::string text = BoundaryModelBuilder::VocabularyWordsText(
      {" the", "Algorithm", " \xD0\xBC\xD0\xB8\xD1\x80", "", " ", "123", " a1", "  x", "ab cd",
       "\xE6\xBC\xA2", "\xFF", std::string(25, 'a'), " " + std::string(24, 'b'), "s"},
      &words);
  CHECK(words == 5);
  const std::string mir = " \xD0\xBC\xD0\xB8\xD1\x80", b24 = " " + std::string(24, 'b');
  CHECK(text == ". the the\nAlgorithm\nAlgorithm\n." + mir + mir + "\n." + b24 + b24 + "\ns\ns\n");
}

TEST_CASE("Words are seen whole across Estimate's blocks") {
  // Each " zebra" is a kept word of exactly 2 tokens: a block cut inside a
  // word would estimate its two halves from contexts instead.
  const std::map<std::string, std::vector<uint32_t>> dict = {{" zebra", {4, 2}}};
  BoundaryModelBuilder builder;
  for (int i = 0; i < 3; ++i) {
    const std::string t = "1 zebra zebra";
    REQUIRE(builder.Add(t, ByDictionary(t, dict)).ok());
  }
  const BoundaryModel m = builder.Build();
  auto text = [](int n) {
    std::string t = "1";
    for (int i = 0; i < n; ++i) t += " zebra";
    return t;
  };
  const double base = m.Estimate("1");
  // 6 units per word: 5,000 words span two cuts, 10,000 four.
  for (int n : {1, 2729, 2731, 5000, 10000}) {
    INFO(n << " words");
    CHECK(m.Estimate(text(n)) - base == 2.0 * n);
  }
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

TEST_CASE("Blocks of multi-byte and invalid units resume where they were cut") {
  // Each repetition of the pattern after the first two sees the same
  // surroundings, so adds the same estimate (sums are exact): also across
  // the 16,384-unit blocks of a long text, if each block resumes at the
  // byte where the one before was cut (a unit of 2 or 3 bytes, or an
  // invalid byte, which is a unit of one). A block is cut before a word it
  // would split; prefixes of 1 to 13 digits put the cuts at every unit of
  // the 13-unit pattern.
  const std::string pattern = " \xD0\xB6\xD0\xB8\xD1\x80\xD0\xB0\xD1\x84\xFF\xE2\x82\xAC \x80" "abc";
  for (int digits = 1; digits <= 13; ++digits) {
    INFO(digits << " digits first");
    auto text = [&](int n) {
      std::string t = std::string("1234567890123").substr(0, digits);
      for (int i = 0; i < n; ++i) t += pattern;
      return t;
    };
    BoundaryModelBuilder builder;
    REQUIRE(builder.Add(text(20), std::vector<uint32_t>(text(20).size(), 1)).ok());
    const BoundaryModel m = builder.Build();
    const double step = m.Estimate(text(3)) - m.Estimate(text(2));
    REQUIRE(step > 5);
    for (int n : {1500, 3000}) {  // one cut, three
      INFO(n << " patterns");
      CHECK(m.Estimate(text(n)) == m.Estimate(text(2)) + (n - 2) * step);
    }
  }
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

// Lines of digits where "89\n0" is one token and every other byte is one:
// a line's estimate depends on the line before it (its newline and a "0"
// first start no token after "89") and on the line after it (a "9" last
// starts none before a "0").
std::vector<uint32_t> EightNineNewlineZero(const std::string& text) {
  std::vector<uint32_t> lengths;
  for (size_t i = 0; i < text.size();) {
    const size_t n = text.compare(i, 4, "89\n0") == 0 ? 4 : 1;
    lengths.push_back(static_cast<uint32_t>(n));
    i += n;
  }
  return lengths;
}

// Estimate keeps a per-thread memo of lines; a line repeated in other
// surroundings must not take the estimate it had there.
TEST_CASE("The memo of lines never changes an estimate") {
  std::mt19937_64 rng(5);
  auto digits = [&](size_t n, char first, char last) {
    std::string s(1, first);
    while (s.size() + 1 < n) s += static_cast<char>('0' + rng() % 10);
    return s + last;
  };
  auto join = [&](const std::vector<std::string>& lines, int count) {
    std::string t;
    for (int i = 0; i < count; ++i) t += (i ? "\n" : "") + lines[rng() % lines.size()];
    return t;
  };
  std::vector<std::string> lines;
  for (char first : {'0', '5'}) {
    for (char last : {'9', '4'}) lines.push_back(digits(12 + rng() % 8, first, '8') + last);
  }
  BoundaryModelBuilder builder;
  for (int i = 0; i < 20; ++i) {
    const std::string t = join(lines, 50);
    REQUIRE(builder.Add(t, EightNineNewlineZero(t)).ok());
  }
  const BoundaryModel m = builder.Build();
  // The same lines, in other orders, so in other surroundings.
  std::vector<std::string> texts;
  for (int i = 0; i < 8; ++i) texts.push_back(join(lines, 2 + i * 5));
  std::vector<double> fresh;
  for (const std::string& text : texts) {
    std::thread([&] { fresh.push_back(m.Estimate(text)); }).join();
  }
  // The model did learn that a line's estimate depends on its neighbours.
  REQUIRE(m.Estimate("5000000000089\n012345678909") <
          m.Estimate("5000000000084\n012345678909") - 0.5);
  REQUIRE(m.Estimate("5000000000089\n012345678909") <
          m.Estimate("5000000000089\n512345678909") - 0.5);
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < texts.size(); ++i) {
      INFO("round " << round << ", text " << i);
      CHECK(m.Estimate(texts[i]) == fresh[i]);
    }
  }
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
