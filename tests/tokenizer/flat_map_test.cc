// The vocabulary table: lookups of present and absent keys of every length
// around the 8-byte head, the Bloom filter in front of it (built, dropped
// by a later insert, stored and read back), and damaged stored tables.
#include "tokenizer/internal/flat_map.h"

#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace tokcost::tokenizer_internal {
namespace {

std::string RandomKey(std::mt19937_64& rng) {
  std::string k(std::uniform_int_distribution<size_t>(1, 20)(rng), '\0');
  for (char& c : k) c = static_cast<char>(std::uniform_int_distribution<int>(0, 3)(rng));
  return k;  // a small alphabet, so keys share heads and differ late
}

// Present keys give their ids; absent keys (none inserted) give kNoId.
void CheckTable(const BytesToIdMap& m, const std::vector<std::string>& present,
                const std::vector<std::string>& absent) {
  for (size_t i = 0; i < present.size(); ++i) REQUIRE(m.Find(present[i]) == i);
  for (const std::string& k : absent) REQUIRE(m.Find(k) == kNoId);
}

TEST_CASE("The vocabulary table finds its keys and refuses others") {
  std::mt19937_64 rng(5);
  std::vector<std::string> present, absent;
  BytesToIdMap m;
  std::set<std::string> seen;
  while (present.size() < 5000) {
    std::string k = RandomKey(rng);
    if (!seen.insert(k).second) continue;
    m.Insert(k, static_cast<uint32_t>(present.size()));
    present.push_back(k);
  }
  while (absent.size() < 5000) {
    std::string k = RandomKey(rng);
    if (seen.insert(k).second) absent.push_back(k);
  }
  CheckTable(m, present, absent);  // no filter yet
  m.BuildFilter();
  CheckTable(m, present, absent);
  // An insert after the filter was built drops it: the new key is found.
  m.Insert(absent.back(), 77777);
  CHECK(m.Find(absent.back()) == 77777);
  m.BuildFilter();
  CHECK(m.Find(absent.back()) == 77777);
  absent.pop_back();
  present.push_back("\x01\x02\x03\x01\x02\x03\x01\x02\x03\x01\x02\x03 long key");
  m.Insert(present.back(), static_cast<uint32_t>(present.size() - 1));
  m.BuildFilter();

  // Stored and read back in place, with its filter.
  const auto bytes = std::make_shared<std::string>(m.Serialize());
  BytesToIdMap read;
  REQUIRE(BytesToIdMap::Deserialize(bytes->data(), bytes->size(), bytes, &read));
  for (size_t i = 0; i + 1 < present.size(); ++i) REQUIRE(read.Find(present[i]) == i);
  CHECK(read.Find(present.back()) == present.size() - 1);
  for (const std::string& k : absent) REQUIRE(read.Find(k) == kNoId);
  // One-byte keys from the stored table, as Find gives them.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    INFO("byte " << b);
    CHECK(read.FindByte(static_cast<unsigned char>(b)) == m.Find(std::string_view(&c, 1)));
  }
  CHECK(read.FindByte(0x01) != kNoId);  // the keys' alphabet is bytes 0-3
  CHECK(read.FindByte('A') == kNoId);

  // A stored filter with its bits cleared would hide keys: refused. (It
  // follows the 48-byte header and the 1 KB table of one-byte keys.)
  std::string damaged = *bytes;
  std::fill(damaged.begin() + 48 + 1024, damaged.begin() + 48 + 1024 + (1 << 19), '\0');
  BytesToIdMap bad;
  CHECK_FALSE(BytesToIdMap::Deserialize(damaged.data(), damaged.size(), nullptr, &bad));
  // So is a table written by a build whose hash differs (its check, bytes
  // 32-39 of the header, no longer matches).
  std::string other_hash = *bytes;
  other_hash[33] ^= 1;
  CHECK_FALSE(BytesToIdMap::Deserialize(other_hash.data(), other_hash.size(), nullptr, &bad));
  // And a damaged table of one-byte keys, which no probe reads.
  std::string damaged_bytes = *bytes;
  damaged_bytes[48 + 4 * 0x41] ^= 1;
  CHECK_FALSE(BytesToIdMap::Deserialize(damaged_bytes.data(), damaged_bytes.size(), nullptr, &bad));
  // So are a truncated table and another magic.
  CHECK_FALSE(BytesToIdMap::Deserialize(bytes->data(), bytes->size() - 1, nullptr, &bad));
  std::string old_magic = *bytes;
  old_magic[6] = '5';
  CHECK_FALSE(BytesToIdMap::Deserialize(old_magic.data(), old_magic.size(), nullptr, &bad));
}

}  // namespace
}  // namespace tokcost::tokenizer_internal
