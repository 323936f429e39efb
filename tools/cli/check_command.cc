// tokcost check --budget AMOUNT --currency C --model ID --mode M FILE...
// Exit 0 within budget, 1 over, 2 usage or input error, 3 cannot count or price.
#include "tools/cli/commands.h"
#include "tools/cli/cost_output.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/pricing_flags.h"

namespace tokcost::cli {
namespace {

struct CheckFlags {
  std::string budget;
  std::string model;
  std::string mode = "sync";
  PricingFlags pricing;
};

int RunCheck(const CheckFlags& f, const Context& ctx) {
  auto fail = [&](const Status& st) {
    ctx.Error("check: " + st.message());
    return ExitCodeFor(st);
  };
  StatusOr<Decimal> budget = Decimal::Parse(f.budget);
  if (!budget.ok() || budget->is_negative()) {
    return fail(InvalidArgumentError("--budget: expected an amount such as 25.50, got \"" + f.budget + "\""));
  }
  StatusOr<WorkloadOptions> options = ToWorkloadOptions(f.pricing);
  if (!options.ok()) return fail(options.status());
  StatusOr<std::vector<const ModelInfo*>> models = ResolveModels(ctx, f.model);
  if (!models.ok()) return fail(models.status());
  if (models->size() != 1) return fail(InvalidArgumentError("--model takes one model"));
  StatusOr<Mode> mode = ParseMode(f.mode);
  if (!mode.ok()) return fail(mode.status());
  if (f.pricing.inputs.empty()) return fail(InvalidArgumentError("give workload files (or - for stdin)"));
  StatusOr<WorkloadSummary> s = CostWorkload(ctx, f.pricing.inputs, *models, {*mode}, *options);
  if (!s.ok()) return fail(s.status());
  const CostRow& row = s->rows[0];
  if (row.state == CostRow::State::kNotOffered) {
    return fail(FailedPreconditionError(row.model->id + " is not offered in " + f.mode + " mode"));
  }
  if (row.state == CostRow::State::kError) return fail(row.error);
  // An approximate count errs towards "over budget": its high bound decides.
  const CostResult& judged = row.has_interval ? row.high : row.result;
  const bool within = judged.cost <= *budget;
  const std::string& cur = options->currency;
  if (f.pricing.json) {
    nlohmann::json j = RowJson(row, cur);
    j["budget"] = budget->ToString();
    j["within_budget"] = within;
    j["date"] = options->date;
    j["output_tokens_from"] = s->output_source;
    ctx.io.out << j.dump() << "\n";
  } else {
    const CostResult& r = row.result;
    ctx.io.out << (within ? "within budget: " : "OVER BUDGET: ") << judged.cost.ToString()
               << (row.has_interval ? " (high bound of " + row.low.cost.ToString() + ".." +
                                          judged.cost.ToString() + ")"
                                    : "")
               << " "
               << cur << (within ? " <= " : " > ") << budget->ToString() << " " << cur << " ("
               << row.model->id << " " << f.mode << ", " << r.requests << " requests, "
               << r.input_tokens << " input + " << r.output_tokens << " output tokens, output from "
               << s->output_source << ", counted " << row.method << "; prices effective "
               << row.price->sheet.effective_from
               << (row.price->sheet.vat_included ? ", incl. VAT" : ", excl. VAT") << ")\n";
  }
  return within ? kExitOk : kExitOverBudget;
}

}  // namespace

Runner RegisterCheck(CLI::App* app) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* cmd = app->add_subcommand("check", "Pre-flight budget check for scripts and CI");
  cmd->footer(
      "Conservative: output tokens default to each request's maxTokens (the upper bound).\n"
      "Exit 0 within budget, 1 over budget, 2 usage or input error, 3 cannot count or price.\n\n"
      "Example:\n"
      "  tools/tokcost check --budget 50 --currency RUB --model qwen3-235b-a22b --mode sync \\\n"
      "      data/examples/support_chats.jsonl || echo 'too expensive'");
  cmd->add_option("--budget", f->budget, "Budget in the chosen currency, e.g. 25.50")->required();
  cmd->add_option("--model", f->model, "Model id, alias or gpt:// URI")->required();
  cmd->add_option("--mode", f->mode, "sync (default), async or batch");
  AddPricingFlags(cmd, &f->pricing);
  return [f](const Context& ctx) { return RunCheck(*f, ctx); };
}

}  // namespace tokcost::cli
