// Renders a cost comparison as HTML (self-contained, SVG charts), Markdown
// (for a pull-request comment, with the change against a baseline), CSV
// and JSON. The JSON form is also the baseline format.
#ifndef TOKCOST_TOOLS_CLI_REPORT_RENDER_H_
#define TOKCOST_TOOLS_CLI_REPORT_RENDER_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tools/cli/workload_cost.h"

namespace tokcost::cli {

inline constexpr const char* kTokcostVersion = "0.4.0";

// The report as data: what every format renders.
nlohmann::json ReportJson(const WorkloadSummary& summary, const WorkloadOptions& options,
                          const std::vector<std::string>& inputs);

std::string RenderHtml(const nlohmann::json& report);
std::string RenderMarkdown(const nlohmann::json& report,
                           const std::optional<nlohmann::json>& baseline);
// Columns (stable): model,mode,status,requests,input_tokens,output_tokens,
// units,cost,cost_low,cost_high,currency,vat_included,ratio_to_cheapest,
// method,effective_from,price_sheet
std::string RenderCsv(const nlohmann::json& report);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_REPORT_RENDER_H_
