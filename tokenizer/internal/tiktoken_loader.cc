#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string_view>

#include "tokenizer/internal/loaders.h"
#include "tools/base/file_util.h"

namespace tokcost::tokenizer_internal {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// A compiled vocabulary next to the rank file (<file>.tokcost-idx): the
// hash table as it sits in memory, mapped read-only, so that a start-up
// costs no parsing. Tied to the rank file's size and mtime; rebuilt when
// either changes.
struct IdxPrefix {
  char magic[8];  // "TKCIDX1\0"
  uint64_t source_size;
  int64_t source_mtime_ns;
};

bool SourceStat(const std::string& path, IdxPrefix* p) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  std::memcpy(p->magic, "TKCIDX1", 8);
  p->source_size = static_cast<uint64_t>(st.st_size);
  p->source_mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

bool LoadCompiled(const std::string& path, BpeModel* model) {
  IdxPrefix want;
  if (!SourceStat(path, &want)) return false;
  int fd = ::open((path + ".tokcost-idx").c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < sizeof(IdxPrefix)) {
    ::close(fd);
    return false;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return false;
  std::shared_ptr<const void> mapping(addr, [size](const void* a) { ::munmap(const_cast<void*>(a), size); });
  IdxPrefix got;
  std::memcpy(&got, addr, sizeof(got));
  if (std::memcmp(&got, &want, sizeof(got)) != 0) return false;
  const char* data = static_cast<const char*>(addr) + sizeof(IdxPrefix);
  return model->LoadVocab(data, size - sizeof(IdxPrefix), std::move(mapping));
}

// Best effort: a read-only vocabulary directory only costs the speed-up.
void WriteCompiled(const std::string& path, const BpeModel& model) {
  IdxPrefix prefix;
  if (!SourceStat(path, &prefix)) return;
  std::string tmp = path + ".tokcost-idx.tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&prefix), sizeof(prefix));
    std::string blob = model.SerializeVocab();
    out.write(blob.data(), static_cast<std::streamsize>(blob.size()));
    if (!out) {
      ::unlink(tmp.c_str());
      return;
    }
  }
  if (::rename(tmp.c_str(), (path + ".tokcost-idx").c_str()) != 0) ::unlink(tmp.c_str());
}

}  // namespace

StatusOr<std::unique_ptr<Pipeline>> LoadTiktoken(
    const std::string& path, const std::string& pattern,
    const std::map<std::string, uint32_t>& specials) {
  TOKCOST_ASSIGN_OR_RETURN(MatchFn scanner, FindScanner(pattern));
  auto pipeline = std::make_unique<Pipeline>(
      BpeModel::Options{.byte_level = true, .ignore_merges = true, .rank_is_concatenation_id = true});
  pipeline->pre_tokenizer = PreTokenizer({PreTokenizer::Stage{scanner, ""}});
  for (const auto& [content, id] : specials) {
    pipeline->raw_added.Add(content, id, /*special=*/true);
  }
  std::string error;
  if (LoadCompiled(path, &pipeline->model)) {
    if (!pipeline->model.Finish(&error)) return InvalidArgumentError(path + ": " + error);
    return pipeline;
  }
  TOKCOST_ASSIGN_OR_RETURN(std::string data, ReadFile(path));

  // tiktoken merges the adjacent pair whose concatenation has the lowest
  // rank: the rank is looked up from the bytes (rank_is_concatenation_id).
  const size_t lines = static_cast<size_t>(std::count(data.begin(), data.end(), '\n')) + 1;
  pipeline->model.ReserveTokens(lines, data.size());
  std::string bytes;
  size_t line_no = 0;
  for (size_t start = 0; start < data.size();) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    std::string_view line(data.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t space = line.find(' ');
    uint32_t rank = 0;
    bool ok = space != std::string_view::npos && space + 1 < line.size() &&
              DecodeBase64(line.substr(0, space), &bytes);
    for (size_t i = space + 1; ok && i < line.size(); ++i) {
      ok = line[i] >= '0' && line[i] <= '9';
      rank = rank * 10 + static_cast<uint32_t>(line[i] - '0');
    }
    if (!ok) {
      return InvalidArgumentError(path + ":" + std::to_string(line_no) +
                                  ": expected \"<base64> <rank>\"");
    }
    pipeline->model.AddToken(bytes, rank);
  }
  if (!pipeline->model.Finish(&error)) {
    return InvalidArgumentError(path + ": " + error);
  }
  WriteCompiled(path, pipeline->model);
  return pipeline;
}

}  // namespace tokcost::tokenizer_internal
