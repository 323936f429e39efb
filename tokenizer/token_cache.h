// A persistent cache of token counts fetched from a tokenize endpoint, so
// that a text is never sent twice.
//
//   StatusOr<std::unique_ptr<TokenCache>> cache = TokenCache::Open(dir);
//   StatusOr<CacheKey> key = CacheKey::For("yandexgpt-lite/latest", "tokenize", body);
//   if (!key.ok()) return key.status();  // libcrypto missing
//   std::optional<CachedCount> hit = (*cache)->Lookup(*key);
//   (*cache)->Store({{*key, {tokens, model_version}}});
//
// Prompts may be confidential: only SHA-256 hashes of request content are
// stored, never the text (token lengths, kept for calibration, are numbers).
// SQLite in WAL mode: several processes may share a cache; every Store is
// one transaction, so a run killed at any point leaves it consistent and a
// rerun fetches only what is missing.
//
// Staleness: each model's current modelVersion (from the newest response)
// is kept; entries recorded under another version are stale and are
// fetched again. A model whose version was last confirmed longer ago than
// the freshness window needs a probe request first (see NeedsProbe).
//
// One TokenCache per thread (SQLite connections are not shared).
#ifndef TOKCOST_TOKENIZER_TOKEN_CACHE_H_
#define TOKCOST_TOKENIZER_TOKEN_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/base/status.h"

namespace tokcost {

struct CacheKey {
  std::string model;  // URI without the folder, e.g. "yandexgpt-lite/latest"
  std::string kind;   // "tokenize" or "tokenizeCompletion"
  std::string hash;   // hex SHA-256 of the request content

  // An error when libcrypto cannot be loaded (tools/base/sha256.h).
  static StatusOr<CacheKey> For(const std::string& model, const std::string& kind,
                                const std::string& content);
};

struct CachedCount {
  int64_t tokens = 0;
  std::string model_version;
  // Where the tokens start (their byte lengths), kept only for calibration
  // documents: nullopt when not kept; empty when the endpoint's token texts
  // did not spell the text (so it is not asked again).
  std::optional<std::vector<uint32_t>> token_lengths;
};

struct CacheStats {
  int64_t entries = 0;
  int64_t models = 0;
  int64_t stale_entries = 0;
  int64_t file_bytes = 0;
};

class TokenCache {
 public:
  // Opens or creates <dir>/tokens.sqlite3.
  static StatusOr<std::unique_ptr<TokenCache>> Open(const std::string& dir);
  // TOKCOST_CACHE_DIR, else $XDG_CACHE_HOME/tokcost, else ~/.cache/tokcost.
  static std::string DefaultDir(const std::string& cache_dir_env,
                                const std::string& xdg_cache_home, const std::string& home);
  ~TokenCache();

  // A fresh hit (recorded under the model's current version), or nothing.
  // With `with_lengths`, only a hit whose token lengths were kept counts.
  std::optional<CachedCount> Lookup(const CacheKey& key, bool with_lengths = false);
  // Stores counts (and token lengths where set) and notes each
  // model_version as current for its model.
  Status Store(const std::vector<std::pair<CacheKey, CachedCount>>& entries);

  // True when the model's current version has not been confirmed within
  // `max_age_seconds` (or never was).
  bool NeedsProbe(const std::string& model, int64_t max_age_seconds);
  // Records a version seen now; entries of other versions become stale.
  Status NoteVersion(const std::string& model, const std::string& version);

  StatusOr<CacheStats> Stats();
  // Deletes stale entries, and entries older than `older_than_seconds` when > 0.
  StatusOr<int64_t> Prune(int64_t older_than_seconds);

  const std::string& path() const { return path_; }

 private:
  struct Db;
  TokenCache(std::string path, std::unique_ptr<Db> db);
  std::string path_;
  std::unique_ptr<Db> db_;
};

}  // namespace tokcost

#endif  // TOKCOST_TOKENIZER_TOKEN_CACHE_H_
