#include "tools/cli/approx_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "tools/cli/approx_counter.h"

namespace tokcost::cli {
namespace {

// Small enough to stay in the caches from the read to the scan: 1 GB in
// 1 MB pieces peaked at 22.8 MB RSS, in 8 MB pieces at 29.9 MB, in the same
// time within the noise.
constexpr size_t kApproxPiece = 1 << 20;

// Cuts what `read` gives (it fills up to n bytes; fewer only at the end)
// into pieces of at least `piece_bytes`, each just after a newline that no
// other newline follows (ApproxStream's rule), and hands them to `take`:
// memory stays bounded unless a piece has no such place.
Status CutLinePieces(const std::function<StatusOr<size_t>(char*, size_t)>& read, size_t piece_bytes,
                     const std::function<void(std::string_view)>& take) {
  // Not a std::string: resizing one zeroes what the read overwrites (3% of
  // approximating 1 GB).
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0, size = 0;
  size_t searched = 0;  // no cut lies before this offset of `buffer`
  while (true) {
    if (size + piece_bytes > capacity) {
      capacity = std::max(size + piece_bytes, 2 * capacity);
      std::unique_ptr<char[]> bigger(new char[capacity]);
      std::memcpy(bigger.get(), buffer.get(), size);
      buffer = std::move(bigger);
    }
    TOKCOST_ASSIGN_OR_RETURN(const size_t got, read(buffer.get() + size, piece_bytes));
    size += got;
    if (got < piece_bytes) break;  // the end: the rest is the last piece
    // The last line start in the buffer that follows no empty line.
    size_t cut = 0;
    for (size_t j = size - 1; j > searched && cut == 0; --j) {
      if (buffer[j - 1] == '\n' && buffer[j] != '\n') cut = j;
    }
    if (cut == 0) {
      searched = size - 1;
      continue;
    }
    take(std::string_view(buffer.get(), cut));
    std::memmove(buffer.get(), buffer.get() + cut, size - cut);
    size -= cut;
    searched = 0;
  }
  if (size > 0) take(std::string_view(buffer.get(), size));
  return OkStatus();
}

// CutLinePieces over a file or stdin. Calls `sized` first, with a regular
// file's size, else -1.
Status ReadLinePieces(const Context& ctx, const std::string& name, size_t piece_bytes,
                      const std::function<void(int64_t)>& sized,
                      const std::function<void(std::string_view)>& take) {
  std::ifstream file;
  int64_t total = -1;
  if (name != "-") {
    std::error_code error;
    if (std::filesystem::is_directory(name, error)) return InvalidArgumentError(name + ": is a directory");
    file.open(name, std::ios::binary);
    if (std::filesystem::is_regular_file(name, error)) {
      total = static_cast<int64_t>(std::filesystem::file_size(name, error));
      if (error) total = -1;
    }
  }
  std::istream& in = name == "-" ? ctx.io.in : file;
  if (!in) return NotFoundError(name + ": cannot open: " + std::strerror(errno));
  sized(total);
  return CutLinePieces(
      [&](char* data, size_t n) -> StatusOr<size_t> {
        in.read(data, static_cast<std::streamsize>(n));
        if (in.bad()) return InvalidArgumentError(name + ": read error");
        return static_cast<size_t>(in.gcount());
      },
      piece_bytes, take);
}

// Where ApproxOf's pieces come from: it calls `sized` with the text's size
// (-1 if unknown), then `take` with each piece.
using PieceSource = std::function<Status(const std::function<void(int64_t)>& sized,
                                         const std::function<void(std::string_view)>& take)>;

// The approximation (ApproxStream) of the pieces `source` gives, for each of
// `profiles` at once.
StatusOr<std::vector<ApproxCount>> ApproxOf(const std::vector<const ApproxProfile*>& profiles,
                                            const PieceSource& source) {
  std::vector<ApproxCount> r(profiles.size());
  std::vector<std::unique_ptr<ApproxStream>> streams;
  uint64_t bytes = 0;
  TOKCOST_RETURN_IF_ERROR(source(
      [&](int64_t total) {
        for (const ApproxProfile* p : profiles) streams.push_back(std::make_unique<ApproxStream>(*p, total));
      },
      [&](std::string_view piece) {
        for (auto& stream : streams) stream->Add(piece);
        bytes += piece.size();
      }));
  for (size_t i = 0; i < r.size(); ++i) {
    r[i].estimate = streams[i]->Result();
    r[i].bytes = bytes;
    r[i].ceiling = static_cast<int64_t>(TokenCeiling(streams[i]->Features(), bytes));
    r[i].lexicon_share = streams[i]->LexiconShare();
  }
  return r;
}

}  // namespace

StatusOr<std::vector<ApproxCount>> StreamApprox(const Context& ctx,
                                                const std::vector<const ApproxProfile*>& profiles,
                                                const std::string& name) {
  return ApproxOf(profiles, [&](const auto& sized, const auto& take) {
    return ReadLinePieces(ctx, name, kApproxPiece, sized, take);
  });
}

ApproxCount ApproxOfText(const ApproxProfile& profile, std::string_view text, int64_t total) {
  size_t at = 0;
  StatusOr<std::vector<ApproxCount>> r = ApproxOf({&profile}, [&](const auto& sized, const auto& take) {
    sized(total);
    return CutLinePieces(
        [&](char* data, size_t n) -> StatusOr<size_t> {
          const size_t got = std::min(n, text.size() - at);
          std::memcpy(data, text.data() + at, got);
          at += got;
          return got;
        },
        kApproxPiece, take);
  });
  return (*r)[0];  // reading memory cannot fail
}

}  // namespace tokcost::cli
