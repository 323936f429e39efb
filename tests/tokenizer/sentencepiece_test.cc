// A user-supplied SentencePiece model (--tokenizer-file) counts as the
// reference `spm_encode` does. The model is trained here with `spm_train`
// (Debian's sentencepiece package) on text of this repository, so no model
// file is committed.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/file_util.h"

namespace tokcost {
namespace {

TEST_CASE("SentencePiece models count as spm_encode does") {
  const char* tmp_env = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp_env ? tmp_env : "/tmp";
  // Training text: the golden corpus, one text per line.
  StatusOr<std::string> corpus_text = ReadFile(testing::RunfilePath("tests/golden/corpus.json"));
  REQUIRE(corpus_text.ok());
  nlohmann::json corpus = nlohmann::json::parse(*corpus_text);
  std::vector<std::string> lines;
  for (const auto& c : corpus["cases"]) {
    std::string t = c["text"];
    for (char& ch : t) {
      if (ch == '\n' || ch == '\r') ch = ' ';
    }
    if (!t.empty()) lines.push_back(t);
  }
  {
    std::ofstream train(dir + "/train.txt");
    for (int rep = 0; rep < 20; ++rep) {
      for (const std::string& l : lines) train << l << "\n";
    }
    std::ofstream probe(dir + "/probe.txt");
    for (const std::string& l : lines) probe << l << "\n";
  }
  testing::ProcessResult trained = testing::RunProcess(
      {"/usr/bin/spm_train", "--input=" + dir + "/train.txt", "--model_prefix=" + dir + "/tiny",
       "--vocab_size=800", "--model_type=bpe", "--byte_fallback=true", "--character_coverage=1.0",
       "--minloglevel=2"});
  INFO(trained.err.substr(0, 500));
  REQUIRE(trained.exit_code == 0);
  testing::ProcessResult encoded = testing::RunProcess(
      {"/bin/sh", "-c", "/usr/bin/spm_encode --model=" + dir + "/tiny.model --output_format=id < " + dir +
                            "/probe.txt"});
  REQUIRE(encoded.exit_code == 0);

  TokenizerSpec spec;
  spec.name = "tiny";
  spec.format = "sentencepiece";
  StatusOr<std::unique_ptr<Tokenizer>> tok = LoadTokenizerFromFile(spec, dir + "/tiny.model");
  REQUIRE(tok.ok());
  std::istringstream out(encoded.out);
  std::string line;
  size_t i = 0;
  while (std::getline(out, line) && i < lines.size()) {
    std::istringstream ids(line);
    std::vector<uint32_t> want;
    for (uint32_t id; ids >> id;) want.push_back(id);
    INFO("line " << i << ": " << lines[i].substr(0, 60));
    CHECK((*tok)->Encode(lines[i]).value() == want);
    CHECK((*tok)->Count(lines[i]).value() == want.size());
    ++i;
  }
  CHECK(i == lines.size());
  // Streamed and in parallel (what `count` does): it has no pipeline and
  // so no cut points, and is counted whole.
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  const size_t whole = (*tok)->Count(text).value();
  std::istringstream stream(text);
  CHECK((*tok)->CountStream(stream, 2, 1 << 10).value() == whole);
  CHECK((*tok)->CountParallel(text, 2).value() == whole);
  // Its pieces are not mapped back to bytes: no lexicon for calibrate.
  CHECK_FALSE((*tok)->HasTokenLengths());
  CHECK_FALSE((*tok)->TokenLengths("hello").ok());
}

TEST_CASE("A file that is not a SentencePiece model is a clear error") {
  TokenizerSpec spec;
  spec.name = "bad";
  spec.format = "sentencepiece";
  StatusOr<std::unique_ptr<Tokenizer>> tok =
      LoadTokenizerFromFile(spec, testing::RunfilePath("tests/golden/corpus.json"));
  REQUIRE_FALSE(tok.ok());
  CHECK_THAT(tok.status().message(), Catch::Contains("not a SentencePiece model"));
}

}  // namespace
}  // namespace tokcost
