// LineCountCache: exact hits only, bounded buckets and arena, chunks of a
// large text kept in place, and the tally that turns lookups off for text
// whose lines do not repeat.
#include "tokenizer/internal/line_cache.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace tokcost::tokenizer_internal {
namespace {

TEST_CASE("A cached chunk is found by its bytes, not by its hash alone") {
  LineCountCache cache;
  const std::string a = "first line of text\n", b = "other line of text\n";
  const uint64_t h = LineCountCache::Hash(a);
  CHECK(cache.Find(a, h) == -1);
  cache.Insert(a, h, 5);
  CHECK(cache.Find(a, h) == 5);
  // Same hash (forced), same length, other bytes: a miss.
  REQUIRE(a.size() == b.size());
  CHECK(cache.Find(b, h) == -1);
  CHECK(cache.Find(b, LineCountCache::Hash(b)) == -1);
}

TEST_CASE("A bucket keeps its eight newest chunks") {
  static_assert(LineCountCache::kWays == 8);
  LineCountCache cache;
  const uint64_t h = 12345;  // one bucket for all
  for (int i = 0; i < 9; ++i) cache.Insert("chunk number " + std::to_string(i), h, i + 1);
  CHECK(cache.Find("chunk number 0", h) == -1);
  for (int i = 1; i < 9; ++i) CHECK(cache.Find("chunk number " + std::to_string(i), h) == i + 1);
}

TEST_CASE("Counts and lengths survive their packing into an entry") {
  LineCountCache cache;
  const std::string longest(LineCountCache::kMaxChunk, 'y');
  const std::string shortest(LineCountCache::kMinChunk, 'z');
  cache.Insert(longest, LineCountCache::Hash(longest), 4095);
  cache.Insert(shortest, LineCountCache::Hash(shortest), 1);
  CHECK(cache.Find(longest, LineCountCache::Hash(longest)) == 4095);
  CHECK(cache.Find(shortest, LineCountCache::Hash(shortest)) == 1);
  // A count too large for an entry is not kept (a chunk of 16 KB can have
  // more tokens than that only if nearly every byte is one).
  const std::string dense(LineCountCache::kMaxChunk, 'w');
  cache.Insert(dense, LineCountCache::Hash(dense), 4096);
  CHECK(cache.Find(dense, LineCountCache::Hash(dense)) == -1);
  // The same hash's bucket and tag, another length: a miss without a compare.
  CHECK(cache.Find(longest.substr(1), LineCountCache::Hash(longest)) == -1);
}

TEST_CASE("Lines that differ only in their last digits do not crowd into few buckets") {
  LineCountCache cache;
  char line[16];
  auto numbered = [&](int i) {
    std::snprintf(line, sizeof(line), "line %06d\n", i);
    return std::string(line);
  };
  for (int i = 0; i < 2000; ++i) cache.Insert(numbered(i), LineCountCache::Hash(numbered(i)), 3);
  int found = 0;
  for (int i = 0; i < 2000; ++i) found += cache.Find(numbered(i), LineCountCache::Hash(numbered(i))) == 3;
  CHECK(found == 2000);  // 800 when they shared 200 buckets
}

TEST_CASE("A full arena starts afresh and goes on caching") {
  LineCountCache cache;
  const std::string big(LineCountCache::kMaxChunk, 'x');
  // 16 MB of arena: the 1025th chunk of 16 KB does not fit.
  for (int i = 0; i < 1025; ++i) {
    std::string chunk = big;
    chunk.replace(0, 8, std::to_string(10000000 + i));
    cache.Insert(chunk, LineCountCache::Hash(chunk), 7);
  }
  std::string first = big, last = big;
  first.replace(0, 8, std::to_string(10000000));
  last.replace(0, 8, std::to_string(10000000 + 1024));
  CHECK(cache.Find(first, LineCountCache::Hash(first)) == -1);  // dropped with the rest
  CHECK(cache.Find(last, LineCountCache::Hash(last)) == 7);
}

TEST_CASE("Lookups that rarely hit are reported as unrewarding, once per window") {
  LineCountCache cache;
  const std::string seen = "a line that repeats\n";
  cache.Insert(seen, LineCountCache::Hash(seen), 4);
  auto look = [&](int hits, int misses) {
    for (int i = 0; i < hits; ++i) cache.FindAndTally(seen, LineCountCache::Hash(seen));
    for (int i = 0; i < misses; ++i) {
      const std::string other = "line " + std::to_string(i) + "\n";
      cache.FindAndTally(other, LineCountCache::Hash(other));
    }
  };
  const int window = static_cast<int>(LineCountCache::kTallyWindow);
  look(0, window - 1);
  CHECK_FALSE(cache.Unrewarding());  // not a whole window yet
  look(0, 1);
  CHECK(cache.Unrewarding());
  CHECK_FALSE(cache.Unrewarding());  // the tally starts again
  look(window / 8, window - window / 8);
  CHECK_FALSE(cache.Unrewarding());  // 1 in 8 hit
}

TEST_CASE("A large text's chunks are kept in place and hit only where the bytes are the same") {
  LineCountCache cache;
  std::string text(LineCountCache::kKeepInPlaceFrom, 'x');
  const std::string line = "a line kept in place\n";
  text.replace(1000, line.size(), line);
  const std::string_view chunk = std::string_view(text).substr(1000, line.size());
  const uint64_t h = LineCountCache::Hash(line);
  {
    LineCountCache::TextScope scope(&cache, text);
    cache.Insert(chunk, h, 6);
    CHECK(cache.Find(chunk, h) == 6);
    CHECK(cache.Find(line, h) == 6);  // the same bytes elsewhere
    // Another chunk whose hash and length match an entry of this text (by
    // chance, here forced) is a plain miss: it was not seen earlier, and
    // copying it would touch the arena for nothing.
    CHECK(cache.Find("a line kept elsewher\n", h) == -1);
  }
  // Another text: the entry is compared with that text's bytes at the same
  // place, never taken from its hash alone.
  std::string other = text;
  other[1005] = 'X';
  {
    LineCountCache::TextScope scope(&cache, other);
    CHECK(cache.Find(line, h) == LineCountCache::kSeenEarlier);
  }
  {
    LineCountCache::TextScope scope(&cache, text);  // the same bytes again
    CHECK(cache.Find(line, h) == 6);
  }
  // Outside any text, and in a text too short to hold it: seen earlier.
  CHECK(cache.Find(line, h) == LineCountCache::kSeenEarlier);
  // Copied when counted again, it hits everywhere.
  cache.Insert(line, h, 6, /*copy=*/true);
  CHECK(cache.Find(line, h) == 6);
  LineCountCache::TextScope scope(&cache, other);
  CHECK(cache.Find(line, h) == 6);
}

TEST_CASE("A small text's chunks are copied: they hit after its scope") {
  LineCountCache cache;
  std::string text = "a short document\nwith two lines\n";
  const std::string_view chunk = std::string_view(text).substr(0, 17);
  const uint64_t h = LineCountCache::Hash(chunk);
  {
    LineCountCache::TextScope scope(&cache, text);
    cache.Insert(chunk, h, 3);
  }
  text.assign(text.size(), '-');
  CHECK(cache.Find("a short document\n", h) == 3);
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
