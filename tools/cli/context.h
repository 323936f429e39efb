// What every command needs: where data and vocabularies live, and the I/O.
#ifndef TOKCOST_TOOLS_CLI_CONTEXT_H_
#define TOKCOST_TOOLS_CLI_CONTEXT_H_

#include <memory>
#include <string>
#include <vector>

#include "pricing/catalog.h"
#include "pricing/price_book.h"
#include "tokenizer/endpoint_client.h"
#include "tokenizer/tokenizer.h"
#include "tools/base/status.h"
#include "tools/cli/cli.h"

namespace tokcost::cli {

// How proprietary models are counted through the tokenize endpoint.
struct EndpointSettings {
  EndpointConfig config;           // from the environment and --endpoint
  bool explicit_endpoint = false;  // --endpoint or TOKCOST_ENDPOINT given
  bool offline = false;            // --offline: cache only, no network
  bool refresh = false;            // --refresh: ignore cached counts
  std::string cache_dir;           // --cache-dir, TOKCOST_CACHE_DIR, XDG
};

struct Context {
  explicit Context(Io io_in) : io(io_in) {}

  Io io;
  std::string data_dir;   // data/ of the source tree (TOKCOST_DATA_DIR)
  std::string vocab_dir;  // fetched vocabularies (TOKCOST_VOCAB_DIR)
  // --prices FILE (repeatable): sheets merged over data/prices, or used
  // alone with --prices-replace.
  std::vector<std::string> price_files;
  bool prices_replace = false;
  EndpointSettings endpoint;
  bool quiet = false;  // --quiet: no progress line

  // Loaded on first use and kept for the command's lifetime.
  StatusOr<const Catalog*> Models() const;
  StatusOr<const PriceBook*> Prices() const;

  StatusOr<std::vector<TokenizerSpec>> TokenizerSpecs() const;
  StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerByName(const std::string& name) const;
  // --tokenizer-file: a SentencePiece *.model or a Hugging Face *.json.
  StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFile(const std::string& path) const;

  // Prints "tokcost: <message>" on stderr.
  void Error(const std::string& message) const;

 private:
  mutable std::shared_ptr<Catalog> catalog_;
  mutable std::shared_ptr<PriceBook> prices_;
};

// Resolves the directories from flags (when non-empty), then the
// environment, then defaults (runfiles for data, the XDG cache for
// vocabularies).
Context MakeContext(Io io, const std::string& data_dir_flag,
                    const std::string& vocab_dir_flag);

// One input of a command: a path, or "-" for standard input.
struct Input {
  std::string name;
  std::string text;
};

// Expands directories (every file below, sorted) and glob patterns; "-"
// stays as is. A pattern that matches nothing is an error naming it.
StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs);

// A progress line on stderr for long runs, redrawn at most 10 times a
// second; silent unless stderr is a terminal and --quiet is not given.
class Progress {
 public:
  Progress(const Context& ctx, uint64_t total_bytes);
  ~Progress();
  void Update(uint64_t bytes, int64_t requests);

 private:
  const Context& ctx_;
  bool enabled_;
  uint64_t total_;
  double start_;
  double last_ = 0;
};

// Reads a path or "-" (standard input).
StatusOr<Input> ReadInput(const Context& ctx, const std::string& name);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_CONTEXT_H_
