// The tokcost command line as a library: Main() parses arguments, runs one
// command and returns the exit code; I/O goes through an injected Io so that
// tests run commands against string streams.
//
//   std::istringstream in("hello"); std::ostringstream out, err;
//   int code = tokcost::cli::Main({"tokcost", "count", "--tokenizer",
//                                  "o200k_base", "-"}, {in, out, err, env});
//
// Exit codes (stable, for scripts): see exit_codes.h.
#ifndef TOKCOST_TOOLS_CLI_CLI_H_
#define TOKCOST_TOOLS_CLI_CLI_H_

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace tokcost::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  // Environment lookup (getenv in production, a map in tests); returns ""
  // when unset.
  std::function<std::string(const std::string&)> getenv;
  // Progress lines go to stderr only when it is a terminal.
  bool stderr_is_tty = false;
};

int Main(const std::vector<std::string>& args, Io io);

}  // namespace tokcost::cli

#endif  // TOKCOST_TOOLS_CLI_CLI_H_
