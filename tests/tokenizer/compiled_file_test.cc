// Compiled vocabularies (<file>.tokcost-idx): used while the source is
// unchanged, rebuilt when it changes or when the compiled file is damaged,
// and never a source of different counts.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/test_util.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

namespace fs = std::filesystem;

const char* const kTexts[] = {
    "Hello, world! Привет, мир!  \n\n  def f(x):\n    return x ** 2\n",
    "Ａｍｅｌｉｅ café naïve 東京 🙂 <|im_start|>user\n<think>hm</think>",
    "1234567 tokens; it's, we'll, THEY'RE\r\n\t",
};

// Copies the vocabulary of `name` into a fresh directory.
std::string CopyVocab(const std::string& name, const std::string& file) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  fs::path dir = fs::path(tmp ? tmp : "/tmp") / ("compiled_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(fs::path(testing::VocabDir()) / name / file, dir / file);
  return (dir / file).string();
}

TokenizerSpec SpecOf(const std::string& name) {
  StatusOr<std::vector<TokenizerSpec>> specs =
      LoadTokenizerSpecs(testing::RunfilePath("data/tokenizers.json"));
  REQUIRE(specs.ok());
  const TokenizerSpec* spec = FindTokenizerSpec(*specs, name);
  REQUIRE(spec != nullptr);
  return *spec;
}

std::vector<std::vector<uint32_t>> EncodeAll(const TokenizerSpec& spec, const std::string& path) {
  StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizerFromFile(spec, path);
  REQUIRE(tok.ok());
  std::vector<std::vector<uint32_t>> out;
  for (const char* text : kTexts) {
    for (bool special : {false, true}) {
      TokenizeOptions options;
      options.allow_special = special;
      StatusOr<std::vector<uint32_t>> ids = (*tok)->Encode(text, options);
      REQUIRE(ids.ok());
      StatusOr<size_t> count = (*tok)->Count(text, options);
      REQUIRE(count.ok());
      CHECK(*count == ids->size());
      out.push_back(*ids);
    }
  }
  return out;
}

// Overwrites the source with same-size garbage and puts its mtime back:
// from then on only the compiled file can answer.
void GarbleKeepingStat(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << std::string(static_cast<size_t>(st.st_size), '#');
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

void CheckCompiledForm(const std::string& name, const std::string& file) {
  const TokenizerSpec spec = SpecOf(name);
  const std::string path = CopyVocab(name, file);
  const std::string idx = path + ".tokcost-idx";
  const auto from_source = EncodeAll(spec, path);
  REQUIRE(fs::exists(idx));
  CHECK(EncodeAll(spec, path) == from_source);

  SECTION("a damaged compiled file is rebuilt from the source") {
    fs::resize_file(idx, fs::file_size(idx) / 2);
    CHECK(EncodeAll(spec, path) == from_source);
    CHECK(fs::file_size(idx) > 0);
    const std::string saved = ReadFile(idx).value();
    GarbleKeepingStat(path);
    CHECK(EncodeAll(spec, path) == from_source);  // served by the rebuilt file
    CHECK(ReadFile(idx).value() == saved);
  }
  SECTION("a damaged merge table is rebuilt from the source") {
    std::string bytes = ReadFile(idx).value();
    const size_t at = bytes.find("TKCPAIR1");
    if (name == "o200k_base") {
      CHECK(at == std::string::npos);  // tiktoken: ranks are token ids, no merge table
      return;
    }
    REQUIRE(at != std::string::npos);
    bytes[at] = 'X';
    REQUIRE(WriteFile(idx, {bytes}).ok());
    CHECK(EncodeAll(spec, path) == from_source);
    CHECK(ReadFile(idx).value().find("TKCPAIR1") != std::string::npos);  // written again
  }
  SECTION("a changed source is read again, not the stale compiled file") {
    GarbleKeepingStat(path);
    CHECK(EncodeAll(spec, path) == from_source);  // compiled file still valid
    {
      std::ofstream touch(path, std::ios::app);  // a new size
      touch << " ";
    }
    StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizerFromFile(spec, path);
    CHECK_FALSE(tok.ok());  // the garbage itself is parsed, and refused
  }
}

TEST_CASE("tokenizer.json compiled form") { CheckCompiledForm("qwen3", "tokenizer.json"); }

TEST_CASE("tiktoken compiled form") { CheckCompiledForm("o200k_base", "o200k_base.tiktoken"); }

}  // namespace
}  // namespace tokcost
