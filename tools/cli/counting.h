// How input tokens of a request are counted for a model. Today: an exact
// local tokenizer with the model's chat template. Counters are shared by
// models with the same tokenizer and template, so a request is tokenized
// once per distinct counter, not once per model.
#ifndef TOKCOST_TOOLS_CLI_COUNTING_H_
#define TOKCOST_TOOLS_CLI_COUNTING_H_

#include <map>
#include <memory>
#include <string>

#include "pricing/catalog.h"
#include "pricing/workload.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tools/cli/context.h"

namespace tokcost::cli {

class InputCounter {
 public:
  virtual ~InputCounter() = default;
  virtual StatusOr<int64_t> Count(const Request& request) = 0;
  // "exact" (local tokenizer), later "endpoint", "cache", "approx".
  virtual std::string method() const = 0;
};

// Creates and caches counters; not thread-safe.
class CounterFactory {
 public:
  explicit CounterFactory(const Context& ctx) : ctx_(ctx) {}
  // An error says why the model cannot be counted (for example a
  // proprietary model with no counting method yet).
  StatusOr<InputCounter*> ForModel(const ModelInfo& model);

 private:
  const Context& ctx_;
  std::map<std::string, std::unique_ptr<Tokenizer>> tokenizers_;
  std::map<std::string, std::unique_ptr<InputCounter>> counters_;
  std::unique_ptr<ChatTemplates> templates_;
};

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_COUNTING_H_
