// tokcost count --tokenizer NAME [--json] [--ids] [FILE...|-]
#include <nlohmann/json.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {
namespace {

struct CountFlags {
  std::string tokenizer;
  bool json = false;
  bool ids = false;
  bool allow_special = false;
  std::string invalid_utf8 = "error";
  std::vector<std::string> inputs;
};

int RunCount(const CountFlags& flags, const Context& ctx) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      ctx.LoadTokenizerByName(flags.tokenizer);
  if (!tokenizer.ok()) {
    ctx.Error("count: " + tokenizer.status().message());
    return ExitCodeFor(tokenizer.status());
  }
  TokenizeOptions options;
  options.allow_special = flags.allow_special;
  options.invalid_utf8 =
      flags.invalid_utf8 == "replace" ? InvalidUtf8::kReplace : InvalidUtf8::kError;

  std::vector<std::string> inputs = flags.inputs;
  if (inputs.empty()) inputs.push_back("-");
  int exit_code = kExitOk;
  size_t total_tokens = 0, counted = 0;
  for (const std::string& name : inputs) {
    StatusOr<Input> input = ReadInput(ctx, name);
    Status status = input.status();
    std::vector<uint32_t> ids;
    size_t tokens = 0;
    if (status.ok()) {
      if (flags.ids) {
        StatusOr<std::vector<uint32_t>> encoded = (*tokenizer)->Encode(input->text, options);
        status = encoded.status();
        if (status.ok()) ids = std::move(*encoded), tokens = ids.size();
      } else {
        StatusOr<size_t> n = (*tokenizer)->Count(input->text, options);
        status = n.status();
        if (status.ok()) tokens = *n;
      }
    }
    if (!status.ok()) {
      // Keep going: one bad file must not lose the other counts.
      std::string msg = status.message();
      ctx.Error("count: " + (msg.rfind(name + ":", 0) == 0 ? msg : name + ": " + msg));
      exit_code = std::max(exit_code, ExitCodeFor(status));
      continue;
    }
    total_tokens += tokens;
    ++counted;
    if (flags.json) {
      nlohmann::json row = {{"input", name},
                            {"tokenizer", flags.tokenizer},
                            {"tokens", tokens},
                            {"bytes", input->text.size()},
                            {"method", "exact"}};
      if (flags.ids) row["ids"] = ids;
      ctx.io.out << row.dump() << "\n";
    } else {
      ctx.io.out << tokens << "\t" << name << "\n";
      if (flags.ids) {
        for (size_t i = 0; i < ids.size(); ++i) ctx.io.out << (i ? " " : "") << ids[i];
        ctx.io.out << "\n";
      }
    }
  }
  if (!flags.json && counted > 1) ctx.io.out << total_tokens << "\ttotal\n";
  return exit_code;
}

}  // namespace

Runner RegisterCount(CLI::App* app) {
  auto flags = std::make_shared<CountFlags>();
  CLI::App* cmd = app->add_subcommand("count", "Count tokens in files or stdin");
  cmd->footer(
      "Prints \"TOKENS<TAB>INPUT\" per input (and a total), or one JSON object\n"
      "per input with --json. Every count says how it was made (\"method\").\n\n"
      "Example:\n"
      "  tools/tokcost count --tokenizer o200k_base --json data/examples/prompts.txt\n"
      "  echo 'Привет, мир' | tools/tokcost count --tokenizer qwen3 -");
  cmd->add_option("--tokenizer", flags->tokenizer,
                  "Tokenizer name (see `tokcost tokenizers`)")
      ->required();
  cmd->add_flag("--json", flags->json, "One JSON object per input per line");
  cmd->add_flag("--ids", flags->ids, "Also print the token ids (debugging)");
  cmd->add_flag("--allow-special", flags->allow_special,
                "Match special tokens such as <|endoftext|> as single tokens "
                "(default: they count as plain text)");
  cmd->add_option("--invalid-utf8", flags->invalid_utf8,
                  "error (default: fail naming the byte offset) or replace "
                  "(each bad byte counts as U+FFFD)")
      ->check(CLI::IsMember({"error", "replace"}));
  cmd->add_option("inputs", flags->inputs, "Files to count; - or none for stdin");
  return [flags](const Context& ctx) { return RunCount(*flags, ctx); };
}

}  // namespace tokcost::cli
