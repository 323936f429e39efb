#include "tools/base/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace tokcost {

namespace {

// Sizes `s` to `size` bytes (their contents unspecified), asking for huge
// pages for its buffer before anything touches it. On the VMs tokcost is
// measured on, the first touch of each 4 KB page costs microseconds:
// reading a 19.8 MB file took 240 ms through a stringstream (it doubles its
// buffer, then copies it out), 95 ms into a string of the file's size, and
// 14-26 ms with that string in 2 MB pages.
void ResizeForReading(std::string* s, size_t size) {
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  if (size > s->capacity()) s->reserve(size);
  const auto begin = reinterpret_cast<uintptr_t>(s->data());
  const uintptr_t first = (begin + s->size() + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = (begin + s->capacity()) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  s->resize(size);
}

// Reads fd to its end into *out, starting with room for `expected` bytes.
Status ReadAll(int fd, size_t expected, const std::string& name, std::string* out) {
  size_t have = 0;
  ResizeForReading(out, std::max<size_t>(expected, 64 << 10));
  for (;;) {
    if (have == out->size()) ResizeForReading(out, 2 * out->size());
    const ssize_t n = ::read(fd, out->data() + have, out->size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InvalidArgumentError(name + ": read error: " + std::strerror(errno));
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  out->resize(have);
  return OkStatus();
}

// Maps `size` bytes of `fd` read-only and populated, asking for huge
// pages first. Where the filesystem keeps files in large folios (ext4
// since Linux 6.16), a file read in through a MADV_HUGEPAGE mapping lands
// in the page cache in 2 MB folios, which later mappings (the kernel puts
// a file of 2 MB or more at a 2 MB boundary) map as huge pages: a one-line
// o200k count, its 12.7 MB compiled vocabulary so cached, 12.0-13.5 ms
// instead of 13.6-14.8 with the small folios that MAP_POPULATE's read-in
// or the file's writer left (perf stat -r 30, three alternated rounds,
// 2026-12-06, AMD EPYC VM). First passes over large inputs were no faster.
void* MapPopulated(int fd, size_t size) {
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (addr == MAP_FAILED) return addr;
  // Before the first touch: the read-in is what builds the folios. Both
  // may fail on older kernels; pages are then read in as they are touched.
  ::madvise(addr, size, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_READ
  ::madvise(addr, size, MADV_POPULATE_READ);
#endif
  return addr;
}

}  // namespace

StatusOr<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  size_t expected = 0;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return InvalidArgumentError(path + ": is a directory");
    }
    // One more byte than the size: the read that finds the end needs room.
    if (S_ISREG(st.st_mode)) expected = static_cast<size_t>(st.st_size) + 1;
  }
  std::string out;
  Status status = ReadAll(fd, expected, path, &out);
  ::close(fd);
  if (!status.ok()) return status;
  return out;
}

StatusOr<MappedFile> MapFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + ": not a regular file");
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile{};
  }
  void* addr = MapPopulated(fd, size);
  const int mmap_errno = errno;
  ::close(fd);
  if (addr == MAP_FAILED) {
    return InvalidArgumentError(path + ": cannot map: " + std::strerror(mmap_errno));
  }
  std::shared_ptr<const void> owner(addr, [size](const void* a) { ::munmap(const_cast<void*>(a), size); });
  return MappedFile{std::string_view(static_cast<const char*>(addr), size), std::move(owner)};
}

void EvictFromPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  // Written pages are dirty until written back, and dirty pages stay.
  if (::fdatasync(fd) == 0) ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

StatusOr<std::string> ReadStream(std::istream& in, const std::string& name) {
  std::string out;
  size_t have = 0;
  ResizeForReading(&out, 64 << 10);
  while (in) {
    if (have == out.size()) ResizeForReading(&out, 2 * out.size());
    in.read(out.data() + have, static_cast<std::streamsize>(out.size() - have));
    have += static_cast<size_t>(in.gcount());
  }
  if (in.bad()) return InvalidArgumentError(name + ": read error");
  out.resize(have);
  return out;
}

Status WriteFile(const std::string& path, std::initializer_list<std::string_view> parts) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return NotFoundError(path + ": cannot write: " + std::strerror(errno));
    for (std::string_view part : parts) out.write(part.data(), static_cast<std::streamsize>(part.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return InternalError(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return InternalError(path + ": cannot rename into place: " + std::strerror(errno));
  }
  return OkStatus();
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace tokcost
