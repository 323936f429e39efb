// Helpers shared by the tests: runfile paths and the fetched vocabularies.
#ifndef TOKCOST_TESTS_TEST_UTIL_H_
#define TOKCOST_TESTS_TEST_UTIL_H_

#include <random>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace tokcost::testing {

// Absolute path of a file of this repository in the test's runfiles.
std::string RunfilePath(const std::string& repo_relative);

// `name` in the test's temporary directory ($TEST_TMPDIR, else /tmp).
std::string TempPath(const std::string& name);

// Writes `contents` to TempPath(name) and returns that path.
std::string WriteTempFile(const std::string& name, const std::string& contents);

// TOKCOST_VOCAB_DIR, which tools/test passes with --test_env. Fails the
// test (rather than skipping it) when unset: a missing vocabulary is a
// setup bug, not a reason to pass.
std::string VocabDir();

// Loads a tokenizer by name once per process; fails the test on error.
const Tokenizer& GetTokenizer(const std::string& name);

// The names in data/tokenizers.json, in order.
std::vector<std::string> TokenizerNames();

// A word of letters drawn from `alphabet`, of up to max_bytes bytes (its
// length drawn first, so some words are empty).
std::string RandomWord(std::mt19937& rng, const std::vector<std::string>& alphabet,
                       size_t max_bytes);

}  // namespace tokcost::testing

#endif  // TOKCOST_TESTS_TEST_UTIL_H_
