#include "tools/cli/context.h"

#include <unistd.h>

#include <climits>
#include <iostream>

#include "tokenizer/token_cache.h"
#include "tools/base/file_util.h"

namespace tokcost::cli {
namespace {

std::string SelfExe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Context MakeContext(Io io, const std::string& data_dir_flag,
                    const std::string& vocab_dir_flag) {
  Context ctx(io);
  ctx.data_dir = data_dir_flag;
  ctx.vocab_dir = vocab_dir_flag;
  if (ctx.data_dir.empty()) ctx.data_dir = io.getenv("TOKCOST_DATA_DIR");
  if (ctx.data_dir.empty()) {
    // Bazel places data/ in the binary's runfiles.
    ctx.data_dir = SelfExe() + ".runfiles/tokcost/data";
  }
  if (ctx.vocab_dir.empty()) ctx.vocab_dir = io.getenv("TOKCOST_VOCAB_DIR");
  if (ctx.vocab_dir.empty()) {
    std::string xdg = io.getenv("XDG_CACHE_HOME");
    if (xdg.empty()) xdg = JoinPath(io.getenv("HOME"), ".cache");
    ctx.vocab_dir = JoinPath(xdg, "tokcost/vocab");
  }
  ctx.endpoint.config = EndpointConfig::FromEnvironment(io.getenv);
  ctx.endpoint.explicit_endpoint = !io.getenv("TOKCOST_ENDPOINT").empty();
  ctx.endpoint.cache_dir = TokenCache::DefaultDir(io.getenv("TOKCOST_CACHE_DIR"),
                                                  io.getenv("XDG_CACHE_HOME"), io.getenv("HOME"));
  return ctx;
}

StatusOr<std::vector<TokenizerSpec>> Context::TokenizerSpecs() const {
  return LoadTokenizerSpecs(JoinPath(data_dir, "tokenizers.json"));
}

StatusOr<std::unique_ptr<Tokenizer>> Context::LoadTokenizerByName(
    const std::string& name) const {
  TOKCOST_ASSIGN_OR_RETURN(std::vector<TokenizerSpec> specs, TokenizerSpecs());
  const TokenizerSpec* spec = FindTokenizerSpec(specs, name);
  if (spec == nullptr) {
    std::string known;
    for (const TokenizerSpec& s : specs) known += (known.empty() ? "" : ", ") + s.name;
    return NotFoundError("unknown tokenizer '" + name + "' (known: " + known + ")");
  }
  return LoadTokenizer(*spec, vocab_dir);
}

StatusOr<const Catalog*> Context::Models() const {
  if (!catalog_) {
    TOKCOST_ASSIGN_OR_RETURN(Catalog c, Catalog::Load(JoinPath(data_dir, "models.json")));
    catalog_ = std::make_shared<Catalog>(std::move(c));
  }
  return catalog_.get();
}

StatusOr<const PriceBook*> Context::Prices() const {
  if (!prices_) {
    PriceBook book;
    if (!prices_replace) {
      TOKCOST_ASSIGN_OR_RETURN(book, PriceBook::LoadDirectory(JoinPath(data_dir, "prices")));
    }
    for (const std::string& f : price_files) {
      TOKCOST_ASSIGN_OR_RETURN(PriceBook extra, PriceBook::LoadFile(f));
      book.Merge(std::move(extra));
    }
    prices_ = std::make_shared<PriceBook>(std::move(book));
  }
  return prices_.get();
}

void Context::Error(const std::string& message) const {
  io.err << "tokcost: " << message << "\n";
}

StatusOr<Input> ReadInput(const Context& ctx, const std::string& name) {
  if (name == "-") {
    TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadStream(ctx.io.in, "-"));
    return Input{name, std::move(text)};
  }
  TOKCOST_ASSIGN_OR_RETURN(std::string text, ReadFile(name));
  return Input{name, std::move(text)};
}

}  // namespace tokcost::cli
