// tokcost estimate --model ID --mode M --currency C [--json]
//                  (FILE... | --input-tokens N --output-tokens M [--requests K])
#include "tools/cli/commands.h"
#include "tools/cli/cost_output.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/pricing_flags.h"

namespace tokcost::cli {
namespace {

struct EstimateFlags {
  std::string model;
  std::string mode = "sync";
  int64_t input_tokens = 0;
  int64_t requests = 1;
  CLI::Option* input_tokens_option = nullptr;
  PricingFlags pricing;
};

// Costs given token counts without reading a workload: any model can be
// priced this way, including those tokcost cannot count locally.
StatusOr<CostRow> EstimateTokens(const Context& ctx, const EstimateFlags& f,
                                 const ModelInfo* model, Mode mode,
                                 const WorkloadOptions& options) {
  CostRow row;
  row.model = model;
  row.mode = mode;
  row.method = "given";
  if (!model->Offers(ModeName(mode))) {
    return FailedPreconditionError(model->id + " is not offered in " + ModeName(mode) + " mode");
  }
  if (!options.output.tokens && !options.output.ratio) {
    return InvalidArgumentError("--input-tokens needs --output-tokens or --output-ratio");
  }
  // Bounded before the output is derived from it (--output-ratio).
  if (f.input_tokens < 0 || f.input_tokens > kMaxRequestTokens || f.requests < 1) {
    return InvalidArgumentError("--input-tokens must be 0 to " + std::to_string(kMaxRequestTokens) +
                                " and --requests at least 1");
  }
  TOKCOST_ASSIGN_OR_RETURN(const PriceBook* book, ctx.Prices());
  TOKCOST_ASSIGN_OR_RETURN(Price price, book->Lookup(model->id, mode, options.currency, options.date));
  CostAccumulator acc(price);
  int64_t out = options.output.tokens ? *options.output.tokens
                                      : options.output.ratio->MulInt(f.input_tokens).Ceil();
  TOKCOST_RETURN_IF_ERROR(acc.Add({f.input_tokens, out}, f.requests));
  row.price = price;
  TOKCOST_ASSIGN_OR_RETURN(row.result, acc.Result());
  return row;
}

int RunEstimate(const EstimateFlags& f, const Context& ctx) {
  auto fail = [&](const Status& st) {
    ctx.Error("estimate: " + st.message());
    return ExitCodeFor(st);
  };
  StatusOr<WorkloadOptions> options = ToWorkloadOptions(f.pricing);
  if (!options.ok()) return fail(options.status());
  StatusOr<std::vector<const ModelInfo*>> models = ResolveModels(ctx, f.model);
  if (!models.ok()) return fail(models.status());
  if (models->size() != 1) return fail(InvalidArgumentError("--model takes one model; use compare for several"));
  StatusOr<Mode> mode = ParseMode(f.mode);
  if (!mode.ok()) return fail(mode.status());

  CostRow row;
  int64_t skipped = 0;
  if (f.input_tokens_option->count() > 0) {
    if (!f.pricing.inputs.empty()) return fail(InvalidArgumentError("give files or --input-tokens, not both"));
    StatusOr<CostRow> r = EstimateTokens(ctx, f, (*models)[0], *mode, *options);
    if (!r.ok()) return fail(r.status());
    row = *r;
  } else {
    if (f.pricing.inputs.empty()) {
      return fail(InvalidArgumentError("give workload files (or - for stdin), or --input-tokens N"));
    }
    StatusOr<WorkloadSummary> s = CostWorkload(ctx, f.pricing.inputs, *models, {*mode}, *options);
    if (!s.ok()) return fail(s.status());
    row = s->rows[0];
    skipped = s->skipped_lines;
    if (row.state == CostRow::State::kNotOffered) {
      return fail(FailedPreconditionError(row.model->id + " is not offered in " + f.mode + " mode"));
    }
    if (row.state == CostRow::State::kError) return fail(row.error);
  }
  if (f.pricing.json) {
    nlohmann::json j = RowJson(row, options->currency);
    j["date"] = options->date;
    if (skipped) j["skipped_lines"] = skipped;
    ctx.io.out << j.dump() << "\n";
  } else {
    const CostResult& r = row.result;
    ctx.io.out << row.model->id << " " << f.mode << ": " << r.requests << " request"
               << (r.requests == 1 ? "" : "s") << ", " << r.input_tokens << " input + "
               << r.output_tokens << " output tokens (" << row.method << ") = " << r.units
               << " units = " << CostText(row, options->currency) << "\n"
               << "  prices: " << row.price->sheet.path << ", effective "
               << row.price->sheet.effective_from << (r.minimum_applied ? "; batch minimum applied" : "")
               << "\n";
  }
  return kExitOk;
}

}  // namespace

Runner RegisterEstimate(CLI::App* app) {
  auto f = std::make_shared<EstimateFlags>();
  CLI::App* cmd = app->add_subcommand("estimate", "Cost of a workload on one model and mode");
  cmd->footer(
      "Examples:\n"
      "  tools/tokcost estimate --model qwen3-235b-a22b --mode sync --currency RUB \\\n"
      "      data/examples/support_chats.jsonl\n"
      "  tools/tokcost estimate --model yandexgpt-lite --mode sync --currency RUB \\\n"
      "      --input-tokens 225 --output-tokens 525 --json");
  cmd->add_option("--model", f->model, "Model id, alias or gpt:// URI (see `tokcost models`)")->required();
  cmd->add_option("--mode", f->mode, "sync (default), async or batch");
  f->input_tokens_option =
      cmd->add_option("--input-tokens", f->input_tokens, "Input tokens per request, instead of files");
  cmd->add_option("--requests", f->requests, "Number of requests with --input-tokens (default 1)");
  AddPricingFlags(cmd, &f->pricing);
  return [f](const Context& ctx) { return RunEstimate(*f, ctx); };
}

}  // namespace tokcost::cli
