// The corpus cut into ~4 KB documents at line ends, the same way in every
// benchmark (and in bench/peers/run.js), so document figures compare.
#ifndef TOKCOST_BENCH_DOCUMENTS_H_
#define TOKCOST_BENCH_DOCUMENTS_H_

#include <algorithm>
#include <string_view>
#include <vector>

namespace tokcost::bench {

inline std::vector<std::string_view> CutDocuments(std::string_view text, size_t size = 4096) {
  std::vector<std::string_view> docs;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', std::min(text.size(), start + size));
    end = end == std::string_view::npos ? text.size() : end + 1;
    docs.push_back(text.substr(start, end - start));
    start = end;
  }
  return docs;
}

}  // namespace tokcost::bench

#endif  // TOKCOST_BENCH_DOCUMENTS_H_
