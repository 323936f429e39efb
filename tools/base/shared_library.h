// Shared libraries opened at run time, for dependencies only some commands
// need: every library a binary links is mapped and relocated at each start.
// libcurl and the 27 libraries it pulls in: `tokcost --version` 18.0 ->
// 12.2 ms without them (AMD EPYC VM, perf stat -r 30), and no command
// but the endpoint's uses them.
//
//   StatusOr<void*> lib = OpenSharedLibrary("libcurl.so.4", "libcurl4");
//   if (!lib.ok()) return lib.status();
//   CURL* (*easy_init)();
//   if (Status s = LoadSymbol(*lib, "curl_easy_init", &easy_init); !s.ok()) return s;
//
// Libraries stay open for the life of the process. Thread-safe.
#ifndef TOKCOST_TOOLS_BASE_SHARED_LIBRARY_H_
#define TOKCOST_TOOLS_BASE_SHARED_LIBRARY_H_

#include "tools/base/status.h"

namespace tokcost {

// The handle of `soname`, opened with dlopen (the dynamic loader's search
// path, as for a linked library); an error names the library and the
// package that provides it.
StatusOr<void*> OpenSharedLibrary(const char* soname, const char* debian_package);

// The address of `name` in `library`.
StatusOr<void*> SharedLibrarySymbol(void* library, const char* name);

// Typed form: sets *out to `name` as a function pointer.
template <typename F>
Status LoadSymbol(void* library, const char* name, F** out) {
  StatusOr<void*> symbol = SharedLibrarySymbol(library, name);
  if (!symbol.ok()) return symbol.status();
  *out = reinterpret_cast<F*>(*symbol);
  return OkStatus();
}

}  // namespace tokcost

#endif  // TOKCOST_TOOLS_BASE_SHARED_LIBRARY_H_
