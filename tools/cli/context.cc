#include "tools/cli/context.h"

#include <dirent.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

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

StatusOr<std::unique_ptr<Tokenizer>> Context::LoadTokenizerFile(const std::string& path) const {
  TokenizerSpec spec;
  size_t slash = path.rfind('/');
  spec.name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".model")) {
    spec.format = "sentencepiece";
  } else if (ends_with(".json")) {
    spec.format = "huggingface";
  } else {
    return InvalidArgumentError(path + ": --tokenizer-file takes a SentencePiece .model or a "
                                       "Hugging Face tokenizer.json");
  }
  if (!FileExists(path)) return NotFoundError(path + ": no such file");
  return LoadTokenizerFromFile(spec, path);
}

void Context::Error(const std::string& message) const {
  io.err << "tokcost: " << message << "\n";
}

StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const std::string& in : inputs) {
    struct stat st;
    if (in == "-" || (::stat(in.c_str(), &st) == 0 && S_ISREG(st.st_mode))) {
      out.push_back(in);
      continue;
    }
    if (::stat(in.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::vector<std::string> files;
      std::vector<std::string> dirs = {in};
      while (!dirs.empty()) {
        std::string dir = dirs.back();
        dirs.pop_back();
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) return NotFoundError(dir + ": cannot open directory");
        while (dirent* e = ::readdir(d)) {
          std::string name = e->d_name;
          if (name == "." || name == ".." || name[0] == '.') continue;
          std::string path = JoinPath(dir, name);
          struct stat sub;
          if (::stat(path.c_str(), &sub) != 0) continue;
          if (S_ISDIR(sub.st_mode)) dirs.push_back(path);
          else if (S_ISREG(sub.st_mode)) files.push_back(path);
        }
        ::closedir(d);
      }
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
      continue;
    }
    if (in.find_first_of("*?[") != std::string::npos) {
      glob_t g;
      int rc = ::glob(in.c_str(), 0, nullptr, &g);
      if (rc == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
      }
      ::globfree(&g);
      if (rc != 0) return NotFoundError(in + ": no file matches");
      continue;
    }
    out.push_back(in);  // a missing file: reported by whoever opens it
  }
  return out;
}

namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Progress::Progress(const Context& ctx, uint64_t total_bytes)
    : ctx_(ctx),
      enabled_(ctx.io.stderr_is_tty && !ctx.quiet),
      total_(total_bytes),
      start_(NowSeconds()) {}

Progress::~Progress() {
  if (enabled_ && last_ > 0) ctx_.io.err << "\r\033[K" << std::flush;
}

void Progress::Update(uint64_t bytes, int64_t requests) {
  if (!enabled_) return;
  double now = NowSeconds();
  if (now - last_ < 0.1) return;
  last_ = now;
  double elapsed = std::max(now - start_, 1e-3);
  double rate = bytes / elapsed / 1e6;
  char line[160];
  if (total_ > 0 && bytes <= total_) {
    double left = rate > 0 ? (total_ - bytes) / 1e6 / rate : 0;
    std::snprintf(line, sizeof(line), "%.1f/%.1f MB (%.0f%%), %lld requests, %.1f MB/s, %.0f s left",
                  bytes / 1e6, total_ / 1e6, 100.0 * bytes / total_, static_cast<long long>(requests),
                  rate, left);
  } else {
    std::snprintf(line, sizeof(line), "%.1f MB, %lld requests, %.1f MB/s", bytes / 1e6,
                  static_cast<long long>(requests), rate);
  }
  ctx_.io.err << "\r\033[K" << line << std::flush;
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
