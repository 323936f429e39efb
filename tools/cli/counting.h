// How input tokens are counted for a model: an exact local tokenizer (with
// the model's chat template for chat requests), or the provider's tokenize
// endpoint through the persistent cache. Counters are shared by models
// with the same counting setup, so a request is counted once per distinct
// counter, not once per model. Counting works on batches so that endpoint
// calls can run concurrently.
#ifndef TOKCOST_TOOLS_CLI_COUNTING_H_
#define TOKCOST_TOOLS_CLI_COUNTING_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pricing/catalog.h"
#include "pricing/workload.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/endpoint_client.h"
#include "tokenizer/token_cache.h"
#include "tokenizer/tokenizer.h"
#include "tools/cli/context.h"

namespace tokcost::cli {

struct Counted {
  StatusOr<int64_t> tokens = int64_t{0};
  std::string method;  // "exact", "endpoint" (fetched now) or "cache"
  // CountTextsWithLengths only: each token's byte length (where tokens
  // start, for a lexicon); empty when the tokens do not spell the text.
  std::vector<uint32_t> token_lengths;
};

class InputCounter {
 public:
  virtual ~InputCounter() = default;
  // Whole chat requests (template or tokenizeCompletion).
  virtual std::vector<Counted> CountRequests(const std::vector<const Request*>& requests) = 0;
  // Plain texts (tokenize); `labels` name them in errors.
  virtual std::vector<Counted> CountTexts(const std::vector<std::string_view>& texts,
                                          const std::vector<std::string>& labels) = 0;
  // Plain texts, with their token lengths (calibration). Through the
  // endpoint this reads the tokens' texts, and the cache keeps the lengths:
  // a text counted before without them is asked once more.
  virtual std::vector<Counted> CountTextsWithLengths(const std::vector<std::string_view>& texts,
                                                     const std::vector<std::string>& labels) = 0;
};

// Creates and caches counters; not thread-safe.
class CounterFactory {
 public:
  // `threads`: exact counters split each batch over this many threads.
  explicit CounterFactory(const Context& ctx, int threads = 1);
  ~CounterFactory();
  // An error says why the model cannot be counted and what would fix it.
  // `force_endpoint` counts even open models through the endpoint.
  StatusOr<InputCounter*> ForModel(const ModelInfo& model, bool force_endpoint = false);
  // The model's chat template (nullptr for endpoint models).
  StatusOr<const ChatTemplate*> TemplateFor(const ModelInfo& model);
  // The local tokenizer `name`, loaded once and owned by the factory (its
  // exact counters use the same one).
  StatusOr<const Tokenizer*> TokenizerNamed(const std::string& name);

 private:
  const Context& ctx_;
  int threads_;
  std::map<std::string, std::unique_ptr<Tokenizer>> tokenizers_;
  std::map<std::string, std::unique_ptr<InputCounter>> counters_;
  std::unique_ptr<ChatTemplates> templates_;
  std::unique_ptr<TokenCache> cache_;
  std::unique_ptr<EndpointClient> client_;
};

// Whether models without a public tokenizer can be counted: credentials,
// an explicit --endpoint, or --offline (cache only).
bool EndpointCountingConfigured(const Context& ctx);

// One line for a row's method when counts came several ways:
// "endpoint+cache" etc.
std::string CombineMethods(const std::map<std::string, int64_t>& methods);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_COUNTING_H_
