// tokcost: a thin main() over tokcost::cli::Main.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv, argv + argc);
  tokcost::cli::Io io{std::cin, std::cout, std::cerr, [](const std::string& name) {
                        const char* v = std::getenv(name.c_str());
                        return std::string(v ? v : "");
                      },
                      ::isatty(2) == 1};
  return tokcost::cli::Main(args, io);
}
