// The subcommands. Each Register* adds its CLI11 subcommand and returns the
// function that runs it once parsing succeeded.
#ifndef TOKCOST_TOOLS_CLI_COMMANDS_H_
#define TOKCOST_TOOLS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "tools/cli/context.h"

namespace tokcost::cli {

using Runner = std::function<int(const Context&)>;

Runner RegisterCount(CLI::App* app);
Runner RegisterTokenizers(CLI::App* app);
Runner RegisterEstimate(CLI::App* app);
Runner RegisterCompare(CLI::App* app);
Runner RegisterCheck(CLI::App* app);
Runner RegisterModels(CLI::App* app);
Runner RegisterPrices(CLI::App* app);
Runner RegisterCache(CLI::App* app);
Runner RegisterCalibrate(CLI::App* app);
Runner RegisterReport(CLI::App* app);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_COMMANDS_H_
