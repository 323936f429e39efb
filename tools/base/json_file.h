// Reading a JSON data file (price sheets, the model catalog, the tokenizer
// list, chat templates, tokenizer.json): parse, then walk it with `read`
// inside a catch of nlohmann's exceptions, so that a member of the wrong
// type (value() and get<>() throw) is an error naming the file, never an
// abort.
//
//   StatusOr<Catalog> c = ReadJsonFile(path, [&](nlohmann::json& j) {
//     return ReadCatalog(path, j);   // returns StatusOr<Catalog>
//   });
//
// `read` gets a mutable document: its non-const operator[] gives null for a
// missing key, where the const one is undefined behaviour.
#ifndef TOKCOST_TOOLS_BASE_JSON_FILE_H_
#define TOKCOST_TOOLS_BASE_JSON_FILE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tools/base/file_util.h"
#include "tools/base/status.h"

namespace tokcost {

// `text`, read from `path`, parsed and handed to read(json&).
template <typename Read>
auto ReadJson(const std::string& path, const std::string& text, Read&& read)
    -> decltype(read(std::declval<nlohmann::json&>())) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(path + ": not valid JSON");
  try {
    return read(j);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(path + ": unexpected JSON structure: " + e.what());
  }
}

// The file at `path`, read, parsed and handed to read(json&).
template <typename Read>
auto ReadJsonFile(const std::string& path, Read&& read)
    -> decltype(read(std::declval<nlohmann::json&>())) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ReadJson(path, *text, read);
}

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_JSON_FILE_H_
