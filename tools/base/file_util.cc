#include "tools/base/file_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tokcost {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(path + ": cannot open: " + std::strerror(errno));
  }
  return ReadStream(in, path);
}

StatusOr<std::string> ReadStream(std::istream& in, const std::string& name) {
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return InvalidArgumentError(name + ": read error");
  return out.str();
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
