#include "tokenizer/token_cache.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "tools/base/file_util.h"
#include "tools/base/sha256.h"

namespace tokcost {
namespace {

Status MakeDirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      std::string part = dir.substr(0, i);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        return FailedPreconditionError(part + ": cannot create cache directory: " +
                                       std::strerror(errno));
      }
    }
  }
  return OkStatus();
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Token lengths as LEB128 varints: most are one byte.
std::string EncodeLengths(const std::vector<uint32_t>& lengths) {
  std::string out;
  out.reserve(lengths.size());
  for (uint32_t v : lengths) {
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::optional<std::vector<uint32_t>> DecodeLengths(const unsigned char* p, size_t n) {
  std::vector<uint32_t> out;
  uint32_t v = 0;
  int shift = 0;
  for (size_t i = 0; i < n; ++i) {
    if (shift > 28) return std::nullopt;
    v |= static_cast<uint32_t>(p[i] & 0x7F) << shift;
    if (p[i] & 0x80) {
      shift += 7;
      continue;
    }
    out.push_back(v);
    v = 0;
    shift = 0;
  }
  if (shift != 0) return std::nullopt;
  return out;
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* get() { return s_; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

struct TokenCache::Db {
  sqlite3* handle = nullptr;
  ~Db() { sqlite3_close(handle); }
  // Runs `sql`, waiting out other processes' locks: switching to WAL can
  // report SQLITE_BUSY without consulting the busy handler.
  Status Exec(const char* sql) {
    for (int attempt = 0;; ++attempt) {
      char* err = nullptr;
      int rc = sqlite3_exec(handle, sql, nullptr, nullptr, &err);
      if (rc == SQLITE_OK) return OkStatus();
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 600) {
        return UnavailableError("token cache: " + msg);
      }
      sqlite3_sleep(50);
    }
  }
};

StatusOr<CacheKey> CacheKey::For(const std::string& model, const std::string& kind,
                                 const std::string& content) {
  StatusOr<std::string> hash = Sha256Hex(kind + '\0' + content);
  if (!hash.ok()) return hash.status();
  return CacheKey{model, kind, *std::move(hash)};
}

std::string TokenCache::DefaultDir(const std::string& cache_dir_env,
                                   const std::string& xdg_cache_home, const std::string& home) {
  if (!cache_dir_env.empty()) return cache_dir_env;
  if (!xdg_cache_home.empty()) return JoinPath(xdg_cache_home, "tokcost");
  return JoinPath(JoinPath(home.empty() ? "/tmp" : home, ".cache"), "tokcost");
}

TokenCache::TokenCache(std::string path, std::unique_ptr<Db> db)
    : path_(std::move(path)), db_(std::move(db)) {}
TokenCache::~TokenCache() = default;

StatusOr<std::unique_ptr<TokenCache>> TokenCache::Open(const std::string& dir) {
  TOKCOST_RETURN_IF_ERROR(MakeDirs(dir));
  std::string path = JoinPath(dir, "tokens.sqlite3");
  auto db = std::make_unique<Db>();
  if (sqlite3_open(path.c_str(), &db->handle) != SQLITE_OK) {
    return FailedPreconditionError(path + ": cannot open token cache");
  }
  // Other tokcost processes may hold the write lock briefly.
  sqlite3_busy_timeout(db->handle, 30000);
  TOKCOST_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  TOKCOST_RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE IF NOT EXISTS counts ("
      "  model TEXT NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL,"
      "  tokens INTEGER NOT NULL, model_version TEXT NOT NULL, created INTEGER NOT NULL,"
      "  PRIMARY KEY (model, kind, hash));"
      "CREATE TABLE IF NOT EXISTS versions ("
      "  model TEXT PRIMARY KEY, version TEXT NOT NULL, confirmed INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS token_lengths ("
      "  model TEXT NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL,"
      "  model_version TEXT NOT NULL, lengths BLOB NOT NULL,"
      "  PRIMARY KEY (model, kind, hash));"));
  return std::unique_ptr<TokenCache>(new TokenCache(path, std::move(db)));
}

std::optional<CachedCount> TokenCache::Lookup(const CacheKey& key, bool with_lengths) {
  Stmt s(db_->handle,
         "SELECT c.tokens, c.model_version FROM counts c LEFT JOIN versions v ON v.model = c.model "
         "WHERE c.model = ?1 AND c.kind = ?2 AND c.hash = ?3 "
         "AND (v.version IS NULL OR v.version = c.model_version)");
  s.Bind(1, key.model).Bind(2, key.kind).Bind(3, key.hash);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  CachedCount c;
  c.tokens = sqlite3_column_int64(s.get(), 0);
  c.model_version = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
  if (!with_lengths) return c;
  Stmt l(db_->handle,
         "SELECT lengths FROM token_lengths WHERE model = ?1 AND kind = ?2 AND hash = ?3 "
         "AND model_version = ?4");
  l.Bind(1, key.model).Bind(2, key.kind).Bind(3, key.hash).Bind(4, c.model_version);
  if (l.Step() != SQLITE_ROW) return std::nullopt;
  c.token_lengths = DecodeLengths(
      static_cast<const unsigned char*>(sqlite3_column_blob(l.get(), 0)),
      static_cast<size_t>(sqlite3_column_bytes(l.get(), 0)));
  if (!c.token_lengths) return std::nullopt;  // damaged: fetch again
  return c;
}

Status TokenCache::Store(const std::vector<std::pair<CacheKey, CachedCount>>& entries) {
  if (entries.empty()) return OkStatus();
  TOKCOST_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  {
    Stmt put(db_->handle,
             "INSERT OR REPLACE INTO counts (model, kind, hash, tokens, model_version, created) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    Stmt version(db_->handle,
                 "INSERT OR REPLACE INTO versions (model, version, confirmed) VALUES (?1, ?2, ?3)");
    Stmt put_lengths(db_->handle,
                     "INSERT OR REPLACE INTO token_lengths (model, kind, hash, model_version, "
                     "lengths) VALUES (?1, ?2, ?3, ?4, ?5)");
    const int64_t now = Now();
    std::string error;
    auto write = [&](Stmt& st) {
      if (st.Step() != SQLITE_DONE) error = sqlite3_errmsg(db_->handle);
      st.Reset();
      return error.empty();
    };
    for (const auto& [key, count] : entries) {
      put.Bind(1, key.model).Bind(2, key.kind).Bind(3, key.hash).Bind(4, count.tokens)
          .Bind(5, count.model_version).Bind(6, now);
      if (write(put) && count.token_lengths) {
        put_lengths.Bind(1, key.model).Bind(2, key.kind).Bind(3, key.hash)
            .Bind(4, count.model_version).BindBlob(5, EncodeLengths(*count.token_lengths));
        write(put_lengths);
      }
      if (!error.empty()) {
        db_->Exec("ROLLBACK");
        return UnavailableError("token cache: write failed: " + error);
      }
      version.Bind(1, key.model).Bind(2, count.model_version).Bind(3, now);
      version.Step();
      version.Reset();
    }
  }
  return db_->Exec("COMMIT");
}

bool TokenCache::NeedsProbe(const std::string& model, int64_t max_age_seconds) {
  Stmt s(db_->handle, "SELECT confirmed FROM versions WHERE model = ?1");
  s.Bind(1, model);
  if (s.Step() != SQLITE_ROW) return true;
  return Now() - sqlite3_column_int64(s.get(), 0) > max_age_seconds;
}

Status TokenCache::NoteVersion(const std::string& model, const std::string& version) {
  Stmt s(db_->handle,
         "INSERT OR REPLACE INTO versions (model, version, confirmed) VALUES (?1, ?2, ?3)");
  s.Bind(1, model).Bind(2, version).Bind(3, Now());
  if (s.Step() != SQLITE_DONE) return UnavailableError("token cache: cannot record version");
  return OkStatus();
}

StatusOr<CacheStats> TokenCache::Stats() {
  CacheStats st;
  Stmt a(db_->handle, "SELECT COUNT(*), COUNT(DISTINCT model) FROM counts");
  if (a.Step() == SQLITE_ROW) {
    st.entries = sqlite3_column_int64(a.get(), 0);
    st.models = sqlite3_column_int64(a.get(), 1);
  }
  Stmt b(db_->handle,
         "SELECT COUNT(*) FROM counts c JOIN versions v ON v.model = c.model "
         "WHERE v.version != c.model_version");
  if (b.Step() == SQLITE_ROW) st.stale_entries = sqlite3_column_int64(b.get(), 0);
  struct stat file;
  if (::stat(path_.c_str(), &file) == 0) st.file_bytes = file.st_size;
  return st;
}

StatusOr<int64_t> TokenCache::Prune(int64_t older_than_seconds) {
  Stmt stale(db_->handle,
             "DELETE FROM counts WHERE EXISTS (SELECT 1 FROM versions v WHERE v.model = counts.model "
             "AND v.version != counts.model_version) OR (?1 > 0 AND created < ?2)");
  stale.Bind(1, older_than_seconds).Bind(2, Now() - older_than_seconds);
  if (stale.Step() != SQLITE_DONE) return UnavailableError("token cache: prune failed");
  int64_t n = sqlite3_changes(db_->handle);
  // Token lengths go with their counts.
  db_->Exec(
      "DELETE FROM token_lengths WHERE NOT EXISTS (SELECT 1 FROM counts c WHERE "
      "c.model = token_lengths.model AND c.kind = token_lengths.kind AND "
      "c.hash = token_lengths.hash AND c.model_version = token_lengths.model_version)");
  db_->Exec("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;");
  return n;
}

}  // namespace tokcost
