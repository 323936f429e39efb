// Rendering cost rows as JSON and as terminal tables.
#ifndef TOKCOST_TOOLS_CLI_COST_OUTPUT_H_
#define TOKCOST_TOOLS_CLI_COST_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/cli/workload_cost.h"

namespace tokcost::cli {

// {"model","mode","currency","requests","input_tokens","output_tokens",
//  "units","cost","status","method","vat_included","price_sheet",...}.
nlohmann::json RowJson(const CostRow& row, const std::string& currency);

// "0.15" style cost with the sheet's VAT note, e.g. "0.15 RUB incl. VAT".
std::string CostText(const CostRow& row, const std::string& currency);

// A table with a header row; columns after the first two right-aligned.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// Ratio of a cost to the cheapest, "1.00x"; "-" when undefined.
std::string Ratio(const Decimal& cost, const Decimal& cheapest);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_COST_OUTPUT_H_
