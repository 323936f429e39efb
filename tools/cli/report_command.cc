// tokcost report --models ... --modes ... --currency C --format html|md|csv|json
//                -o OUT [--baseline EARLIER.json] FILE...
#include <fstream>
#include <utility>

#include "tools/base/file_util.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/pricing_flags.h"
#include "tools/cli/report_render.h"

namespace tokcost::cli {
namespace {

struct ReportFlags {
  std::string models;
  std::string modes = "sync,async,batch";
  std::string format;
  std::string output;
  std::string baseline;
  PricingFlags pricing;
};

std::string FormatFromPath(const std::string& path) {
  for (const char* ext : {"html", "md", "csv", "json"}) {
    std::string suffix = std::string(".") + ext;
    if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return ext;
    }
  }
  return "";
}

// An earlier --format json report, checked where RenderMarkdown reads it:
// each row an object with string status, model and mode, and a string cost
// when its status is "ok".
StatusOr<nlohmann::json> LoadBaseline(const std::string& path) {
  TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("rows") || !j["rows"].is_array()) {
    return InvalidArgumentError(path + ": not a JSON report (make one with --format json)");
  }
  const nlohmann::json& rows = j["rows"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string where = path + ": $.rows[" + std::to_string(i) + "]";
    const nlohmann::json& r = rows[i];
    if (!r.is_object()) return InvalidArgumentError(where + ": expected an object");
    for (const char* key : {"status", "model", "mode"}) {
      if (!r.contains(key) || !r[key].is_string()) {
        return InvalidArgumentError(where + "." + key + ": expected a string");
      }
    }
    if (r["status"] == "ok" && (!r.contains("cost") || !r["cost"].is_string())) {
      return InvalidArgumentError(where + ".cost: expected a decimal string");
    }
  }
  return j;
}

int RunReport(const ReportFlags& f, const Context& ctx) {
  auto fail = [&](const Status& st) {
    ctx.Error("report: " + st.message());
    return ExitCodeFor(st);
  };
  std::string format = f.format.empty() ? FormatFromPath(f.output) : f.format;
  if (format.empty()) format = "md";
  StatusOr<WorkloadOptions> options = ToWorkloadOptions(f.pricing);
  if (!options.ok()) return fail(options.status());
  std::vector<std::string> left_out;
  StatusOr<std::vector<const ModelInfo*>> models = ComparedModels(ctx, f.models, &left_out);
  if (!models.ok()) return fail(models.status());
  StatusOr<std::vector<Mode>> modes = ParseModes(f.modes);
  if (!modes.ok()) return fail(modes.status());
  if (f.pricing.inputs.empty()) return fail(InvalidArgumentError("give workload files (or - for stdin)"));
  std::optional<nlohmann::json> baseline;
  if (!f.baseline.empty()) {
    StatusOr<nlohmann::json> j = LoadBaseline(f.baseline);
    if (!j.ok()) return fail(j.status());
    baseline = *std::move(j);
  }
  StatusOr<WorkloadSummary> s = CostWorkload(ctx, f.pricing.inputs, *models, *modes, *options);
  if (!s.ok()) return fail(s.status());
  if (f.models.empty()) {
    // Without named models, leave out the modes a model does not offer.
    std::vector<CostRow> rows;
    for (CostRow& r : s->rows) {
      if (r.state != CostRow::State::kNotOffered) rows.push_back(std::move(r));
    }
    s->rows = std::move(rows);
  }
  nlohmann::json report = ReportJson(*s, *options, f.pricing.inputs);
  std::string rendered = format == "html"  ? RenderHtml(report)
                         : format == "csv" ? RenderCsv(report)
                         : format == "json" ? report.dump(1) + "\n"
                                            : RenderMarkdown(report, baseline);
  if (f.output.empty() || f.output == "-") {
    ctx.io.out << rendered;
  } else {
    std::ofstream out(f.output, std::ios::binary);
    out << rendered;
    if (!out) return fail(InvalidArgumentError(f.output + ": cannot write"));
    ctx.io.err << "tokcost: wrote " << format << " report to " << f.output << "\n";
  }
  int errors = 0;
  for (const CostRow& r : s->rows) errors += r.state == CostRow::State::kError;
  return errors ? kExitCannotCount : kExitOk;
}

}  // namespace

Runner RegisterReport(CLI::App* app) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* cmd = app->add_subcommand("report", "A cost comparison to show someone: HTML, Markdown, CSV, JSON");
  cmd->footer(
      "The same numbers as compare. HTML: one self-contained file with SVG charts (cost per model\n"
      "and mode, input/output share, error bars for approximate counts), the price sheets used, date\n"
      "and version; readable printed and in dark mode. Markdown: a compact table for a pull-request\n"
      "comment, with the change against --baseline (an earlier --format json report).\n\n"
      "Examples:\n"
      "  tools/tokcost report --format html -o report.html data/examples/support_chats.jsonl\n"
      "  tools/tokcost report --format md --baseline old.json data/examples/support_chats.jsonl");
  cmd->add_option("--models", f->models, "Comma-separated model ids (default: all countable)");
  cmd->add_option("--modes", f->modes, "Comma-separated modes (default: sync,async,batch)");
  cmd->add_option("--format", f->format, "html, md, csv or json (default: from -o, else md)")
      ->check(CLI::IsMember({"html", "md", "csv", "json"}));
  cmd->add_option("-o,--output", f->output, "Output file (default: stdout)");
  cmd->add_option("--baseline", f->baseline, "Earlier JSON report to compare against (md)");
  AddPricingFlags(cmd, &f->pricing, "--input-format");
  return [f](const Context& ctx) { return RunReport(*f, ctx); };
}

}  // namespace tokcost::cli
