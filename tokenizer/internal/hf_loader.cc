// Loads Hugging Face tokenizer.json files with a BPE model. Only the
// components the supported vocabularies use are accepted; anything else is
// an error naming the JSON path, so a count is never silently inexact.
// The parsed result is kept as a compiled file next to the JSON
// (compiled_file.h) and read from there while the JSON is unchanged.
#include <bitset>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "tokenizer/internal/compiled_file.h"
#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/two_byte_symbols.h"
#include "tokenizer/internal/unicode.h"
#include "tools/base/file_util.h"
#include "tools/base/json_file.h"

namespace tokcost::tokenizer_internal {
namespace {

using Json = nlohmann::json;

// What a tokenizer.json says, reduced to what the pipeline needs. It is
// also the body of the compiled form (<file>.tokcost-idx): parsing the JSON
// of a large vocabulary takes about a second, reading this a few ms.
struct HfSpec {
  BpeModel::Options options;
  // Pre-tokenizer stages: a scanner's regex, or a MergedWithPrevious literal.
  struct Stage {
    bool is_regex;
    std::string text;
  };
  std::vector<Stage> stages;
  std::vector<Normalizer::Step> steps;
  std::vector<std::pair<std::string, uint32_t>> tokens;  // bytes, id; from the JSON only
  struct MergeRule {
    uint32_t left, right, rank, merged;
  };
  std::vector<MergeRule> merges;
  struct Added {
    std::string content;
    uint32_t id;
    bool special;
    bool normalized;
  };
  std::vector<Added> added;
};

// GPT-2's byte-to-unicode table, inverted: code point -> byte.
std::vector<int> ByteLevelDecodeTable() {
  std::vector<int> table(512, -1);
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) ||
                     (b >= 174 && b <= 255);
    table[printable ? b : 256 + extra++] = b;
  }
  return table;
}

bool ByteLevelDecode(const std::string& s, const std::vector<int>& table,
                     std::string* out) {
  out->clear();
  for (size_t pos = 0; pos < s.size();) {
    int len;
    char32_t cp = DecodeUtf8(s, pos, &len);
    if (cp >= table.size() || table[cp] < 0) return false;
    out->push_back(static_cast<char>(table[cp]));
    pos += len;
  }
  return true;
}

// The member `key` of `obj`, or null when `obj` is not an object or has no
// such member. nlohmann's const operator[] with a missing key is undefined
// behaviour (it read past a map node: a tokenizer.json without "model" was
// refused by luck, as "cannot use value() with number", valgrind showing
// invalid reads).
const Json& At(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// A token id: a whole number below kNoId. nlohmann's get<uint32_t>() would
// wrap -7 into 4294967289 without a word, another token's id for all we
// know.
StatusOr<uint32_t> TokenId(const Json& v, const std::string& path, const std::string& json_path) {
  if (!v.is_number_unsigned() || v.get<uint64_t>() >= kNoId) {
    return InvalidArgumentError(path + ": " + json_path + ": expected a token id (a whole number below " +
                                std::to_string(kNoId) + "), got " + v.dump());
  }
  return static_cast<uint32_t>(v.get<uint64_t>());
}

Status Unsupported(const std::string& path, const std::string& json_path,
                   const Json& value) {
  std::string shown = value.dump();
  if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
  return InvalidArgumentError(path + ": " + json_path +
                              ": unsupported by tokcost: " + shown);
}

Status AddPreTokenizerStages(const std::string& path, const std::string& where,
                             const Json& pt, bool* byte_level,
                             std::vector<HfSpec::Stage>* stages) {
  if (pt.is_null()) return OkStatus();
  const std::string type = pt.value("type", "");
  if (type == "Sequence") {
    const Json& list = At(pt, "pretokenizers");
    for (size_t i = 0; i < list.size(); ++i) {
      TOKCOST_RETURN_IF_ERROR(AddPreTokenizerStages(
          path, where + ".pretokenizers[" + std::to_string(i) + "]", list[i],
          byte_level, stages));
    }
    return OkStatus();
  }
  if (type == "ByteLevel") {
    if (pt.value("use_regex", true)) return Unsupported(path, where, pt);
    *byte_level = true;
    return OkStatus();
  }
  if (type == "Split" && !pt.value("invert", false)) {
    const Json& pattern = At(pt, "pattern");
    const std::string behavior = pt.value("behavior", "");
    if (pattern.contains("Regex") && behavior == "Isolated") {
      const std::string regex = At(pattern, "Regex").get<std::string>();
      StatusOr<MatchFn> scanner = FindScanner(regex);
      if (!scanner.ok()) return scanner.status().WithContext(path + ": " + where);
      stages->push_back({true, regex});
      return OkStatus();
    }
    if (pattern.contains("String") && behavior == "MergedWithPrevious") {
      stages->push_back({false, At(pattern, "String").get<std::string>()});
      return OkStatus();
    }
  }
  return Unsupported(path, where, pt);
}

Status AddNormalizerSteps(const std::string& path, const std::string& where,
                          const Json& n, std::vector<Normalizer::Step>* steps) {
  if (n.is_null()) return OkStatus();
  const std::string type = n.value("type", "");
  if (type == "Sequence") {
    const Json& list = At(n, "normalizers");
    for (size_t i = 0; i < list.size(); ++i) {
      TOKCOST_RETURN_IF_ERROR(AddNormalizerSteps(
          path, where + ".normalizers[" + std::to_string(i) + "]", list[i], steps));
    }
    return OkStatus();
  }
  if (type == "NFC") {
    steps->push_back({Normalizer::Step::kNfc, "", ""});
    return OkStatus();
  }
  if (type == "Replace" && At(n, "pattern").contains("String")) {
    steps->push_back({Normalizer::Step::kReplace,
                      At(At(n, "pattern"), "String").get<std::string>(),
                      At(n, "content").get<std::string>()});
    return OkStatus();
  }
  return Unsupported(path, where, n);
}

// Merges come as "left right" strings or as [left, right] pairs.
bool SplitMerge(const Json& merge, std::string* left, std::string* right) {
  if (merge.is_array() && merge.size() == 2) {
    *left = merge[0].get<std::string>();
    *right = merge[1].get<std::string>();
    return true;
  }
  if (!merge.is_string()) return false;
  const std::string& s = merge.get_ref<const std::string&>();
  size_t space = s.find(' ', 1);
  if (space == std::string::npos) return false;
  *left = s.substr(0, space);
  *right = s.substr(space + 1);
  return true;
}

StatusOr<HfSpec> Parse(const std::string& path, const Json& j) {
  const Json& model = At(j, "model");
  if (At(model, "type") != "BPE") return Unsupported(path, "model.type", At(model, "type"));
  if (!At(model, "dropout").is_null()) return Unsupported(path, "model.dropout", At(model, "dropout"));

  HfSpec spec;
  bool byte_level = false;
  TOKCOST_RETURN_IF_ERROR(AddPreTokenizerStages(path, "pre_tokenizer",
                                                At(j, "pre_tokenizer"), &byte_level, &spec.stages));
  TOKCOST_RETURN_IF_ERROR(AddNormalizerSteps(path, "normalizer", At(j, "normalizer"), &spec.steps));

  const Json& vocab = At(model, "vocab");
  spec.options.byte_level = byte_level;
  spec.options.ignore_merges = model.value("ignore_merges", false);
  spec.options.byte_fallback = model.value("byte_fallback", false);
  if (At(model, "unk_token").is_string()) {
    auto it = vocab.find(At(model, "unk_token").get<std::string>());
    if (it != vocab.end()) {
      TOKCOST_ASSIGN_OR_RETURN(spec.options.unk_id, TokenId(*it, path, "model.vocab[" + it.key() + "]"));
    }
  }

  const std::vector<int> table = ByteLevelDecodeTable();
  std::string bytes;
  spec.tokens.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    // Every id is checked here, so the merges below read them as they are.
    TOKCOST_ASSIGN_OR_RETURN(const uint32_t id, TokenId(*it, path, "model.vocab[" + it.key() + "]"));
    if (byte_level && !ByteLevelDecode(it.key(), table, &bytes)) {
      // Some byte-level vocabularies carry a few tokens outside the byte
      // alphabet; no byte string can ever produce them.
      continue;
    }
    spec.tokens.emplace_back(byte_level ? bytes : it.key(), id);
  }
  const Json& merges = At(model, "merges");
  spec.merges.reserve(merges.size());
  std::string left, right;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    if (!SplitMerge(merges[rank], &left, &right)) {
      return Unsupported(path, "model.merges[" + std::to_string(rank) + "]", merges[rank]);
    }
    auto l = vocab.find(left), r = vocab.find(right), m = vocab.find(left + right);
    if (l == vocab.end() || r == vocab.end() || m == vocab.end()) {
      return InvalidArgumentError(path + ": model.merges[" + std::to_string(rank) +
                                  "]: token not in the vocabulary");
    }
    spec.merges.push_back({l->get<uint32_t>(), r->get<uint32_t>(), static_cast<uint32_t>(rank),
                           m->get<uint32_t>()});
  }

  const Json& added = At(j, "added_tokens");
  for (size_t i = 0; i < added.size(); ++i) {
    const Json& t = added[i];
    if (t.value("single_word", false) || t.value("lstrip", false) ||
        t.value("rstrip", false)) {
      return Unsupported(path, "added_tokens[" + std::to_string(i) + "]", t);
    }
    TOKCOST_ASSIGN_OR_RETURN(const uint32_t id,
                             TokenId(At(t, "id"), path, "added_tokens[" + std::to_string(i) + "].id"));
    spec.added.push_back({At(t, "content").get<std::string>(), id, t.value("special", false),
                          t.value("normalized", false)});
  }
  return spec;
}

StatusOr<HfSpec> ParseFile(const std::string& path) {
  return ReadJsonFile(path, [&](Json& j) { return Parse(path, j); });
}

// `vocab`, `merges`: the tables of a compiled file, read in place; null to
// build them from spec.tokens and spec.merges.
StatusOr<std::unique_ptr<Pipeline>> BuildPipeline(const std::string& path, const HfSpec& spec,
                                                  const CompiledFile* vocab = nullptr,
                                                  const CompiledFile* merges = nullptr,
                                                  const CompiledFile* two_byte = nullptr) {
  std::vector<PreTokenizer::Stage> stages;
  for (const HfSpec::Stage& st : spec.stages) {
    if (!st.is_regex) {
      stages.push_back(PreTokenizer::Stage::Literal(st.text));
      continue;
    }
    StatusOr<MatchFn> scanner = FindScanner(st.text);
    if (!scanner.ok()) return scanner.status().WithContext(path);
    stages.push_back(PreTokenizer::Stage::Scanner(*scanner));
  }
  auto pipeline = std::make_unique<Pipeline>(spec.options);
  pipeline->normalizer = Normalizer(spec.steps);
  if (vocab != nullptr) {
    if (!pipeline->model.LoadVocab(vocab->data, vocab->size, vocab->mapping)) {
      return InternalError(path + ".tokcost-idx: damaged vocabulary table");
    }
  } else {
    size_t bytes = 0;
    for (const auto& [b, id] : spec.tokens) bytes += b.size();
    pipeline->model.ReserveTokens(spec.tokens.size(), bytes);
    for (const auto& [b, id] : spec.tokens) pipeline->model.AddToken(b, id);
  }
  if (merges != nullptr) {
    if (!pipeline->model.LoadMerges(merges->data, merges->size, merges->mapping)) {
      return InternalError(path + ".tokcost-idx: damaged merge table");
    }
  } else {
    for (const HfSpec::MergeRule& m : spec.merges) {
      pipeline->model.AddMerge(m.left, m.right, m.rank, m.merged);
    }
  }
  if (two_byte != nullptr && two_byte->size > 0) {
    TwoByteSymbols symbols;
    if (!TwoByteSymbols::Deserialize(std::string_view(two_byte->data, two_byte->size), &symbols)) {
      return InternalError(path + ".tokcost-idx: damaged two-byte symbol table");
    }
    pipeline->model.SetTwoByteSymbols(std::move(symbols));
  }
  std::string error;
  if (!pipeline->model.Finish(&error)) return InvalidArgumentError(path + ": " + error);
  // The bytes that follow a newline in some token: only before those could
  // a token be merged across a cut after the newline (see Pipeline::Cuts).
  // Looked for in the pass over the tokens MarkSplitStage makes anyway.
  std::bitset<256> followers;
  auto note_crossing = [&followers](std::string_view bytes) {
    AddNewlineFollowers(bytes, &followers);
  };
  if (!spec.options.byte_level) {
    // SentencePiece-style: words as pieces, where the vocabulary allows it.
    std::optional<PreTokenizer::Stage> words = PreTokenizer::MarkSplitStage([&](auto&& f) {
      pipeline->model.ForEachToken([&](std::string_view bytes, uint32_t) {
        note_crossing(bytes);
        f(bytes);
      });
    });
    if (words) stages.push_back(*std::move(words));
  }
  pipeline->pre_tokenizer = PreTokenizer(std::move(stages));
  if (spec.options.byte_level && !pipeline->pre_tokenizer.CutsAtLineStarts()) {
    pipeline->model.ForEachToken([&](std::string_view bytes, uint32_t) { note_crossing(bytes); });
  }
  pipeline->token_newline_followers = followers;
  for (const HfSpec::Added& a : spec.added) {
    AddedVocab& target = a.normalized ? pipeline->normalized_added : pipeline->raw_added;
    target.Add(a.content, a.id, a.special);
  }
  return pipeline;
}

// The compiled form: the vocabulary's hash table as BytesToIdMap::Serialize
// writes it, the merge table as PairMap::Serialize does and the two-byte
// symbols as TwoByteSymbols::Serialize does (empty for character models;
// each after a u64 length and padded to 8 bytes, so the first two are read
// in place from the mapping, as for tiktoken), then the rest of HfSpec
// (its merges are in the table): little-endian u32 numbers, strings and
// lists as (length, contents), in the order Visit gives. Writer and Reader
// share Visit, so the two directions cannot drift apart.
constexpr char kCompiledMagic[] = "TKCHF04";  // 04: the two-byte symbols

template <typename Archive>
void Visit(Archive& a, HfSpec& s) {
  a.Bool(s.options.byte_level);
  a.Bool(s.options.ignore_merges);
  a.Bool(s.options.byte_fallback);
  a.U32(s.options.unk_id);
  a.List(s.stages, 8, [&](HfSpec::Stage& st) {
    a.Bool(st.is_regex);
    a.Str(st.text);
  });
  a.List(s.steps, 12, [&](Normalizer::Step& st) {
    a.Kind(st.kind);
    a.Str(st.pattern);
    a.Str(st.content);
  });
  a.List(s.merges, 16, [&](HfSpec::MergeRule& m) {
    a.U32(m.left);
    a.U32(m.right);
    a.U32(m.rank);
    a.U32(m.merged);
  });
  a.List(s.added, 16, [&](HfSpec::Added& x) {
    a.Str(x.content);
    a.U32(x.id);
    a.Bool(x.special);
    a.Bool(x.normalized);
  });
}

class Writer {
 public:
  void U32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), 4); }
  void Bool(bool b) { U32(b); }
  void Kind(Normalizer::Step::Kind k) { U32(k); }
  void Str(const std::string& s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  template <typename T, typename F>
  void List(std::vector<T>& items, size_t /*min_bytes*/, F&& each) {
    U32(static_cast<uint32_t>(items.size()));
    for (T& item : items) each(item);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote; any shortfall or bad value makes ok() false and
// every later read a no-op.
class Reader {
 public:
  Reader(const char* data, size_t size) : p_(data), end_(data + size) {}
  void U32(uint32_t& v) {
    if (!ok_ || end_ - p_ < 4) return Fail();
    std::memcpy(&v, p_, 4);
    p_ += 4;
  }
  void Bool(bool& b) {
    uint32_t v = 0;
    U32(v);
    b = v != 0;
  }
  void Kind(Normalizer::Step::Kind& k) {
    uint32_t v = 0;
    U32(v);
    if (v > Normalizer::Step::kReplace) return Fail();
    k = static_cast<Normalizer::Step::Kind>(v);
  }
  void Str(std::string& s) {
    uint32_t n = 0;
    U32(n);
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) return Fail();
    s.assign(p_, n);
    p_ += n;
  }
  // Items are at least `min_bytes` long: a damaged count cannot ask for a
  // huge allocation.
  template <typename T, typename F>
  void List(std::vector<T>& items, size_t min_bytes, F&& each) {
    uint32_t n = 0;
    U32(n);
    if (!ok_ || static_cast<size_t>(end_ - p_) < n * min_bytes) return Fail();
    items.resize(n);
    for (T& item : items) each(item);
  }
  bool done() const { return ok_ && p_ == end_; }

 private:
  void Fail() { ok_ = false; }

  const char* p_;
  const char* end_;
  bool ok_ = true;
};

std::string Serialize(HfSpec spec, const BpeModel& model) {
  std::string out;
  for (const std::string& table :
       {model.SerializeVocab(), model.SerializeMerges(), model.SerializeTwoByteSymbols()}) {
    const uint64_t n = table.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof(n));
    out += table;
    out.resize((out.size() + 7) / 8 * 8);  // keeps what follows aligned too
  }
  spec.merges.clear();
  Writer w;
  Visit(w, spec);
  return out + w.out();
}

// Splits a compiled file into its vocabulary, merge and two-byte symbol
// tables (the last empty for models without one) and the rest of HfSpec.
bool Deserialize(const CompiledFile& c, CompiledFile* vocab, CompiledFile* merges,
                 CompiledFile* two_byte, HfSpec* spec) {
  size_t at = 0;
  for (CompiledFile* table : {vocab, merges, two_byte}) {
    uint64_t n;
    if (c.size - at < sizeof(n)) return false;
    std::memcpy(&n, c.data + at, sizeof(n));
    if (n > c.size - at - sizeof(n)) return false;
    *table = {c.data + at + sizeof(n), n, c.mapping};
    at = (at + sizeof(n) + n + 7) / 8 * 8;
    if (at > c.size) return false;
  }
  Reader r(c.data + at, c.size - at);
  Visit(r, *spec);
  return r.done();
}

}  // namespace

StatusOr<std::unique_ptr<Pipeline>> LoadHuggingFace(const std::string& path) {
  if (std::optional<CompiledFile> c = MapCompiled(path, kCompiledMagic)) {
    HfSpec spec;
    CompiledFile vocab, merges, two_byte;
    // Anything wrong with a compiled file: rebuilt from the JSON below,
    // which also reports any error in the vocabulary itself.
    if (Deserialize(*c, &vocab, &merges, &two_byte, &spec)) {
      StatusOr<std::unique_ptr<Pipeline>> pipeline =
          BuildPipeline(path, spec, &vocab, &merges, &two_byte);
      if (pipeline.ok()) return pipeline;
    }
  }
  TOKCOST_ASSIGN_OR_RETURN(HfSpec spec, ParseFile(path));
  TOKCOST_ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline, BuildPipeline(path, spec));
  spec.tokens.clear();  // in the vocabulary table now
  WriteCompiled(path, kCompiledMagic, Serialize(std::move(spec), pipeline->model));
  return pipeline;
}

}  // namespace tokcost::tokenizer_internal
