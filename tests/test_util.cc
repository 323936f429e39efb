#include "tests/test_util.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

namespace tokcost::testing {

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  return path;
}

std::string RunfilePath(const std::string& repo_relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string root = srcdir ? std::string(srcdir) + "/tokcost/" : "";
  return root + repo_relative;
}

std::string VocabDir() {
  const char* dir = std::getenv("TOKCOST_VOCAB_DIR");
  if (dir == nullptr || *dir == '\0') {
    FAIL("TOKCOST_VOCAB_DIR is not set: run the tests through tools/test, "
         "which fetches the vocabularies and passes --test_env");
  }
  return dir;
}

std::vector<std::string> TokenizerNames() {
  StatusOr<std::vector<TokenizerSpec>> specs =
      LoadTokenizerSpecs(RunfilePath("data/tokenizers.json"));
  REQUIRE(specs.ok());
  std::vector<std::string> names;
  for (const TokenizerSpec& s : *specs) names.push_back(s.name);
  return names;
}

const Tokenizer& GetTokenizer(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  StatusOr<std::vector<TokenizerSpec>> specs =
      LoadTokenizerSpecs(RunfilePath("data/tokenizers.json"));
  REQUIRE(specs.ok());
  const TokenizerSpec* spec = FindTokenizerSpec(*specs, name);
  REQUIRE(spec != nullptr);
  StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizer(*spec, VocabDir());
  INFO(tok.status().ToString());
  REQUIRE(tok.ok());
  return *(cache[name] = std::move(*tok));
}

std::string RandomWord(std::mt19937& rng, const std::vector<std::string>& alphabet,
                       size_t max_bytes) {
  std::string word;
  const size_t target = rng() % (max_bytes + 1);
  while (word.size() < target) {
    const std::string& letter = alphabet[rng() % alphabet.size()];
    if (word.size() + letter.size() > max_bytes) break;
    word += letter;
  }
  return word;
}

}  // namespace tokcost::testing
