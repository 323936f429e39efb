// tokcost models [--json] and tokcost prices [--currency C] [--date D] [--json]:
// what the catalog and the price sheets hold.
#include <nlohmann/json.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/cost_output.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/pricing_flags.h"

#include "tools/base/time_util.h"

namespace tokcost::cli {

Runner RegisterModels(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app->add_subcommand("models", "List the model catalog (data/models.json)");
  cmd->footer("Example:\n  tools/tokcost models --json | grep batch");
  cmd->add_flag("--json", *json, "One JSON object per model per line");
  return [json](const Context& ctx) {
    StatusOr<const Catalog*> catalog = ctx.Models();
    if (!catalog.ok()) {
      ctx.Error("models: " + catalog.status().message());
      return ExitCodeFor(catalog.status());
    }
    std::vector<std::vector<std::string>> table = {{"id", "name", "tokenizer", "template", "modes", "context"}};
    for (const ModelInfo& m : (*catalog)->models()) {
      std::string modes;
      for (const std::string& mode : m.modes) modes += (modes.empty() ? "" : ",") + mode;
      if (*json) {
        nlohmann::json j = {{"id", m.id},           {"display_name", m.display_name},
                            {"uri_name", m.uri_name}, {"tokenizer", m.tokenizer},
                            {"chat_template", m.chat_template}, {"modes", m.modes},
                            {"aliases", m.aliases}, {"context_window", m.context_window}};
        if (!m.uri_branch.empty()) j["uri_branch"] = m.uri_branch;
        if (!m.note.empty()) j["note"] = m.note;
        ctx.io.out << j.dump() << "\n";
      } else {
        table.push_back({m.id, m.display_name, m.tokenizer, m.chat_template.empty() ? "-" : m.chat_template,
                         modes, m.context_window ? std::to_string(m.context_window) : "-"});
      }
    }
    if (!*json) ctx.io.out << FormatTable(table);
    return kExitOk;
  };
}

Runner RegisterPrices(CLI::App* app) {
  struct Flags {
    std::string currency = "RUB";
    std::string date;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app->add_subcommand("prices", "Show the prices in effect (data/prices, --prices)");
  cmd->footer("Example:\n  tools/tokcost prices --currency USD --date 2024-06-01");
  cmd->add_option("--currency", f->currency, "RUB (default) or USD");
  cmd->add_option("--date", f->date, "YYYY-MM-DD (default: today, UTC)");
  cmd->add_flag("--json", f->json, "One JSON object per model and mode per line");
  return [f](const Context& ctx) {
    std::string date = f->date.empty() ? TodayUtc() : f->date;
    StatusOr<const PriceBook*> book = ctx.Prices();
    if (!book.ok() || !IsIsoDate(date)) {
      Status st = book.ok() ? InvalidArgumentError("--date: expected YYYY-MM-DD") : book.status();
      ctx.Error("prices: " + st.message());
      return ExitCodeFor(st);
    }
    std::vector<std::vector<std::string>> table = {
        {"model", "mode", "sku", "in units/tok", "out units/tok", "per 1000 units", "in per 1000 tok",
         "out per 1000 tok", "effective"}};
    int missing = 0;
    for (const auto& [model, mode] : (*book)->PricedRows(f->currency)) {
      StatusOr<Price> p = (*book)->Lookup(model, mode, f->currency, date);
      if (!p.ok()) {
        ++missing;
        continue;
      }
      const Decimal per_in = p->input_units_per_token * p->price_per_1000_units;
      const Decimal per_out = p->output_units_per_token * p->price_per_1000_units;
      if (f->json) {
        nlohmann::json j = {{"model", model},
                            {"mode", ModeName(mode)},
                            {"currency", f->currency},
                            {"sku", p->sku},
                            {"input_units_per_token", p->input_units_per_token.ToString()},
                            {"output_units_per_token", p->output_units_per_token.ToString()},
                            {"price_per_1000_units", p->price_per_1000_units.ToString()},
                            {"input_per_1000_tokens", per_in.ToString()},
                            {"output_per_1000_tokens", per_out.ToString()},
                            {"vat_included", p->sheet.vat_included},
                            {"effective_from", p->sheet.effective_from},
                            {"sheet", p->sheet.path}};
        if (mode == Mode::kBatch) j["minimum_tokens_per_run"] = p->minimum_tokens_per_run;
        ctx.io.out << j.dump() << "\n";
      } else {
        table.push_back({model, ModeName(mode), p->sku, p->input_units_per_token.ToString(),
                         p->output_units_per_token.ToString(), p->price_per_1000_units.ToString(),
                         per_in.ToString(), per_out.ToString(), p->sheet.effective_from});
      }
    }
    if (!f->json) {
      ctx.io.out << FormatTable(table);
      ctx.io.out << f->currency << " prices in effect on " << date
                 << "; prices are data that change: see README.md, 'Prices'.\n";
      if (missing) ctx.io.out << missing << " rows have no sheet in effect on that date.\n";
    }
    return kExitOk;
  };
}

}  // namespace tokcost::cli
