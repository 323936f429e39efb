// Compiled forms of vocabulary files, kept next to them as
// `<file>.tokcost-idx`: built once from the slow-to-parse original (base64
// rank files, multi-megabyte tokenizer.json), then memory-mapped at every
// start. A compiled file records the source's size and mtime and a format
// magic; any mismatch means "absent", and the caller rebuilds it.
//
//   if (std::optional<CompiledFile> c = MapCompiled(path, "TKCHF01")) {
//     ... read c->data, c->size ...
//   } else {
//     ... parse path ...; WriteCompiled(path, "TKCHF01", body);
//   }
#ifndef TOKCOST_TOKENIZER_INTERNAL_COMPILED_FILE_H_
#define TOKCOST_TOKENIZER_INTERNAL_COMPILED_FILE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tokcost::tokenizer_internal {

struct CompiledFile {
  const char* data;  // the body, after the header
  size_t size;
  std::shared_ptr<const void> mapping;  // keeps `data` mapped
};

// `magic` is at most 7 characters.
std::optional<CompiledFile> MapCompiled(const std::string& source_path, const char* magic);

// Best effort: a read-only vocabulary directory only costs the speed-up.
// Written to a temporary file and renamed, so readers never see half a file.
void WriteCompiled(const std::string& source_path, const char* magic, std::string_view body);

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_COMPILED_FILE_H_
