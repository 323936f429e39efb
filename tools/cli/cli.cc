#include "tools/cli/cli.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <map>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {

int Main(const std::vector<std::string>& args, Io io) {
  CLI::App app("tokcost: what an LLM workload will cost, before you run it.",
               "tokcost");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 over budget (check), 2 usage or input error,\n"
      "3 cannot count or price (missing vocabulary, price or endpoint), 4 internal.\n"
      "Run `tokcost COMMAND --help` for a command's flags and an example.");
  app.fallthrough();  // global flags may follow the subcommand
  std::string data_dir, vocab_dir;
  std::vector<std::string> price_files;
  bool prices_replace = false;
  app.add_option("--prices", price_files,
                 "Price sheet (JSON) merged over data/prices; repeatable");
  app.add_flag("--prices-replace", prices_replace, "Use only the --prices sheets");
  std::string endpoint, cache_dir;
  bool offline = false, refresh = false;
  double rate_limit = 0;
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress line on stderr");
  app.add_option("--endpoint", endpoint,
                 "Tokenize API base URL (default $TOKCOST_ENDPOINT, else the real host)");
  app.add_flag("--offline", offline, "No network: cached endpoint counts only");
  app.add_flag("--refresh", refresh, "Fetch endpoint counts again, replacing cached ones");
  app.add_option("--cache-dir", cache_dir, "Token cache (default $TOKCOST_CACHE_DIR or ~/.cache/tokcost)");
  app.add_option("--rate-limit", rate_limit, "Tokenize requests per second (default 50, the quota)");
  app.add_option("--data-dir", data_dir, "Catalog and price data (default: $TOKCOST_DATA_DIR)");
  app.add_option("--vocab-dir", vocab_dir,
                 "Fetched vocabularies (default: $TOKCOST_VOCAB_DIR or ~/.cache/tokcost/vocab)");
  std::map<CLI::App*, Runner> runners;
  auto add = [&](Runner (*reg)(CLI::App*)) {
    size_t before = app.get_subcommands({}).size();
    Runner r = reg(&app);
    runners[app.get_subcommands({})[before]] = std::move(r);
  };
  add(&RegisterCount);
  add(&RegisterEstimate);
  add(&RegisterCompare);
  add(&RegisterCheck);
  add(&RegisterReport);
  add(&RegisterModels);
  add(&RegisterPrices);
  add(&RegisterCalibrate);
  add(&RegisterCache);
  add(&RegisterTokenizers);

  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    io.out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    io.out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // Subcommand help arrives as CallForHelp from the subcommand.
    if (e.get_exit_code() == 0) {
      for (CLI::App* sub : app.get_subcommands()) io.out << sub->help();
      if (app.get_subcommands().empty()) io.out << app.help();
      return kExitOk;
    }
    io.err << "tokcost: " << e.what() << "\nRun `tokcost --help` for usage.\n";
    return kExitUsage;
  }
  Context ctx = MakeContext(io, data_dir, vocab_dir);
  ctx.price_files = price_files;
  ctx.prices_replace = prices_replace;
  if (!endpoint.empty()) {
    ctx.endpoint.config.base_url = endpoint;
    ctx.endpoint.explicit_endpoint = true;
  }
  if (!cache_dir.empty()) ctx.endpoint.cache_dir = cache_dir;
  if (rate_limit > 0) ctx.endpoint.config.requests_per_second = rate_limit;
  ctx.endpoint.offline = offline;
  ctx.quiet = quiet;
  ctx.endpoint.refresh = refresh;
  // Loaders turn malformed input into errors; an exception that still gets
  // here is a bug, reported as one (exit 4) instead of an abort.
  try {
    for (CLI::App* sub : app.get_subcommands()) return runners[sub](ctx);
  } catch (const std::exception& e) {
    io.err << "tokcost: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitUsage;
}

}  // namespace tokcost::cli
