// Flags shared by estimate, compare, check (and report): currency, date,
// workload format, output-token rule.
#ifndef TOKCOST_TOOLS_CLI_PRICING_FLAGS_H_
#define TOKCOST_TOOLS_CLI_PRICING_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "tools/cli/workload_cost.h"

namespace tokcost::cli {

struct PricingFlags {
  std::string currency = "RUB";
  std::string date;  // default: today (UTC)
  std::string format = "auto";
  bool skip_bad = false;
  bool json = false;
  int64_t output_tokens = 0;
  std::string output_ratio;
  std::string usage;
  std::string count = "auto";
  int64_t sample = 200;
  int jobs = 0;
  std::vector<std::string> inputs;
  CLI::Option* output_tokens_option = nullptr;
};

// `workload_format_flag` names the workload-format flag: "--format" on most
// commands, "--input-format" on report, whose --format is the report's.
void AddPricingFlags(CLI::App* cmd, PricingFlags* flags,
                     const std::string& workload_format_flag = "--format");

StatusOr<WorkloadOptions> ToWorkloadOptions(const PricingFlags& flags);

// Resolves comma-separated model names (empty: every model in the catalog).
StatusOr<std::vector<const ModelInfo*>> ResolveModels(const Context& ctx,
                                                      const std::string& names);
StatusOr<std::vector<Mode>> ParseModes(const std::string& names);

// The models compare and report show: the named ones, or without names
// every model tokcost can count here (models without a public tokenizer
// join once endpoint counting is configured); `left_out` gets the rest.
StatusOr<std::vector<const ModelInfo*>> ComparedModels(const Context& ctx, const std::string& names,
                                                       std::vector<std::string>* left_out);

std::vector<std::string> SplitComma(const std::string& s);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_PRICING_FLAGS_H_
