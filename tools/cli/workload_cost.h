// Costs a workload for a set of models and modes in one streaming pass:
// each request is read once, tokenized once per distinct counter, and added
// to every (model, mode) accumulator. Memory stays bounded whatever the
// workload's size.
#ifndef TOKCOST_TOOLS_CLI_WORKLOAD_COST_H_
#define TOKCOST_TOOLS_CLI_WORKLOAD_COST_H_

#include <optional>
#include <string>
#include <vector>

#include "pricing/catalog.h"
#include "pricing/cost.h"
#include "pricing/decimal.h"
#include "pricing/price_book.h"
#include "pricing/workload.h"
#include "tools/cli/context.h"

namespace tokcost::cli {

// Where output tokens come from, in order of precedence.
struct OutputPolicy {
  std::optional<int64_t> tokens;     // --output-tokens N per request
  std::optional<Decimal> ratio;      // --output-ratio R of input tokens
  std::string usage_file;            // --usage FILE: actual usage, line by line
  bool max_tokens_fallback = true;   // completionOptions.maxTokens / max_tokens
};

// How input tokens are counted (--count).
enum class CountMode {
  kAuto,      // exact where a tokenizer is public, else endpoint
  kExact,     // exact only
  kEndpoint,  // endpoint (through the cache) for every model
  kApprox,    // the calibrated approximation, with 95% bounds
  kHybrid,    // exact/endpoint for a random sample, approximation corrected by it
};
StatusOr<CountMode> ParseCountMode(const std::string& name);

struct WorkloadOptions {
  WorkloadFormat format = WorkloadFormat::kAuto;
  CountMode count = CountMode::kAuto;
  int64_t sample = 200;      // hybrid: requests counted exactly
  int threads = 1;           // exact counting of each chunk on N threads
  uint64_t seed = 1;
  bool skip_bad = false;
  OutputPolicy output;
  std::string currency = "RUB";
  std::string date;  // YYYY-MM-DD
};

struct CostRow {
  enum class State { kOk, kNotOffered, kError };
  const ModelInfo* model = nullptr;
  Mode mode = Mode::kSync;
  State state = State::kOk;
  Status error;               // kError only
  std::optional<Price> price;
  CostResult result;
  std::string method;         // how input tokens were counted
  // Approximate counts only: the 95% interval of input tokens and costs.
  bool has_interval = false;
  CostResult low, high;
  int64_t sampled = 0;        // hybrid: requests counted exactly
};

struct WorkloadSummary {
  int64_t requests = 0;
  int64_t skipped_lines = 0;
  std::string output_source;  // "maxTokens", "--output-tokens", ...
  std::vector<CostRow> rows;  // sorted: by cost, then not offered, then errors
};

// Fails (without rows) on an input error that stops the run: a bad line
// without --skip-bad, a missing output-token rule, an unreadable file.
StatusOr<WorkloadSummary> CostWorkload(const Context& ctx,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<const ModelInfo*>& models,
                                       const std::vector<Mode>& modes,
                                       const WorkloadOptions& options);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_WORKLOAD_COST_H_
