#include "tokenizer/internal/bpe_model.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "tests/test_util.h"
#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/thread_caches.h"

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

// Frequent letters (Latin and two Cyrillic ones) make many competing merges.
std::string RandomWord(std::mt19937& rng, size_t max_bytes) {
  static const std::vector<std::string> kAlphabet = {"a", "e", "i", "n", "o", "r", "s",
                                                     "t", " ", "l", "\xD0\xBE", "\xD0\xB0"};
  return testing::RandomWord(rng, kAlphabet, max_bytes);
}

TEST_CASE("Quadratic and heap merge loops agree on o200k") {
  StatusOr<std::unique_ptr<Pipeline>> p = LoadTiktoken(
      testing::VocabDir() + "/o200k_base/o200k_base.tiktoken", "o200k", {});
  REQUIRE(p.ok());
  const BpeModel& model = (*p)->model;
  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    // Up to the quadratic loop's limit, where kQuadratic runs it.
    const std::string word = RandomWord(rng, BpeModel::kMaxQuadraticSymbols);
    BpeModel::Scratch quadratic, heap;
    model.MergeWord(word, &quadratic, BpeModel::Loop::kQuadratic);
    model.MergeWord(word, &heap, BpeModel::Loop::kHeap);
    INFO(word);
    REQUIRE(quadratic.ids() == heap.ids());
  }
}

// CountWords merges many words side by side, refilling as words finish;
// each count must be MergeWord's for that word, whatever its neighbours.
void CheckCountWords(const BpeModel& model, uint32_t seed) {
  std::mt19937 rng(seed);
  BpeModel::Scratch scratch;
  for (int batch = 0; batch < 200; ++batch) {
    std::vector<std::string> words(rng() % 40);
    for (std::string& w : words) {
      // Mostly short, some past the quadratic loop's limit (merged alone),
      // some empty or one byte, some whole tokens.
      w = RandomWord(rng, rng() % 8 == 0 ? 90 : 30);
      if (rng() % 10 == 0) w = "the";
    }
    std::vector<std::string_view> views(words.begin(), words.end());
    std::vector<uint32_t> counts(words.size(), 12345);
    model.CountWords(views.data(), views.size(), counts.data(), &scratch);
    for (size_t i = 0; i < words.size(); ++i) {
      INFO(batch << ": \"" << words[i] << "\"");
      REQUIRE(counts[i] == Encode(model, words[i]).size());
    }
  }
}

TEST_CASE("CountWords gives each word MergeWord's count") {
  SECTION("tiktoken: ranks looked up by bytes") {
    StatusOr<std::unique_ptr<Pipeline>> p = LoadTiktoken(
        testing::VocabDir() + "/o200k_base/o200k_base.tiktoken", "o200k", {});
    REQUIRE(p.ok());
    CheckCountWords((*p)->model, 7);
  }
  SECTION("byte-level merge table") {
    CheckCountWords(TinyModel({{"a", "a"}, {"e", "n"}, {" ", "t"}, {"t", "h"}, {"th", "e"},
                               {" t", "he"}, {"\xD0", "\xBE"}, {"\xD0\xBE", "\xD0\xBE"}}),
                    8);
  }
}

TEST_CASE("A character model's symbols are the same from its cache of characters") {
  // Characters, then byte fallback tokens <0x00>..<0xFF>.
  BpeModel model(BpeModel::Options{.byte_level = false, .ignore_merges = false,
                                   .byte_fallback = true});
  const std::vector<std::string> chars = {"a", "\xD0\xB1", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E",
                                          std::string(1, '\0')};
  uint32_t next = 0;
  for (const std::string& c : chars) model.AddToken(c, next++);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    model.AddToken(name, 100 + b);
  }
  std::string error;
  REQUIRE(model.Finish(&error));
  const std::vector<uint32_t> known = {0, 1, 2, 3, 4};
  std::string word;
  for (const std::string& c : chars) word += c;
  for (int round = 0; round < 3; ++round) {  // the later rounds read the cache
    CHECK(Encode(model, word) == known);
    // Not in the vocabulary: its bytes' fallback tokens, every time.
    CHECK(Encode(model, "\xD0\xB2") == std::vector<uint32_t>{100 + 0xD0, 100 + 0xB2});
    // A character cut short by the word's end: the byte that is there.
    CHECK(Encode(model, "a\xD0") == std::vector<uint32_t>{0, 100 + 0xD0});
    // Ill-formed: a lead byte, then no continuation byte.
    CHECK(Encode(model, "\xD0" "a") == std::vector<uint32_t>{100 + 0xD0, 100 + 'a'});
  }
  // 5,000 distinct characters through 4,096 entries: each still its own.
  BpeModel wide(BpeModel::Options{.byte_level = false, .ignore_merges = false,
                                  .byte_fallback = true});
  std::vector<std::string> many;
  for (uint32_t cp = 0x4E00; cp < 0x4E00 + 5000; ++cp) {
    many.push_back({static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                    static_cast<char>(0x80 | (cp & 0x3F))});
    wide.AddToken(many.back(), static_cast<uint32_t>(many.size() - 1));
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    wide.AddToken(name, 10000 + b);
  }
  REQUIRE(wide.Finish(&error));
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < many.size(); ++i) {
      REQUIRE(Encode(wide, many[i]) == std::vector<uint32_t>{static_cast<uint32_t>(i)});
    }
  }
}

TEST_CASE("Per-thread pair caches never leak between models") {
  // Same ids, different merges: a cache keyed by ids alone would answer
  // one model with the other's merges. Interleaved, and with more models
  // than a thread keeps caches for.
  std::vector<BpeModel> models;
  for (int i = 0; i < 6; ++i) {
    models.push_back(i % 2 == 0 ? TinyModel({{"a", "b"}, {"ab", "c"}})
                                : TinyModel({{"b", "c"}, {"a", "bc"}}));
  }
  for (int round = 0; round < 3; ++round) {
    for (const BpeModel& m : models) {
      // "abc" is one token either way, but the two models reach it through
      // different pairs: check the pair that only one of them merges.
      CHECK(Encode(m, "ab").size() == (m.Find("ab") != kNoId ? 1u : 2u));
      CHECK(Encode(m, "bc").size() == (m.Find("bc") != kNoId ? 1u : 2u));
      CHECK(Encode(m, "abc").size() == 1u);
    }
  }
}

struct Counter {
  Counter() { ++made; }
  static inline int made = 0;
  int value = 0;
};

TEST_CASE("ThreadCaches keeps the most recent models") {
  ThreadCaches<Counter, 2> caches;
  caches.Get(1).value = 10;
  caches.Get(2).value = 20;
  CHECK(caches.Get(1).value == 10);  // kept; 2 is now the oldest
  CHECK(Counter::made == 2);
  CHECK(caches.Get(3).value == 0);   // a new cache replaces 2's
  CHECK(caches.Get(1).value == 10);
  CHECK(caches.Get(2).value == 0);   // 2's was dropped
  CHECK(Counter::made == 4);
  caches.Clear();
  CHECK(caches.Get(1).value == 0);
}

// At namespace scope, as the library's are: a function's thread_local is set
// up in a thread only when that thread runs its declaration, so the other
// thread's copy, reached from a lambda, was never destroyed (LeakSanitizer).
thread_local ThreadCaches<Counter, 2> caches_per_thread;

TEST_CASE("ResetAllThreadCaches empties other threads' caches too") {
  // A pool thread's caches, kept from one task to the next, as WorkerPool's
  // are; a benchmark on the main thread resets between its cold passes.
  std::mutex mutex;
  std::condition_variable cv;
  int step = 0;  // 1: the other thread filled its cache; 2: reset done
  int seen_after_reset = -1;
  std::thread other([&] {
    caches_per_thread.Get(7).value = 70;
    CHECK(caches_per_thread.Get(7).value == 70);
    {
      std::unique_lock<std::mutex> lock(mutex);
      step = 1;
      cv.notify_all();
      cv.wait(lock, [&] { return step == 2; });
    }
    seen_after_reset = caches_per_thread.Get(7).value;
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return step == 1; });
    caches_per_thread.Get(7).value = 5;  // this thread's own
    ResetAllThreadCaches();
    step = 2;
    cv.notify_all();
  }
  other.join();
  CHECK(seen_after_reset == 0);
  CHECK(caches_per_thread.Get(7).value == 0);
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
