// Builders of a Pipeline from vocabulary files. Errors name the file and,
// where it helps, the line or JSON path.
#ifndef TOKCOST_TOKENIZER_INTERNAL_LOADERS_H_
#define TOKCOST_TOKENIZER_INTERNAL_LOADERS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tokenizer/internal/pipeline.h"
#include "tools/base/status.h"

namespace tokcost::tokenizer_internal {

// A `.tiktoken` rank file: one "base64(bytes) rank" per line. `pattern`
// names the pre-tokenizer scanner; `specials` are matched only when asked.
StatusOr<std::unique_ptr<Pipeline>> LoadTiktoken(
    const std::string& path, const std::string& pattern,
    const std::map<std::string, uint32_t>& specials);

// A Hugging Face tokenizer.json with a BPE model.
StatusOr<std::unique_ptr<Pipeline>> LoadHuggingFace(const std::string& path);

}  // namespace tokcost::tokenizer_internal

#endif  // TOKCOST_TOKENIZER_INTERNAL_LOADERS_H_
