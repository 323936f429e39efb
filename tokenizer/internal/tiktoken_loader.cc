#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "tokenizer/internal/compiled_file.h"
#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/two_byte_symbols.h"
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

// The compiled form (compiled_file.h) holds the vocabulary's hash table as
// it sits in memory, read in place: a start-up costs no parsing. Then the
// model's two-byte symbols (bpe_model.h), built in a pass over the
// vocabulary that would cost 2-3 ms at every start. Body: the table's size
// (8 bytes), the table, the symbols.
constexpr char kCompiledMagic[] = "TKCIDX2";

// Splits a compiled body; false when it is too short to hold its parts.
bool SplitCompiled(const char* data, size_t size, std::string_view* vocab,
                   std::string_view* two_byte) {
  uint64_t vocab_size = 0;
  if (size < sizeof(vocab_size)) return false;
  std::memcpy(&vocab_size, data, sizeof(vocab_size));
  if (vocab_size > size - sizeof(vocab_size)) return false;
  *vocab = std::string_view(data + sizeof(vocab_size), vocab_size);
  *two_byte = std::string_view(vocab->data() + vocab_size, size - sizeof(vocab_size) - vocab_size);
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<Pipeline>> LoadTiktoken(
    const std::string& path, const std::string& pattern,
    const std::map<std::string, uint32_t>& specials) {
  TOKCOST_ASSIGN_OR_RETURN(MatchFn scanner, FindScanner(pattern));
  auto pipeline = std::make_unique<Pipeline>(
      BpeModel::Options{.byte_level = true, .ignore_merges = true, .rank_is_concatenation_id = true});
  pipeline->pre_tokenizer = PreTokenizer({PreTokenizer::Stage::Scanner(scanner)});
  for (const auto& [content, id] : specials) {
    pipeline->raw_added.Add(content, id, /*special=*/true);
  }
  std::string error;
  std::string_view vocab, two_byte;
  TwoByteSymbols symbols;
  if (std::optional<CompiledFile> c = MapCompiled(path, kCompiledMagic);
      c && SplitCompiled(c->data, c->size, &vocab, &two_byte) &&
      TwoByteSymbols::Deserialize(two_byte, &symbols) &&
      pipeline->model.LoadVocab(vocab.data(), vocab.size(), std::move(c->mapping))) {
    pipeline->model.SetTwoByteSymbols(std::move(symbols));
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
  const std::string vocab_bytes = pipeline->model.SerializeVocab();
  const uint64_t vocab_size = vocab_bytes.size();
  std::string body(reinterpret_cast<const char*>(&vocab_size), sizeof(vocab_size));
  body += vocab_bytes;
  body += pipeline->model.SerializeTwoByteSymbols();
  WriteCompiled(path, kCompiledMagic, body);
  return pipeline;
}

}  // namespace tokcost::tokenizer_internal
