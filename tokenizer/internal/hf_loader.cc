// Loads Hugging Face tokenizer.json files with a BPE model. Only the
// components the supported vocabularies use are accepted; anything else is
// an error naming the JSON path, so a count is never silently inexact.
#include <nlohmann/json.hpp>

#include "tokenizer/internal/loaders.h"
#include "tokenizer/internal/unicode.h"
#include "tools/base/file_util.h"

namespace tokcost::tokenizer_internal {
namespace {

using Json = nlohmann::json;

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

Status Unsupported(const std::string& path, const std::string& json_path,
                   const Json& value) {
  std::string shown = value.dump();
  if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
  return InvalidArgumentError(path + ": " + json_path +
                              ": unsupported by tokcost: " + shown);
}

Status AddPreTokenizerStages(const std::string& path, const std::string& where,
                             const Json& pt, bool* byte_level,
                             std::vector<PreTokenizer::Stage>* stages) {
  if (pt.is_null()) return OkStatus();
  const std::string type = pt.value("type", "");
  if (type == "Sequence") {
    const Json& list = pt["pretokenizers"];
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
    const Json& pattern = pt["pattern"];
    const std::string behavior = pt.value("behavior", "");
    if (pattern.contains("Regex") && behavior == "Isolated") {
      StatusOr<MatchFn> scanner = FindScanner(pattern["Regex"].get<std::string>());
      if (!scanner.ok()) return scanner.status().WithContext(path + ": " + where);
      stages->push_back({*scanner, ""});
      return OkStatus();
    }
    if (pattern.contains("String") && behavior == "MergedWithPrevious") {
      stages->push_back({nullptr, pattern["String"].get<std::string>()});
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
    const Json& list = n["normalizers"];
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
  if (type == "Replace" && n["pattern"].contains("String")) {
    steps->push_back({Normalizer::Step::kReplace,
                      n["pattern"]["String"].get<std::string>(),
                      n["content"].get<std::string>()});
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

StatusOr<std::unique_ptr<Pipeline>> Build(const std::string& path,
                                          const Json& j) {
  const Json& model = j["model"];
  if (model.value("type", "") != "BPE") return Unsupported(path, "model.type", model["type"]);
  if (!model["dropout"].is_null()) return Unsupported(path, "model.dropout", model["dropout"]);

  bool byte_level = false;
  std::vector<PreTokenizer::Stage> stages;
  TOKCOST_RETURN_IF_ERROR(AddPreTokenizerStages(path, "pre_tokenizer",
                                                j["pre_tokenizer"], &byte_level, &stages));
  std::vector<Normalizer::Step> steps;
  TOKCOST_RETURN_IF_ERROR(AddNormalizerSteps(path, "normalizer", j["normalizer"], &steps));

  const Json& vocab = model["vocab"];
  BpeModel::Options options;
  options.byte_level = byte_level;
  options.ignore_merges = model.value("ignore_merges", false);
  options.byte_fallback = model.value("byte_fallback", false);
  if (model["unk_token"].is_string()) {
    auto it = vocab.find(model["unk_token"].get<std::string>());
    if (it != vocab.end()) options.unk_id = it->get<uint32_t>();
  }
  auto pipeline = std::make_unique<Pipeline>(options);
  pipeline->pre_tokenizer = PreTokenizer(std::move(stages));
  pipeline->normalizer = Normalizer(std::move(steps));

  const std::vector<int> table = ByteLevelDecodeTable();
  std::string bytes;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (byte_level && !ByteLevelDecode(it.key(), table, &bytes)) {
      // Some byte-level vocabularies carry a few tokens outside the byte
      // alphabet; no byte string can ever produce them.
      continue;
    }
    pipeline->model.AddToken(byte_level ? bytes : it.key(), it->get<uint32_t>());
  }
  const Json& merges = model["merges"];
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
    pipeline->model.AddMerge(l->get<uint32_t>(), r->get<uint32_t>(),
                             static_cast<uint32_t>(rank), m->get<uint32_t>());
  }
  std::string error;
  if (!pipeline->model.Finish(&error)) return InvalidArgumentError(path + ": " + error);

  const Json& added = j["added_tokens"];
  for (size_t i = 0; i < added.size(); ++i) {
    const Json& t = added[i];
    if (t.value("single_word", false) || t.value("lstrip", false) ||
        t.value("rstrip", false)) {
      return Unsupported(path, "added_tokens[" + std::to_string(i) + "]", t);
    }
    AddedVocab& target = t.value("normalized", false) ? pipeline->normalized_added
                                                      : pipeline->raw_added;
    target.Add(t["content"].get<std::string>(), t["id"].get<uint32_t>(),
               t.value("special", false));
  }
  return pipeline;
}

}  // namespace

StatusOr<std::unique_ptr<Pipeline>> LoadHuggingFace(const std::string& path) {
  TOKCOST_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  Json j = Json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(path + ": not valid JSON");
  try {
    return Build(path, j);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(path + ": unexpected tokenizer.json structure: " +
                                e.what());
  }
}

}  // namespace tokcost::tokenizer_internal
