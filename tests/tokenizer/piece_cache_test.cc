// SharedPieceCountCache: exact hits, two pieces per bucket, and under
// threads writing and reading the same buckets at once, never a count that
// belongs to another piece.
#include "tokenizer/internal/piece_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace tokcost::tokenizer_internal {
namespace {

TEST_CASE("A shared bucket keeps its two newest pieces, found by their bytes") {
  SharedPieceCountCache cache;
  const uint64_t h = 77;  // one bucket for all
  CHECK(cache.Find("alpha", h) == -1);
  cache.Insert("alpha", h, 1);
  cache.Insert("beta", h, 2);
  CHECK(cache.Find("alpha", h) == 1);
  CHECK(cache.Find("beta", h) == 2);
  CHECK(cache.Find("alphb", h) == -1);  // same length and bucket, other bytes
  cache.Insert("gamma", h, 3);          // pushes out alpha
  CHECK(cache.Find("alpha", h) == -1);
  CHECK(cache.Find("beta", h) == 2);
  CHECK(cache.Find("gamma", h) == 3);
  // Every length the first slot takes; the second takes up to 24 bytes.
  for (size_t n = 1; n <= SharedPieceCountCache::kMaxPiece; ++n) {
    INFO(n);
    const std::string piece(n, static_cast<char>('a' + n % 26)), other = piece + "z";
    cache.Insert(piece, h, static_cast<int>(n));
    if (n == 2) {  // a table of their own (see below)
      CHECK(cache.FindTwoBytes(piece) == 2);
      continue;
    }
    CHECK(cache.Find(piece, h) == static_cast<int>(n));
    CHECK(cache.Find(std::string(n, 'Z'), h) == -1);
    cache.Insert("next", h, 7);
    CHECK(cache.Find(piece, h) == (n <= 24 ? static_cast<int>(n) : -1));
    CHECK(cache.Find("next", h) == 7);
  }
  cache.Insert("big", h, 256);  // counts above 255 are not kept
  CHECK(cache.Find("big", h) == -1);
  cache.Clear();
  CHECK(cache.Find("next", h) == -1);
}

TEST_CASE("Two-byte pieces have a table of their own, by their bytes") {
  SharedPieceCountCache cache;
  CHECK(cache.FindTwoBytes("ab") == -1);
  cache.Insert("ab", 1, 1);
  cache.Insert("\xD0\xB0", 1, 2);  // the same hash: no bucket is involved
  CHECK(cache.FindTwoBytes("ab") == 1);
  CHECK(cache.FindTwoBytes("\xD0\xB0") == 2);
  CHECK(cache.FindTwoBytes("ba") == -1);
  CHECK(cache.Find("ab", 1) == -1);  // not in the bucket
  CHECK(cache.Find("abc", 1) == -1);
  cache.Clear();
  CHECK(cache.FindTwoBytes("ab") == -1);
}

TEST_CASE("Threads sharing buckets never read another piece's count") {
  SharedPieceCountCache cache;
  // 64 pieces of several lengths (sharing prefixes, so a torn copy could
  // match another), in 4 buckets; piece i's count is i + 1.
  std::vector<std::string> pieces;
  for (int i = 0; i < 64; ++i) {
    pieces.push_back(std::string(1 + i % SharedPieceCountCache::kMaxPiece, 'a' + i % 3) +
                     std::to_string(i % 5));
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    for (size_t j = 0; j < i; ++j) REQUIRE(pieces[i] != pieces[j]);
  }
  std::atomic<int> wrong{0}, hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      uint64_t x = 0x9E3779B97F4A7C15ULL * (t + 1);
      for (int op = 0; op < 400000; ++op) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const size_t i = x % pieces.size();
        const uint64_t bucket = i % 4;
        if ((x >> 32) % 3 == 0) {
          cache.Insert(pieces[i], bucket, static_cast<int>(i + 1));
        } else if (const int n = cache.Find(pieces[i], bucket); n >= 0) {
          ++hits;
          if (n != static_cast<int>(i + 1)) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(wrong == 0);
  CHECK(hits > 1000);  // the readers did find pieces
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
