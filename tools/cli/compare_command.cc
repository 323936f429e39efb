// tokcost compare --models A,B --modes sync,async,batch --currency C [--json] FILE...
#include "tools/cli/commands.h"
#include "tools/cli/cost_output.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/pricing_flags.h"
#include "tools/cli/report_render.h"

namespace tokcost::cli {
namespace {

struct CompareFlags {
  std::string models;
  std::string modes = "sync,async,batch";
  PricingFlags pricing;
};

int RunCompare(const CompareFlags& f, const Context& ctx) {
  auto fail = [&](const Status& st) {
    ctx.Error("compare: " + st.message());
    return ExitCodeFor(st);
  };
  StatusOr<WorkloadOptions> options = ToWorkloadOptions(f.pricing);
  if (!options.ok()) return fail(options.status());
  const bool all_models = f.models.empty();
  std::vector<std::string> left_out;
  StatusOr<std::vector<const ModelInfo*>> models = ComparedModels(ctx, f.models, &left_out);
  if (!models.ok()) return fail(models.status());
  StatusOr<std::vector<Mode>> modes = ParseModes(f.modes);
  if (!modes.ok()) return fail(modes.status());
  if (f.pricing.inputs.empty()) return fail(InvalidArgumentError("give workload files (or - for stdin)"));
  StatusOr<WorkloadSummary> s = CostWorkload(ctx, f.pricing.inputs, *models, *modes, *options);
  if (!s.ok()) return fail(s.status());

  Decimal cheapest;
  bool any = false;
  int errors = 0;
  for (const CostRow& r : s->rows) {
    if (r.state == CostRow::State::kOk && !any) cheapest = r.result.cost, any = true;
    errors += r.state == CostRow::State::kError;
  }
  const std::string& cur = options->currency;
  if (f.pricing.json) {
    // The same document as `report --format json`.
    nlohmann::json j = ReportJson(*s, *options, f.pricing.inputs);
    if (s->skipped_lines) j["skipped_lines"] = s->skipped_lines;
    ctx.io.out << j.dump() << "\n";
  } else {
    std::vector<std::vector<std::string>> table = {
        {"model", "mode", "requests", "input", "output", "units", "cost " + cur, "vs cheapest", "counted"}};
    int hidden = 0;
    for (const CostRow& r : s->rows) {
      if (all_models && r.state == CostRow::State::kNotOffered) {
        ++hidden;  // listing every model's missing modes would drown the table
        continue;
      }
      if (r.state == CostRow::State::kOk) {
        const CostResult& c = r.result;
        table.push_back({r.model->id, ModeName(r.mode), std::to_string(c.requests),
                         std::to_string(c.input_tokens), std::to_string(c.output_tokens),
                         std::to_string(c.units),
                         c.cost.ToFixed(4) + (c.minimum_applied ? "*" : "") +
                             (r.has_interval ? " [" + r.low.cost.ToFixed(4) + ".." +
                                                   r.high.cost.ToFixed(4) + "]"
                                             : ""),
                         Ratio(c.cost, cheapest), r.method});
      } else {
        table.push_back({r.model->id, ModeName(r.mode), "", "", "", "",
                         r.state == CostRow::State::kNotOffered ? "not offered" : "error", "", ""});
      }
    }
    ctx.io.out << FormatTable(table);
    bool minimum = false, vat = false;
    for (const CostRow& r : s->rows) {
      if (r.state != CostRow::State::kOk) continue;
      minimum |= r.result.minimum_applied;
      vat = r.price->sheet.vat_included;
    }
    ctx.io.out << s->requests << " requests; output tokens from " << s->output_source << "; prices on "
               << options->date << (vat ? " incl. VAT" : " excl. VAT")
               << (minimum ? "; * batch run minimum applied" : "") << "\n";
    if (hidden) ctx.io.out << hidden << " model/mode pairs not offered are not shown (name --models to see them)\n";
    if (!left_out.empty()) {
      std::string names;
      for (const std::string& n : left_out) names += (names.empty() ? "" : ", ") + n;
      ctx.io.out << "not compared (no public tokenizer; set YC_API_KEY and YC_FOLDER_ID or "
                    "--endpoint to count them): "
                 << names << "\n";
    }
    for (const CostRow& r : s->rows) {
      if (r.state == CostRow::State::kError) {
        ctx.Error("compare: " + r.model->id + " " + ModeName(r.mode) + ": " + r.error.message());
      }
    }
  }
  return errors ? kExitCannotCount : kExitOk;
}

}  // namespace

Runner RegisterCompare(CLI::App* app) {
  auto f = std::make_shared<CompareFlags>();
  CLI::App* cmd = app->add_subcommand("compare", "Compare the cost of a workload across models and modes");
  cmd->footer(
      "One row per model and mode, cheapest first; \"not offered\" where the provider has no such\n"
      "mode; rows that cannot be counted or priced say why (exit 3).\n\n"
      "Example:\n"
      "  tools/tokcost compare --models qwen3-235b-a22b,gpt-oss-120b,gemma-3-27b-it \\\n"
      "      --modes sync,batch --currency RUB data/examples/support_chats.jsonl");
  cmd->add_option("--models", f->models, "Comma-separated model ids (default: all)");
  cmd->add_option("--modes", f->modes, "Comma-separated modes (default: sync,async,batch)");
  AddPricingFlags(cmd, &f->pricing);
  return [f](const Context& ctx) { return RunCompare(*f, ctx); };
}

}  // namespace tokcost::cli
