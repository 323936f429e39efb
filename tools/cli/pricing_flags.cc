#include "tools/cli/pricing_flags.h"

#include <algorithm>
#include <thread>

#include "pricing/cost.h"
#include "tools/base/time_util.h"
#include "tools/cli/counting.h"

namespace tokcost::cli {

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string part = s.substr(start, comma - start);
    if (!part.empty()) out.push_back(part);
    start = comma + 1;
  }
  return out;
}

void AddPricingFlags(CLI::App* cmd, PricingFlags* f, const std::string& workload_format_flag) {
  cmd->add_option("--currency", f->currency, "RUB (default) or USD: a currency some price sheet has");
  cmd->add_option("--date", f->date, "Price date YYYY-MM-DD (default: today, UTC)");
  cmd->add_option(workload_format_flag, f->format,
                  "Workload format: auto (default), yandex-batch, yandex-completion, openai-chat, text")
      ->check(CLI::IsMember({"auto", "yandex-batch", "yandex-completion", "openai-chat", "text"}));
  cmd->add_flag("--skip-bad", f->skip_bad, "Report bad lines on stderr and skip them");
  cmd->add_flag("--json", f->json, "JSON output");
  f->output_tokens_option = cmd->add_option(
      "--output-tokens", f->output_tokens, "Output tokens per request (default: the request's maxTokens)");
  cmd->add_option("--output-ratio", f->output_ratio, "Output tokens as a ratio of input tokens, e.g. 0.5");
  cmd->add_option("--usage", f->usage,
                  "Results file (JSONL, line per request) with actual usage: native "
                  "usage.completionTokens or OpenAI usage.completion_tokens");
  cmd->add_option("--count", f->count,
                  "auto (exact where the tokenizer is public, else endpoint), exact, endpoint, "
                  "approx (calibrated approximation with 95% bounds), hybrid (approximation "
                  "corrected by an exact/endpoint sample)")
      ->check(CLI::IsMember({"auto", "exact", "endpoint", "approx", "hybrid"}));
  cmd->add_option("--sample", f->sample,
                  "hybrid: N requests drawn at random are counted exactly (default 200), and "
                  "any estimated at 1/N of the total or more");
  cmd->add_option("-j,--jobs", f->jobs, "Threads for exact counting (default: all cores)");
  cmd->add_option("inputs", f->inputs, "Workload files (JSONL or text); - for stdin");
}

StatusOr<WorkloadOptions> ToWorkloadOptions(const PricingFlags& f) {
  WorkloadOptions o;
  TOKCOST_ASSIGN_OR_RETURN(o.format, ParseWorkloadFormat(f.format));
  o.skip_bad = f.skip_bad;
  TOKCOST_ASSIGN_OR_RETURN(o.count, ParseCountMode(f.count));
  if (f.sample < 1) return InvalidArgumentError("--sample must be at least 1");
  o.sample = f.sample;
  o.threads = f.jobs > 0 ? f.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.currency = f.currency;
  o.date = f.date.empty() ? TodayUtc() : f.date;
  if (!IsIsoDate(o.date)) return InvalidArgumentError("--date: expected YYYY-MM-DD, got \"" + o.date + "\"");
  int rules = 0;
  if (f.output_tokens_option != nullptr && f.output_tokens_option->count() > 0) {
    if (f.output_tokens < 0 || f.output_tokens > kMaxRequestTokens) {
      return InvalidArgumentError("--output-tokens: expected 0 to " + std::to_string(kMaxRequestTokens) +
                                  " tokens per request");
    }
    o.output.tokens = f.output_tokens;
    ++rules;
  }
  if (!f.output_ratio.empty()) {
    StatusOr<Decimal> r = Decimal::Parse(f.output_ratio);
    // At most a million: times a request's input (at most kMaxRequestTokens)
    // it stays far within int64, so the output's check sees the true value.
    if (!r.ok() || r->is_negative() || r->Compare(Decimal::FromInt(1'000'000)) > 0) {
      return InvalidArgumentError("--output-ratio: expected a number from 0 to 1000000, got \"" +
                                  f.output_ratio + "\"");
    }
    o.output.ratio = *r;
    ++rules;
  }
  if (!f.usage.empty()) {
    o.output.usage_file = f.usage;
    ++rules;
  }
  if (rules > 1) {
    return InvalidArgumentError("use one of --output-tokens, --output-ratio, --usage");
  }
  return o;
}

StatusOr<std::vector<const ModelInfo*>> ResolveModels(const Context& ctx,
                                                      const std::string& names) {
  TOKCOST_ASSIGN_OR_RETURN(const Catalog* catalog, ctx.Models());
  std::vector<const ModelInfo*> out;
  if (names.empty() || names == "all") {
    for (const ModelInfo& m : catalog->models()) out.push_back(&m);
    return out;
  }
  for (const std::string& name : SplitComma(names)) {
    TOKCOST_ASSIGN_OR_RETURN(ResolvedModel r, catalog->Resolve(name));
    out.push_back(r.model);
  }
  return out;
}

StatusOr<std::vector<const ModelInfo*>> ComparedModels(const Context& ctx, const std::string& names,
                                                       std::vector<std::string>* left_out) {
  TOKCOST_ASSIGN_OR_RETURN(std::vector<const ModelInfo*> models, ResolveModels(ctx, names));
  if (!names.empty() || EndpointCountingConfigured(ctx)) return models;
  std::vector<const ModelInfo*> countable;
  for (const ModelInfo* m : models) {
    if (m->CountsThroughEndpoint()) left_out->push_back(m->id);
    else countable.push_back(m);
  }
  return countable;
}

StatusOr<std::vector<Mode>> ParseModes(const std::string& names) {
  std::vector<Mode> modes;
  for (const std::string& name : SplitComma(names)) {
    TOKCOST_ASSIGN_OR_RETURN(Mode m, ParseMode(name));
    modes.push_back(m);
  }
  if (modes.empty()) return InvalidArgumentError("no mode given (sync, async, batch)");
  return modes;
}

}  // namespace tokcost::cli
