#include "tools/base/shared_library.h"

#include <dlfcn.h>

#include <string>

namespace tokcost {

StatusOr<void*> OpenSharedLibrary(const char* soname, const char* debian_package) {
  // RTLD_NOW: a missing symbol fails here, with the library named, not at
  // the first call in the middle of a run.
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return FailedPreconditionError(std::string("cannot load ") + soname + " (Debian package " +
                                   debian_package + "; tools/setup installs it): " +
                                   (why ? why : "unknown error"));
  }
  return handle;
}

StatusOr<void*> SharedLibrarySymbol(void* library, const char* name) {
  dlerror();
  void* symbol = dlsym(library, name);
  if (const char* why = dlerror(); why != nullptr || symbol == nullptr) {
    return FailedPreconditionError(std::string("shared library has no symbol ") + name +
                                   (why ? std::string(": ") + why : std::string()));
  }
  return symbol;
}

}  // namespace tokcost
