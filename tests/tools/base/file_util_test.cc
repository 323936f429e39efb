// ReadFile, ReadStream and MapFile: every byte back (NULs, sizes across their buffer
// growth), and errors that name the path.
#include "tools/base/file_util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace tokcost {
namespace {

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// Bytes of every value, in a pattern that does not repeat at buffer sizes.
std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
  return s;
}

TEST_CASE("ReadFile returns every byte of files of any size") {
  const std::string path = JoinPath(TempDir(), "file_util_test.bin");
  for (size_t n : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537},
                   size_t{5} << 20}) {
    INFO(n);
    const std::string bytes = Bytes(n);
    REQUIRE(WriteFile(path, {bytes}).ok());
    StatusOr<std::string> read = ReadFile(path);
    REQUIRE(read.ok());
    CHECK(read->size() == n);
    CHECK(*read == bytes);
  }
}

TEST_CASE("ReadStream returns every byte across its buffer's growth") {
  for (size_t n : {size_t{0}, size_t{100}, size_t{64} << 10, size_t{3} << 20}) {
    INFO(n);
    const std::string bytes = Bytes(n);
    std::istringstream in(bytes);
    StatusOr<std::string> read = ReadStream(in, "-");
    REQUIRE(read.ok());
    CHECK(*read == bytes);
  }
}

TEST_CASE("ReadFile reads a pipe to its end") {
  const std::string fifo = JoinPath(TempDir(), "file_util_test.fifo");
  ::unlink(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string bytes = Bytes(300 << 10);  // more than a pipe holds
  // The writer blocks in open until ReadFile opens the other end.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    FILE* f = std::fopen(fifo.c_str(), "w");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    std::_Exit(0);
  }
  StatusOr<std::string> read = ReadFile(fifo);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::unlink(fifo.c_str());
  REQUIRE(read.ok());
  CHECK(*read == bytes);
}

TEST_CASE("ReadFile errors name the path and the reason") {
  StatusOr<std::string> missing = ReadFile(JoinPath(TempDir(), "no/such/file.txt"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("no/such/file.txt: cannot open") != std::string::npos);
  StatusOr<std::string> dir = ReadFile(TempDir());
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message() == TempDir() + ": is a directory");
}

TEST_CASE("MapFile maps every byte, and outlives the file's name") {
  const std::string path = JoinPath(TempDir(), "file_util_map.bin");
  for (size_t n : {size_t{0}, size_t{1}, size_t{4097}, size_t{3} << 20}) {
    INFO(n);
    const std::string bytes = Bytes(n);
    REQUIRE(WriteFile(path, {bytes}).ok());
    StatusOr<MappedFile> mapped = MapFile(path);
    REQUIRE(mapped.ok());
    // Replaced on disk (as WriteFile does, by a rename): the mapping keeps
    // the bytes it was made with.
    REQUIRE(WriteFile(path, {"other"}).ok());
    CHECK(mapped->bytes == bytes);
  }
  StatusOr<MappedFile> missing = MapFile(JoinPath(TempDir(), "no/such/file.bin"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("no/such/file.bin: cannot open") != std::string::npos);
  StatusOr<MappedFile> dir = MapFile(TempDir());
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message() == TempDir() + ": not a regular file");
}

TEST_CASE("EvictFromPageCache drops a file just written from the page cache") {
  const std::string path = JoinPath(TempDir(), "file_util_evict.bin");
  const std::string bytes = Bytes(size_t{3} << 20);
  REQUIRE(WriteFile(path, {bytes}).ok());
  EvictFromPageCache(path);
  struct statfs fs;
  REQUIRE(::statfs(path.c_str(), &fs) == 0);
  if (fs.f_type != TMPFS_MAGIC) {  // tmpfs pages are the file: they stay
    // Pages in the cache, seen through a mapping that touches none.
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    void* addr = ::mmap(nullptr, bytes.size(), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    REQUIRE(addr != MAP_FAILED);
    const size_t pages = (bytes.size() + ::sysconf(_SC_PAGESIZE) - 1) / ::sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> resident(pages);
    REQUIRE(::mincore(addr, bytes.size(), resident.data()) == 0);
    ::munmap(addr, bytes.size());
    size_t cached = 0;
    for (unsigned char r : resident) cached += r & 1;
    CHECK(cached == 0);
  }
  StatusOr<MappedFile> mapped = MapFile(path);
  REQUIRE(mapped.ok());
  CHECK(mapped->bytes == bytes);
  EvictFromPageCache(JoinPath(TempDir(), "no/such/file.bin"));  // best effort: no error
}

}  // namespace
}  // namespace tokcost
