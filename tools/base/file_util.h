// Small file helpers returning Status.
//
//   StatusOr<std::string> text = ReadFile("prompts.txt");
//   StatusOr<std::string> all = ReadStream(std::cin, "-");
//   StatusOr<MappedFile> lexicon = MapFile("o200k_base.lexicon");
#ifndef TOKCOST_TOOLS_BASE_FILE_UTIL_H_
#define TOKCOST_TOOLS_BASE_FILE_UTIL_H_

#include <initializer_list>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "tools/base/status.h"

namespace tokcost {

// Reads a whole file; errors name the path and the OS reason.
StatusOr<std::string> ReadFile(const std::string& path);

// A file's bytes mapped read-only and populated: shared with the page
// cache, so nothing is copied and no fresh memory is zeroed (reading a
// 1.5 MB lexicon into a string was a fifth of a one-line approximate
// count). Files of 2 MB or more are mapped in huge pages where the kernel
// can (see file_util.cc). `owner` keeps the mapping; `bytes` is empty for
// an empty file.
struct MappedFile {
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};
StatusOr<MappedFile> MapFile(const std::string& path);

// Best effort: writes the file's pages back and asks the kernel to drop
// them from its page cache, so that the next MapFile reads the file in
// afresh, in 2 MB folios where the filesystem builds them (a file just
// written sits in the cache in the small folios its writes made).
void EvictFromPageCache(const std::string& path);

// Reads a stream to its end; `name` is used in error messages.
StatusOr<std::string> ReadStream(std::istream& in, const std::string& name);

// Writes a whole file, the concatenation of `parts`, through a temporary in
// the same directory and a rename, so readers never see half a file (nor
// the old file gone); errors name the path.
Status WriteFile(const std::string& path, std::initializer_list<std::string_view> parts);

bool FileExists(const std::string& path);

// Joins two path components with exactly one '/'.
std::string JoinPath(const std::string& a, const std::string& b);

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_FILE_UTIL_H_
