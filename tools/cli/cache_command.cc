// tokcost cache stats|prune|path: the persistent token cache of endpoint
// counts (hashes and counts only, never text).
#include <nlohmann/json.hpp>

#include "tokenizer/token_cache.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace tokcost::cli {

Runner RegisterCache(CLI::App* app) {
  struct Flags {
    std::string action;
    int64_t older_than_days = 0;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app->add_subcommand("cache", "Inspect or prune the token cache of endpoint counts");
  cmd->footer(
      "stats: entries, models, stale entries (recorded under an older modelVersion), size.\n"
      "prune: deletes stale entries (and those older than --older-than-days).\n"
      "path:  prints the cache file.\n\n"
      "Example:\n  tools/tokcost cache stats --json");
  cmd->add_option("action", f->action, "stats, prune or path")
      ->required()
      ->check(CLI::IsMember({"stats", "prune", "path"}));
  // Bounded so that days x 86,400 s stays far within int64 (a 20-digit
  // value overflowed it).
  cmd->add_option("--older-than-days", f->older_than_days, "prune: also entries older than N days")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  cmd->add_flag("--json", f->json, "JSON output");
  return [f](const Context& ctx) {
    StatusOr<std::unique_ptr<TokenCache>> cache = TokenCache::Open(ctx.endpoint.cache_dir);
    if (!cache.ok()) {
      ctx.Error("cache: " + cache.status().message());
      return ExitCodeFor(cache.status());
    }
    if (f->action == "path") {
      ctx.io.out << (*cache)->path() << "\n";
      return kExitOk;
    }
    if (f->action == "prune") {
      StatusOr<int64_t> n = (*cache)->Prune(f->older_than_days * 86400);
      if (!n.ok()) {
        ctx.Error("cache: " + n.status().message());
        return ExitCodeFor(n.status());
      }
      if (f->json) ctx.io.out << nlohmann::json{{"deleted", *n}}.dump() << "\n";
      else ctx.io.out << "deleted " << *n << " entries\n";
      return kExitOk;
    }
    StatusOr<CacheStats> st = (*cache)->Stats();
    if (!st.ok()) {
      ctx.Error("cache: " + st.status().message());
      return ExitCodeFor(st.status());
    }
    if (f->json) {
      ctx.io.out << nlohmann::json{{"path", (*cache)->path()}, {"entries", st->entries},
                                   {"models", st->models}, {"stale_entries", st->stale_entries},
                                   {"file_bytes", st->file_bytes}}.dump()
                 << "\n";
    } else {
      ctx.io.out << (*cache)->path() << ": " << st->entries << " entries for " << st->models
                 << " models, " << st->stale_entries << " stale, " << st->file_bytes << " bytes\n";
    }
    return kExitOk;
  };
}

}  // namespace tokcost::cli
